"""From config + stack outputs to a working :class:`Kubectl`: tools, cluster, kubeconfig."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from cfngen.config import Config
from cfngen.contracts import EksOut, NetworkOut
from cfngen.kube import aws, kubeconfig
from cfngen.kube.kubectl import Kubectl, require


def cluster_name(cfg: Config, outputs: Mapping[str, str]) -> str:
    """The root stack's EksClusterName output; the name the eks stack gives it otherwise."""
    return outputs.get(EksOut.CLUSTER_NAME) or cfg.prefix


def connect(
    cfg: Config,
    outputs: Mapping[str, str],
    out_dir: Path,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> Kubectl:
    """Check tools, require an ACTIVE cluster, write ``<out_dir>/kubeconfig``."""
    region = region or cfg.region
    binary = require(
        "kubectl", "install it (https://kubernetes.io/docs/tasks/tools/) to apply manifests"
    )
    require("aws", "the kubeconfig gets its tokens from `aws eks get-token` (install the AWS CLI)")
    eks = aws.client("eks", cfg, profile, region, endpoint_url)
    cluster = kubeconfig.describe(eks, cluster_name(cfg, outputs), region)
    if not cluster.vpc_id:  # name the VPC in advice even if DescribeCluster leaves it out
        cluster = replace(cluster, vpc_id=outputs.get(NetworkOut.VPC_ID, ""))
    path = kubeconfig.write(out_dir / kubeconfig.FILE_NAME, kubeconfig.kubeconfig(cluster, profile))
    return Kubectl(path, cluster.name, region, binary, reach_advice=cluster.reach_advice())
