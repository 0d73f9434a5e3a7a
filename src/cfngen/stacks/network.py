"""Network stack: a VPC with one public subnet per AZ behind an internet gateway.

Optional parts live in helper modules: private subnets with NAT gateways and the
S3 gateway endpoint (:mod:`network_private`), flow logs and the default security
group lock-down (:mod:`network_security`). With ``ecs.log_encryption: kms`` the key of
every log group is created here, in the first stack to deploy (:mod:`log_groups`).
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Parameter, Template, ec2

from cfngen.config import Config
from cfngen.contracts import NetworkOut
from cfngen.stacks import log_groups, network_private, network_security
from cfngen.stacks.common import add_output, name_tags, new_template
from cfngen.stacks.security import PUBLIC_ADDRESSES, suppress_guard
from cfngen.stacks.subnets import az, az_names, subnet_tags


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


def _public_subnet(
    cfg: Config, vpc: ec2.VPC, index: int, cidr: str, names: Parameter | None
) -> ec2.Subnet:
    subnet = ec2.Subnet(
        f"PublicSubnet{index + 1}",
        VpcId=vpc.ref(),
        CidrBlock=cidr,
        AvailabilityZone=az(index, names),
        MapPublicIpOnLaunch=not cfg.network.private_subnets,
        Tags=subnet_tags(cfg, f"public-{index + 1}", "elb"),
    )
    if not cfg.network.private_subnets:
        suppress_guard(subnet, {"CT.EC2.PR.11": PUBLIC_ADDRESSES})
    return subnet


def build(cfg: Config) -> Template:
    t = new_template(cfg, "network (VPC, subnets, internet gateway, NAT, routes)")
    names = az_names(cfg, t)
    vpc = t.add_resource(_vpc(cfg))
    table, attachment = _internet_access(cfg, t, vpc)
    subnets = [
        t.add_resource(_public_subnet(cfg, vpc, i, cidr, names))
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
    private = network_private.add(cfg, t, vpc, subnets, attachment, names)
    logs_key = log_groups.add_key(cfg, t)
    network_security.add(cfg, t, vpc, GetAtt(logs_key, "Arn") if logs_key else None)
    add_output(t, NetworkOut.VPC_ID, vpc.ref(), "ID of the VPC")
    add_output(t, NetworkOut.VPC_CIDR, GetAtt(vpc, "CidrBlock"), "IPv4 CIDR of the VPC")
    add_output(
        t,
        NetworkOut.PUBLIC_SUBNET_IDS,
        Join(",", [s.ref() for s in subnets]),
        "Comma-separated IDs of the public subnets, one per AZ",
    )
    if private:
        add_output(
            t,
            NetworkOut.PRIVATE_SUBNET_IDS,
            Join(",", [s.ref() for s in private]),
            "Comma-separated IDs of the private subnets, one per AZ",
        )
    if logs_key is not None:
        add_output(
            t,
            NetworkOut.LOGS_KEY_ARN,
            GetAtt(logs_key, "Arn"),
            "ARN of the KMS key of this environment's log groups (ecs.log_encryption: kms)",
        )
    add_output(
        t,
        NetworkOut.AVAILABILITY_ZONES,
        Join(",", [GetAtt(s, "AvailabilityZone") for s in subnets]),
        "Comma-separated AZs of the public subnets",
    )
    return t
