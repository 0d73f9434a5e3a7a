"""Subnet helpers shared by the public and private halves of the network stack."""

from __future__ import annotations

from troposphere import GetAZs, Region, Select, Tags

from cfngen.config import Config
from cfngen.stacks.common import name_tags


def az(cfg: Config, index: int) -> object:
    """A literal AZ name when configured, else the index-th AZ of the region."""
    azs = cfg.network.availability_zones
    if isinstance(azs, int):
        return Select(index, GetAZs(Region))
    return azs[index]


def subnet_tags(cfg: Config, name: str, role: str) -> Tags:
    """Name plus the tags Kubernetes load balancer controllers use to discover subnets.

    ``role`` is ``elb`` (internet-facing load balancers) or ``internal-elb``; without an
    EKS cluster there is no controller to read them.
    """
    if not cfg.eks.enabled:
        return name_tags(cfg, name)
    return name_tags(cfg, name) + Tags(
        {f"kubernetes.io/cluster/{cfg.prefix}": "shared", f"kubernetes.io/role/{role}": "1"}
    )
