"""Private subnets (one per AZ) with NAT gateways and an S3 gateway endpoint.

``nat_gateways: per_az`` gives each AZ its own NAT gateway so one AZ outage cannot
cut the others off; ``single`` routes every private subnet through the first AZ's
NAT gateway. Each private subnet has its own route table either way, so switching
between the two only changes routes.
"""

from __future__ import annotations

from troposphere import Join, Parameter, Region, Template, ec2

from cfngen.config import Config
from cfngen.stacks.common import name_tags
from cfngen.stacks.subnets import az, subnet_tags


def add(
    cfg: Config,
    t: Template,
    vpc: ec2.VPC,
    public: list[ec2.Subnet],
    attachment: ec2.VPCGatewayAttachment,
    names: Parameter | None = None,
) -> list[ec2.Subnet]:
    """Add the private subnets and what they route through; [] when none are configured."""
    net = cfg.network
    if not net.private_subnets:
        return []
    nat_count = len(public) if net.nat_gateways == "per_az" else 1
    nats = [_nat(cfg, t, public[i], i, attachment) for i in range(nat_count)]
    subnets: list[ec2.Subnet] = []
    tables: list[ec2.RouteTable] = []
    for i, cidr in enumerate(net.private_subnets):
        n = i + 1
        subnet = t.add_resource(
            ec2.Subnet(
                f"PrivateSubnet{n}",
                VpcId=vpc.ref(),
                CidrBlock=cidr,
                AvailabilityZone=az(i, names),
                MapPublicIpOnLaunch=False,
                Tags=subnet_tags(cfg, f"private-{n}", "internal-elb"),
            )
        )
        table = t.add_resource(
            ec2.RouteTable(
                f"PrivateRouteTable{n}", VpcId=vpc.ref(), Tags=name_tags(cfg, f"private-{n}")
            )
        )
        t.add_resource(
            ec2.Route(
                f"PrivateDefaultRoute{n}",
                RouteTableId=table.ref(),
                DestinationCidrBlock="0.0.0.0/0",
                NatGatewayId=nats[i % nat_count].ref(),
            )
        )
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PrivateSubnet{n}RouteTableAssociation",
                SubnetId=subnet.ref(),
                RouteTableId=table.ref(),
            )
        )
        subnets.append(subnet)
        tables.append(table)
    if net.s3_gateway_endpoint:
        t.add_resource(
            ec2.VPCEndpoint(
                "S3GatewayEndpoint",
                VpcId=vpc.ref(),
                ServiceName=Join("", ["com.amazonaws.", Region, ".s3"]),
                VpcEndpointType="Gateway",
                RouteTableIds=[rt.ref() for rt in tables],
            )
        )
    return subnets


def _nat(
    cfg: Config, t: Template, subnet: ec2.Subnet, index: int, attachment: ec2.VPCGatewayAttachment
) -> ec2.NatGateway:
    n = index + 1
    eip = t.add_resource(
        ec2.EIP(
            f"NatEip{n}",
            DependsOn=attachment.title,
            Domain="vpc",
            Tags=name_tags(cfg, f"nat-{n}"),
        )
    )
    return t.add_resource(
        ec2.NatGateway(
            f"NatGateway{n}",
            AllocationId=eip.get_att("AllocationId"),
            SubnetId=subnet.ref(),
            Tags=name_tags(cfg, f"nat-{n}"),
        )
    )
