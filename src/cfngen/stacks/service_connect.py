"""ECS Service Connect: a Cloud Map namespace and a Service Connect proxy in every service.

With ``ecs.service_connect`` every service is both a server (its container port is
published in the namespace under its name, ``http://<name>:<port>``) and a client (its
tasks resolve the other services' names through the proxy ECS adds to them). The proxy
logs to the service's own log group (stream prefix ``<name>-service-connect``), so the
logs key and retention apply to it too.

Security groups admit exactly this traffic and nothing more: a security group of its
own (``ServiceConnectSecurityGroup``, no ingress, no egress) marks the tasks that take
part, every task joins it, and each task group then admits that group on its own
container port and may reach it only on the other services' ports. Peers are named by
that one group rather than pairwise, so the rules grow with the number of services
(one ingress rule each, one egress rule per distinct peer port), not with its square:
well inside the 60 rules a security group holds and the 500 resources of a template.
"""

from __future__ import annotations

from troposphere import GetAtt, Region, Template, ec2, ecs, logs, servicediscovery

from cfngen.config import Config, EcsService
from cfngen.naming import logical_id
from cfngen.stacks.common import Props, name_tags

NAMESPACE_TITLE = "ServiceConnectNamespace"
GROUP_TITLE = "ServiceConnectSecurityGroup"
APP_PROTOCOL = "http"
# CDK's way to keep a group from sending anything: an inline rule that matches no packet
# (ICMP type 252 code 86 to the broadcast address) replaces AWS's default allow-all.
NO_EGRESS = ec2.SecurityGroupRule(
    IpProtocol="icmp",
    FromPort=252,
    ToPort=86,
    CidrIp="255.255.255.255/32",
    Description="Disallow all traffic",
)


def enabled(cfg: Config) -> bool:
    return cfg.ecs.service_connect is not None


def port_name(svc: EcsService) -> str:
    """The task definition's port mapping name Service Connect publishes (lowercase)."""
    return svc.name.lower()


def namespace(cfg: Config, t: Template) -> servicediscovery.HttpNamespace | None:
    sc = cfg.ecs.service_connect
    if sc is None:
        return None
    return t.add_resource(
        servicediscovery.HttpNamespace(
            NAMESPACE_TITLE,
            Name=sc.namespace,
            Description=f"{cfg.prefix}: ECS Service Connect between the services",
        )
    )


def security_group(cfg: Config, t: Template, vpc: object) -> ec2.SecurityGroup | None:
    """The group every Service Connect task joins: an identity for the task groups' rules."""
    if not enabled(cfg):
        return None
    return t.add_resource(
        ec2.SecurityGroup(
            GROUP_TITLE,
            GroupDescription=f"{cfg.prefix} Service Connect members: no rules of its own, the "
            "task groups admit it on their container ports",
            VpcId=vpc,
            SecurityGroupEgress=[NO_EGRESS],
            Tags=name_tags(cfg, "service-connect"),
        )
    )


def port_mapping_props(cfg: Config, svc: EcsService) -> Props:
    """The container port's name and protocol, which Service Connect needs."""
    return {"Name": port_name(svc), "AppProtocol": APP_PROTOCOL} if enabled(cfg) else {}


def service_props(
    svc: EcsService, namespace_arn: object, log_group: logs.LogGroup
) -> ecs.ServiceConnectConfiguration:
    """Server (published as <name>:<port>) and client of the namespace, proxy logs included."""
    name = port_name(svc)
    return ecs.ServiceConnectConfiguration(
        Enabled=True,
        Namespace=namespace_arn,
        Services=[
            ecs.ServiceConnectService(
                PortName=name,
                DiscoveryName=name,
                ClientAliases=[
                    ecs.ServiceConnectClientAlias(DnsName=name, Port=svc.container_port)
                ],
            )
        ],
        LogConfiguration=ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={
                "awslogs-group": log_group.ref(),
                "awslogs-region": Region,
                "awslogs-stream-prefix": f"{svc.name}-service-connect",
            },
        ),
    )


def peer_ports(cfg: Config, svc: EcsService) -> list[int]:
    """The ports of the other services, each once: where this service's tasks may call."""
    return sorted({s.container_port for s in cfg.ecs.services if s.name != svc.name})


def task_rules(
    cfg: Config, t: Template, svc: EcsService, task_sg: ec2.SecurityGroup, group: object
) -> None:
    """In: the members, on this service's port. Out: the members, on the peers' ports.

    Separate rule resources (not inline) because they name another group; the task
    group's inline rules still replace AWS's allow-all egress default.
    """
    lid = logical_id(svc.name)
    t.add_resource(
        ec2.SecurityGroupIngress(
            f"{lid}TaskIngressFromServiceConnect",
            GroupId=task_sg.ref(),
            SourceSecurityGroupId=group,
            IpProtocol="tcp",
            FromPort=svc.container_port,
            ToPort=svc.container_port,
            Description=f"Service Connect peers to {svc.name}",
        )
    )
    for port in peer_ports(cfg, svc):
        t.add_resource(
            ec2.SecurityGroupEgress(
                f"{lid}TaskEgressToServiceConnect{port}",
                GroupId=task_sg.ref(),
                DestinationSecurityGroupId=group,
                IpProtocol="tcp",
                FromPort=port,
                ToPort=port,
                Description=f"{svc.name} to Service Connect peers on {port}",
            )
        )


def namespace_arn(ns: servicediscovery.HttpNamespace) -> GetAtt:
    return GetAtt(ns, "Arn")
