"""The sharded layout's ecs-alb stack: the cluster and every load balancer, no service.

Services live in the ecs-services-NN stacks (:mod:`ecs_shard`), which receive from here
each load balancer's listener, security group and full name. A load balancer's group
cannot list its egress to task groups that live in other stacks, so it declares one rule
that matches no traffic (which removes AWS's allow-all default), and each service's stack
adds the one rule from the load balancer to its tasks.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Template, ec2

from cfngen.config import Config, placement
from cfngen.contracts import EcsAlbOut, NetworkOut
from cfngen.stacks import alb_logs, ecs_alb, ecs_routing
from cfngen.stacks.common import add_output, add_parameter, new_template

# No traffic matches ICMP type 252 code 86 to 255.255.255.255 (the rule AWS CDK uses).
NO_TRAFFIC = ec2.SecurityGroupRule(
    IpProtocol="icmp",
    FromPort=252,
    ToPort=86,
    CidrIp="255.255.255.255/32",
    Description="No traffic: the rules to the task groups are in the ecs-services stacks",
)


def build(cfg: Config) -> Template:
    t = new_template(cfg, "ECS cluster and the Application Load Balancers of its services")
    vpc = add_parameter(t, NetworkOut.VPC_ID, "AWS::EC2::VPC::Id", "VPC of the services")
    subnets = add_parameter(
        t,
        NetworkOut.PUBLIC_SUBNET_IDS,
        "List<AWS::EC2::Subnet::Id>",
        "Public subnets (one per AZ) for the load balancers",
    )
    logs = alb_logs.add(cfg, t) if cfg.alb.access_logs.enabled else None
    cluster = t.add_resource(ecs_alb.ecs_cluster(cfg))
    add_output(t, EcsAlbOut.CLUSTER_NAME, cluster.ref(), "Name of the ECS cluster")
    scheme = "https://" if cfg.alb.certificate_arn else "http://"
    for lb in placement.load_balancer_names(cfg):
        alb, sg = ecs_alb.load_balancer(cfg, t, vpc.ref(), subnets.ref(), lb, logs)
        sg.SecurityGroupEgress = [NO_TRAFFIC]
        listener = ecs_routing.listeners(cfg, t, alb, None, EcsAlbOut.prefix(lb))[-1]
        which = "the load balancer" if lb == placement.MAIN else f"load balancer {lb}"
        dns = GetAtt(alb, "DNSName")
        add_output(t, EcsAlbOut.dns_name(lb), dns, f"DNS name of {which}")
        add_output(t, EcsAlbOut.url(lb), Join("", [scheme, dns]), f"URL of {which}")
        add_output(
            t, EcsAlbOut.listener_arn(lb), listener.ref(), f"Listener of {which}'s service rules"
        )
        add_output(t, EcsAlbOut.security_group_id(lb), sg.ref(), f"Security group of {which}")
        add_output(
            t,
            EcsAlbOut.full_name(lb),
            GetAtt(alb, "LoadBalancerFullName"),
            f"Full name of {which} (request-count scaling)",
        )
    return t
