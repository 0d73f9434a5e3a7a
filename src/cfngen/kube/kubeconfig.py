"""A kubeconfig for one EKS cluster, authenticated by the ``aws eks get-token`` exec plugin.

Same shape as ``aws eks update-kubeconfig`` writes, but in its own file
(``output/<env>/kubeconfig``) so that cfngen never edits ``~/.kube/config``. No
token is stored: kubectl runs the AWS CLI for a fresh one, with the same profile
and region cfngen used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EXEC_API = "client.authentication.k8s.io/v1beta1"
FILE_NAME = "kubeconfig"


class ClusterError(Exception):
    """The cluster cannot be used (missing, not ACTIVE)."""


@dataclass(frozen=True)
class Cluster:
    name: str
    endpoint: str
    certificate_authority: str  # base64, as EKS returns it
    region: str
    public_access: bool = True  # EKS's defaults when DescribeCluster leaves them out
    public_access_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    vpc_id: str = ""

    def reach_advice(self) -> str:
        """What to do when the API endpoint cannot be reached from here ('' = no idea)."""
        if not self.public_access:
            where = f"VPC {self.vpc_id}" if self.vpc_id else "the cluster's VPC"
            return (
                f"EKS cluster {self.name} has a private API endpoint only "
                "(eks.endpoint_public_access: false), which this machine cannot reach: run "
                f"cfngen from a machine inside {where} (or connected to it through a bastion "
                "host or VPN), or set eks.endpoint_public_access: true with "
                "eks.public_access_cidrs limited to your network and deploy again"
            )
        if "0.0.0.0/0" not in self.public_access_cidrs:
            return (
                f"EKS cluster {self.name} admits only {', '.join(self.public_access_cidrs)} "
                "to its public API endpoint: run cfngen from an address in those CIDRs, or "
                "add yours to eks.public_access_cidrs and deploy again"
            )
        return ""


def cluster_from_describe(response: dict[str, Any], region: str) -> Cluster:
    """Check a DescribeCluster response and keep what a kubeconfig needs."""
    c = response["cluster"]
    status = c.get("status", "UNKNOWN")
    if status != "ACTIVE":
        hint = {
            "CREATING": "wait for the deploy to finish",
            "UPDATING": "wait for the update to finish",
            "DELETING": "it is being deleted",
            "FAILED": "see the EKS console for the reason",
        }.get(status, "check it in the EKS console")
        raise ClusterError(f"EKS cluster {c['name']} is {status}, not ACTIVE: {hint}")
    vpc = c.get("resourcesVpcConfig") or {}
    return Cluster(
        name=c["name"],
        endpoint=c["endpoint"],
        certificate_authority=c["certificateAuthority"]["data"],
        region=region,
        public_access=bool(vpc.get("endpointPublicAccess", True)),
        public_access_cidrs=tuple(vpc.get("publicAccessCidrs") or ("0.0.0.0/0",)),
        vpc_id=vpc.get("vpcId", ""),
    )


def describe(eks: Any, name: str, region: str) -> Cluster:
    try:
        response = eks.describe_cluster(name=name)
    except eks.exceptions.ResourceNotFoundException:
        raise ClusterError(
            f"EKS cluster {name} not found in {region}: deploy the stacks first"
        ) from None
    return cluster_from_describe(response, region)


def kubeconfig(cluster: Cluster, profile: str | None = None) -> dict[str, Any]:
    token_args = [
        "--region", cluster.region, "eks", "get-token",
        "--cluster-name", cluster.name, "--output", "json",
    ]  # fmt: skip
    user: dict[str, Any] = {
        "apiVersion": EXEC_API,
        "command": "aws",
        "args": token_args,
        "interactiveMode": "Never",
        "provideClusterInfo": False,
    }
    if profile:
        user["env"] = [{"name": "AWS_PROFILE", "value": profile}]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster.name,
                "cluster": {
                    "server": cluster.endpoint,
                    "certificate-authority-data": cluster.certificate_authority,
                },
            }
        ],
        "contexts": [
            {"name": cluster.name, "context": {"cluster": cluster.name, "user": cluster.name}}
        ],
        "current-context": cluster.name,
        "preferences": {},
        "users": [{"name": cluster.name, "user": {"exec": user}}],
    }


def write(path: Path, config: dict[str, Any]) -> Path:
    """Write with mode 0600 from the start: it names the cluster and the profile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f, sort_keys=False, default_flow_style=False)
    tmp.replace(path)
    return path
