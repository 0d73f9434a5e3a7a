"""ECS native blue/green deployments (``ecs.services[].deployment_strategy: blue_green``).

ECS starts the new (green) revision beside the running (blue) one, registers it in the
service's alternate target group, shifts the test listener rule to it, runs the
lifecycle hooks, then shifts the production listener rule all at once and keeps blue
for the bake time, so a failed hook, alarm or circuit breaker rolls back instantly.
What that needs, per service: a second target group, a rule on the production listener
and one on a test listener that both forward to the two groups (100/0; ECS swaps the
weights), the role ECS uses to edit them (``AmazonECSInfrastructureRolePolicyForLoadBalancers``,
in the iam stack) and, with hooks, a role allowed to invoke exactly those functions.

Test listeners are shared by port: services with the same ``test_listener_port`` sit on
one listener of their load balancer, routed by the same conditions and priorities as in
production. They answer plain HTTP, or HTTPS with the production certificate when there
is one, and admit only ``alb.test_ingress_cidrs`` (the VPC by default). In the sharded
layout the test listeners are in ``ecs-alb`` with the load balancers (each has those of
the ports its blue/green services use) and the rules, groups and service in the
service's ``ecs-services-NN`` stack, which receives each listener's ARN.
"""

from __future__ import annotations

from troposphere import Template, ecs
from troposphere import elasticloadbalancingv2 as elb

from cfngen.config import Config, EcsService, placement
from cfngen.config.placement import MAIN
from cfngen.contracts import EcsAlbOut
from cfngen.naming import logical_id
from cfngen.stacks import ecs_routing
from cfngen.stacks.common import Props
from cfngen.stacks.security import suppress

TEST_HTTP_PORT = 8080
TEST_HTTPS_PORT = 8443
ALTERNATE = "Alternate"
DEFAULT_BAKE_MINUTES = 15  # what ECS itself uses when none is given


def services(cfg: Config, lb: str | None = None) -> list[EcsService]:
    """The blue/green services (of load balancer ``lb``, when given)."""
    return [
        s
        for s in cfg.ecs.services
        if s.is_blue_green and (lb is None or placement.load_balancer(cfg, s) == lb)
    ]


def uses_hooks(cfg: Config) -> bool:
    return any(s.lifecycle_hooks for s in services(cfg))


def test_port(cfg: Config, svc: EcsService) -> int:
    if svc.test_listener_port:
        return svc.test_listener_port
    return TEST_HTTPS_PORT if cfg.alb.certificate_arn else TEST_HTTP_PORT


def test_ports(cfg: Config, lb: str | None = None) -> list[int]:
    """The test listener ports (of load balancer ``lb``: those its services use)."""
    return sorted({test_port(cfg, s) for s in services(cfg, lb)})


def test_cidrs(cfg: Config) -> tuple[str, ...]:
    return cfg.alb.test_ingress_cidrs or (cfg.network.vpc_cidr,)


def alternate_target_group(cfg: Config, svc: EcsService, vpc: object) -> elb.TargetGroup:
    """Where ECS registers the green revision: the same settings as the primary group."""
    return ecs_routing.target_group(cfg, svc, vpc, ALTERNATE)


def test_listeners(
    cfg: Config, t: Template, alb: elb.LoadBalancer, lb: str = MAIN
) -> dict[int, elb.Listener]:
    """One listener per test port of load balancer ``lb``; a request no rule matches gets
    404. Logical IDs carry the load balancer's prefix, like its other resources."""
    out: dict[int, elb.Listener] = {}
    for port in test_ports(cfg, lb):
        tls: Props = (
            {
                "Protocol": "HTTPS",
                "SslPolicy": cfg.alb.ssl_policy,
                "Certificates": [elb.Certificate(CertificateArn=cfg.alb.certificate_arn)],
            }
            if cfg.alb.certificate_arn
            else {"Protocol": "HTTP"}
        )
        listener = elb.Listener(
            f"{EcsAlbOut.prefix(lb)}TestListener{port}",
            LoadBalancerArn=alb.ref(),
            Port=port,
            DefaultActions=[ecs_routing.not_found()],
            **tls,
        )
        if not cfg.alb.certificate_arn:
            reason = (
                "Test listener of blue/green services, reachable only from "
                "alb.test_ingress_cidrs; it serves HTTP like the production listener because "
                "no alb.certificate_arn is set (with one it is HTTPS)."
            )
            suppress(listener, {"CKV_AWS_2": reason, "CKV_AWS_103": reason})
        out[port] = t.add_resource(listener)
    return out


def test_rule(
    t: Template,
    svc: EcsService,
    listener: object,
    production: elb.ListenerRule,
    primary: elb.TargetGroup,
    alternate: elb.TargetGroup,
) -> elb.ListenerRule:
    """The rule on the test listener (its ARN: ``listener``): the production rule's
    conditions and priority, so the green revision answers there as it will in production."""
    return t.add_resource(
        elb.ListenerRule(
            f"{logical_id(svc.name)}TestListenerRule",
            ListenerArn=listener,
            Priority=production.Priority,
            Conditions=ecs_routing.conditions(svc),
            Actions=[ecs_routing.forward(primary, alternate)],
        )
    )


def bake_minutes(svc: EcsService) -> int | None:
    if svc.bake_time_minutes is not None:
        return svc.bake_time_minutes
    return DEFAULT_BAKE_MINUTES if svc.is_blue_green else None


def deployment_props(svc: EcsService, hook_role: object | None) -> Props:
    """``DeploymentConfiguration`` entries beyond the rolling defaults."""
    props: Props = {}
    bake = bake_minutes(svc)
    if bake is not None:
        props["BakeTimeInMinutes"] = bake
    if not svc.is_blue_green:
        return props
    props["Strategy"] = "BLUE_GREEN"
    if svc.lifecycle_hooks:
        props["LifecycleHooks"] = [
            ecs.DeploymentLifecycleHook(
                HookTargetArn=hook.function_arn,
                RoleArn=hook_role,
                LifecycleStages=list(hook.stages),
            )
            for hook in svc.lifecycle_hooks
        ]
    return props


def advanced(
    alternate: elb.TargetGroup,
    production_rule: elb.ListenerRule,
    test_rule_: elb.ListenerRule,
    role: object,
) -> ecs.AdvancedConfiguration:
    """What ECS shifts: the alternate group, through these two rules, with this role."""
    return ecs.AdvancedConfiguration(
        AlternateTargetGroupArn=alternate.ref(),
        ProductionListenerRule=production_rule.ref(),
        TestListenerRule=test_rule_.ref(),
        RoleArn=role,
    )
