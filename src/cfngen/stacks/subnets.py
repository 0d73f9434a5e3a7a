"""Subnet helpers shared by the public and private halves of the network stack."""

from __future__ import annotations

from troposphere import GetAZs, Parameter, Region, Select, Tags, Template

from cfngen.config import Config
from cfngen.contracts import NetworkIn
from cfngen.stacks.common import add_parameter, name_tags


def az_names(cfg: Config, t: Template) -> Parameter | None:
    """With ``network.availability_zones`` given as names: a parameter that holds them.

    AZ names are mapped per account in the oldest regions, which is why cfn-lint warns
    about literal names (W3010). As a parameter of type
    ``List<AWS::EC2::AvailabilityZone::Name>`` (default: the configured names)
    CloudFormation checks at deploy time that each name exists in the target account,
    and a console launch or a StackSet instance can set other names.
    """
    azs = cfg.network.availability_zones
    if isinstance(azs, int):
        return None
    return add_parameter(
        t,
        NetworkIn.AVAILABILITY_ZONE_NAMES,
        "List<AWS::EC2::AvailabilityZone::Name>",
        "Availability Zones of the subnets, in order (from network.availability_zones)",
        Default=",".join(azs),
    )


def az(index: int, names: Parameter | None) -> object:
    """The index-th configured AZ, or the index-th AZ of the region when none are named."""
    if names is None:
        return Select(index, GetAZs(Region))
    return Select(index, names.ref())


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
