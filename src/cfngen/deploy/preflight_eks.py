"""Preflight for EKS: the Kubernetes version is offered, the node types exist in the AZs.

The version comes from ``eks:DescribeClusterVersions`` (or, where that API is missing,
from the add-on versions EKS offers for it); the instance types from
``ec2:DescribeInstanceTypeOfferings`` per availability zone the node group uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from cfngen.deploy.preflight_base import UNANSWERED, Context, Finding
from cfngen.deploy.session import error_code

CLUSTER = "AWS::EKS::Cluster"
NODEGROUP = "AWS::EKS::Nodegroup"


def _offered(ctx: Context, version: str) -> tuple[bool, str, list[str]]:
    """(offered, status, every offered version) for one Kubernetes version."""
    eks = ctx.aws.client("eks")
    try:
        found = eks.describe_cluster_versions(clusterVersions=[version])["clusterVersions"]
        every = eks.describe_cluster_versions()["clusterVersions"]
        listed = sorted({str(v.get("clusterVersion")) for v in every}, key=_version_key)
        status = str(found[0].get("versionStatus", "")) if found else ""
        return bool(found) and status != "UNSUPPORTED", status, listed
    except ClientError as exc:
        if error_code(exc) not in UNANSWERED:
            raise
    addons = eks.describe_addon_versions(kubernetesVersion=version, addonName="kube-proxy")
    return bool(addons.get("addons")), "", []


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in v.split("."))


def versions(ctx: Context) -> Iterator[Finding]:
    for _, _, props in ctx.resources(CLUSTER):
        version = props.get("Version")
        if not isinstance(version, str):
            continue
        offered, status, listed = _offered(ctx, version)
        if offered:
            continue
        choice = f"use one of {', '.join(listed)}" if listed else "use a version EKS offers"
        what = "is past its end of support" if status == "UNSUPPORTED" else "is not offered"
        yield Finding(
            "eks.version",
            f"Kubernetes {version} {what} by EKS in {ctx.aws.region}",
            f"{choice} (`aws eks describe-cluster-versions --region {ctx.aws.region}`)",
        )


def instance_types(ctx: Context) -> Iterator[Finding]:
    zones = ctx.chosen_azs()
    if not zones:
        return
    for _, _, props in ctx.resources(NODEGROUP):
        types = [t for t in props.get("InstanceTypes") or [] if isinstance(t, str)]
        if not types:
            continue
        offers = ctx.aws.client("ec2").describe_instance_type_offerings(
            LocationType="availability-zone",
            Filters=[
                {"Name": "instance-type", "Values": types},
                {"Name": "location", "Values": zones},
            ],
        )["InstanceTypeOfferings"]
        where: dict[str, set[str]] = {}
        for o in offers:
            where.setdefault(str(o.get("InstanceType")), set()).add(str(o.get("Location")))
        for i, itype in enumerate(types):
            missing = [z for z in zones if z not in where.get(itype, set())]
            if not missing:
                continue
            problem = (
                f"{itype} is not an EC2 instance type"
                if itype not in where and len(missing) == len(zones)
                else f"{itype} is not offered in {', '.join(missing)}"
            )
            yield Finding(
                f"eks.node_group.instance_types[{i}]",
                f"{problem} (the node group's AZs: {', '.join(zones)})",
                "pick a type offered in every AZ (`aws ec2 describe-instance-type-offerings "
                f"--location-type availability-zone --region {ctx.aws.region}`)",
            )
