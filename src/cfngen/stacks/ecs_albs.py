"""The sharded layout's ecs-alb stack: the cluster and every load balancer, no service.

Services live in the ecs-services-NN stacks (:mod:`ecs_shard`), which receive from here
each load balancer's listener, security groups and full name, and the blue/green test
listeners (one per test port its blue/green services use, :mod:`ecs_blue_green`).
Each load balancer has a *targets* group besides its own: every task it serves joins
it, and the load balancer's group may reach that group only, on its services' container
ports. A rule per port, not
per service, keeps the group far below AWS's 60 outbound rules whatever the number of
services; each task's own group still admits the load balancer on its port alone.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Template, ec2

from cfngen.config import Config, placement
from cfngen.contracts import EcsAlbOut, NetworkOut
from cfngen.stacks import alb_logs, ecs_alb, ecs_blue_green, ecs_routing, service_connect
from cfngen.stacks.common import add_output, add_parameter, name_tags, new_template
from cfngen.stacks.security import suppress

# The rule of a group that must reach nothing (AWS's default would allow all).
NO_TRAFFIC = service_connect.NO_EGRESS


def _targets_group(cfg: Config, vpc: object, lb: str) -> ec2.SecurityGroup:
    """The group a load balancer's tasks join (no rules of its own: membership only)."""
    sg = ec2.SecurityGroup(
        f"{EcsAlbOut.prefix(lb)}TargetsSecurityGroup",
        GroupDescription=f"{cfg.prefix} tasks behind load balancer {lb}: what it may reach",
        VpcId=vpc,
        SecurityGroupEgress=[NO_TRAFFIC],
        Tags=name_tags(cfg, f"{ecs_alb.alb_tag(lb)}-targets"),
    )
    return suppress(
        sg, {"CKV2_AWS_5": "Attached to the tasks of the services in the ecs-services stacks."}
    )


def _egress(cfg: Config, lb: str, targets: ec2.SecurityGroup) -> list[ec2.SecurityGroupRule]:
    """The load balancer to its targets group, on each container port its services use."""
    ports = sorted(
        {s.container_port for s in cfg.ecs.services if placement.load_balancer(cfg, s) == lb}
    )
    return [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            DestinationSecurityGroupId=targets.ref(),
            Description=f"Load balancer to its services' tasks on port {port}",
        )
        for port in ports
    ] or [NO_TRAFFIC]


def _service_connect(cfg: Config, t: Template, vpc: object) -> None:
    """The namespace and the members' group, for every shard's services."""
    namespace = service_connect.namespace(cfg, t)
    members = service_connect.security_group(cfg, t, vpc)
    if namespace is None or members is None:
        return
    suppress(members, {"CKV2_AWS_5": "Attached to the tasks in the ecs-services stacks."})
    add_output(
        t,
        EcsAlbOut.SERVICE_CONNECT_NAMESPACE_ARN,
        service_connect.namespace_arn(namespace),
        "ARN of the Cloud Map namespace of Service Connect",
    )
    add_output(
        t,
        EcsAlbOut.SERVICE_CONNECT_SECURITY_GROUP_ID,
        members.ref(),
        "Security group every Service Connect task joins",
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
    _service_connect(cfg, t, vpc.ref())
    scheme = "https://" if cfg.alb.certificate_arn else "http://"
    for lb in placement.load_balancer_names(cfg):
        alb, sg = ecs_alb.load_balancer(cfg, t, vpc.ref(), subnets.ref(), lb, logs)
        targets = t.add_resource(_targets_group(cfg, vpc.ref(), lb))
        sg.SecurityGroupEgress = _egress(cfg, lb, targets)
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
            EcsAlbOut.targets_security_group_id(lb),
            targets.ref(),
            f"Security group of the tasks behind {which}",
        )
        add_output(
            t,
            EcsAlbOut.full_name(lb),
            GetAtt(alb, "LoadBalancerFullName"),
            f"Full name of {which} (request-count scaling)",
        )
        for port, test in ecs_blue_green.test_listeners(cfg, t, alb, lb).items():
            add_output(
                t,
                EcsAlbOut.test_listener_arn(lb, port),
                test.ref(),
                f"Blue/green test listener of {which} on port {port}",
            )
    return t
