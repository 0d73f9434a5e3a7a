"""Network stack: a VPC with one public subnet per AZ behind an internet gateway."""

from __future__ import annotations

from troposphere import GetAtt, GetAZs, Join, Ref, Select, Template, ec2

from cfngen.config import Config
from cfngen.contracts import NetworkOut
from cfngen.stacks.common import add_output, name_tags, new_template


def _az(cfg: Config, index: int) -> object:
    """A literal AZ name when configured, else the index-th AZ of the region."""
    azs = cfg.network.availability_zones
    if isinstance(azs, int):
        return Select(index, GetAZs(Ref("AWS::Region")))
    return azs[index]


def _vpc(cfg: Config) -> ec2.VPC:
    return ec2.VPC(
        "Vpc",
        CidrBlock=cfg.network.vpc_cidr,
        EnableDnsSupport=True,
        EnableDnsHostnames=True,
        Tags=name_tags(cfg, "vpc"),
    )


def _internet_access(
    cfg: Config, t: Template, vpc: ec2.VPC
) -> tuple[ec2.RouteTable, ec2.VPCGatewayAttachment]:
    """Internet gateway, its attachment and the public route table with the default route."""
    igw = t.add_resource(ec2.InternetGateway("InternetGateway", Tags=name_tags(cfg, "igw")))
    attachment = t.add_resource(
        ec2.VPCGatewayAttachment(
            "InternetGatewayAttachment", VpcId=vpc.ref(), InternetGatewayId=igw.ref()
        )
    )
    table = t.add_resource(
        ec2.RouteTable("PublicRouteTable", VpcId=vpc.ref(), Tags=name_tags(cfg, "public"))
    )
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn=attachment.title,
            RouteTableId=table.ref(),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=igw.ref(),
        )
    )
    return table, attachment


def _public_subnet(cfg: Config, vpc: ec2.VPC, index: int, cidr: str) -> ec2.Subnet:
    return ec2.Subnet(
        f"PublicSubnet{index + 1}",
        VpcId=vpc.ref(),
        CidrBlock=cidr,
        AvailabilityZone=_az(cfg, index),
        MapPublicIpOnLaunch=True,
        Tags=name_tags(cfg, f"public-{index + 1}"),
    )


def build(cfg: Config) -> Template:
    t = new_template(cfg, "network (VPC, public subnets, internet gateway, routes)")
    vpc = t.add_resource(_vpc(cfg))
    table, _ = _internet_access(cfg, t, vpc)
    subnets = [
        t.add_resource(_public_subnet(cfg, vpc, i, cidr))
        for i, cidr in enumerate(cfg.network.public_subnets)
    ]
    for i, subnet in enumerate(subnets):
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PublicSubnet{i + 1}RouteTableAssociation",
                SubnetId=subnet.ref(),
                RouteTableId=table.ref(),
            )
        )
    add_output(t, NetworkOut.VPC_ID, vpc.ref(), "ID of the VPC")
    add_output(t, NetworkOut.VPC_CIDR, GetAtt(vpc, "CidrBlock"), "IPv4 CIDR of the VPC")
    add_output(
        t,
        NetworkOut.PUBLIC_SUBNET_IDS,
        Join(",", [s.ref() for s in subnets]),
        "Comma-separated IDs of the public subnets, one per AZ",
    )
    add_output(
        t,
        NetworkOut.AVAILABILITY_ZONES,
        Join(",", [GetAtt(s, "AvailabilityZone") for s in subnets]),
        "Comma-separated AZs of the public subnets",
    )
    return t
