"""Outbound rules of the ECS security groups, declared inline so AWS's default goes away.

A security group created without ``SecurityGroupEgress`` gets AWS's allow-all outbound
rule (0.0.0.0/0, every protocol), and separate ``AWS::EC2::SecurityGroupEgress``
resources only add to it. Declaring the rules inline makes CloudFormation remove the
default, so each group can reach exactly what is listed here:

* the load balancer: the container port of each service, to that service's task group;
* a task group: HTTPS anywhere (ECR, CloudWatch Logs, STS and other AWS APIs, and the
  image registry), DNS to the VPC resolver, and whatever ``ecs.services[].egress`` adds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from troposphere import ec2

from cfngen.config import Config, EcsService, EgressRule
from cfngen.config.validate_security import rule_key
from cfngen.stacks.common import Props

HTTPS = 443
DNS = 53
ANYWHERE = "0.0.0.0/0"
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "all": "-1"}

# cfn_nag rule ids (the scanner reads Metadata.cfn_nag.rules_to_suppress).
CFN_NAG_EGRESS_TO_WORLD = "W5"
CFN_NAG_EGRESS_ALL_PROTOCOLS = "W40"
CFN_NAG_EGRESS_PORT_RANGE = "W29"
HTTPS_TO_WORLD_REASON = (
    "Tasks reach ECR, CloudWatch Logs, STS and the image registry over HTTPS; those are "
    "public AWS endpoints (no VPC interface endpoints), so port 443 must reach any address. "
    "Nothing else leaves the group unless ecs.services[].egress lists it."
)


def resolver(cfg: Config) -> str:
    """The Amazon DNS server of the VPC: its base address plus two, as a /32."""
    net = ipaddress.ip_network(cfg.network.vpc_cidr, strict=False)
    return f"{net.network_address + 2}/32"


def _rule(
    protocol: str, port: int, to_port: int, cidr: str, description: str
) -> ec2.SecurityGroupRule:
    ip_protocol = PROTOCOLS[protocol]
    ports: Props = {} if ip_protocol == "-1" else {"FromPort": port, "ToPort": to_port or port}
    return ec2.SecurityGroupRule(
        IpProtocol=ip_protocol, CidrIp=cidr, Description=description, **ports
    )


def default_task_rules(cfg: Config) -> list[EgressRule]:
    """What every Fargate task needs to start and ship logs."""
    dns = resolver(cfg)
    return [
        EgressRule(ANYWHERE, HTTPS, 0, "tcp", "HTTPS to AWS APIs (ECR, CloudWatch Logs, STS)"),
        EgressRule(dns, DNS, 0, "udp", "DNS to the VPC resolver"),
        EgressRule(dns, DNS, 0, "tcp", "DNS over TCP to the VPC resolver"),
    ]


def effective_task_rules(cfg: Config, svc: EcsService) -> list[EgressRule]:
    """The defaults plus the service's own rules, without duplicates (EC2 refuses them)."""
    seen: set[tuple[str, int, int, str]] = set()
    rules = []
    for rule in (*default_task_rules(cfg), *svc.egress):
        if rule_key(rule) not in seen:
            seen.add(rule_key(rule))
            rules.append(rule)
    return rules


def task_rules(cfg: Config, svc: EcsService) -> list[ec2.SecurityGroupRule]:
    return [
        _rule(
            r.protocol,
            r.port,
            r.to_port,
            r.cidr,
            r.description or f"{svc.name}: ecs.services[].egress",
        )
        for r in effective_task_rules(cfg, svc)
    ]


def task_suppressions(svc: EcsService) -> dict[str, str]:
    """cfn_nag findings a task group has by design, or by the user's egress rules."""
    reasons = {CFN_NAG_EGRESS_TO_WORLD: HTTPS_TO_WORLD_REASON}
    if any(r.protocol == "all" for r in svc.egress):
        reasons[CFN_NAG_EGRESS_ALL_PROTOCOLS] = (
            f"ecs.services[{svc.name}].egress lists a rule for every protocol on purpose."
        )
    if any(r.to_port and r.to_port != r.port for r in svc.egress):
        reasons[CFN_NAG_EGRESS_PORT_RANGE] = (
            f"ecs.services[{svc.name}].egress lists a port range on purpose."
        )
    return reasons


def alb_rules(
    services: Iterable[tuple[EcsService, ec2.SecurityGroup]],
) -> list[ec2.SecurityGroupRule]:
    """The load balancer may open connections only to each task group's container port."""
    return [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=svc.container_port,
            ToPort=svc.container_port,
            DestinationSecurityGroupId=sg.ref(),
            Description=f"Load balancer to the {svc.name} tasks",
        )
        for svc, sg in services
    ]
