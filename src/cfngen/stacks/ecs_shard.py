"""One ecs-services-NN stack of the sharded layout: a shard's services, whole.

Each service brings its target group, its listener rule on its load balancer and
everything :mod:`ecs_service` adds (a blue/green one also its alternate target group and
its rule on the load balancer's test listener, :mod:`ecs_blue_green`); its tasks join
their load balancer's targets group, the only one that load balancer may reach
(:mod:`ecs_albs`).
The cluster and the load balancers come from the ecs-alb stack (:mod:`ecs_albs`) as
parameters. Which services share a shard is :func:`cfngen.config.placement.shard`: a
hash of the name, so a service's stack never changes when others come and go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from troposphere import Parameter, Template

from cfngen.config import Config, EcsService, placement
from cfngen.contracts import EcsAlbOut
from cfngen.stacks import ecs_alb, ecs_blue_green, ecs_routing, ecs_service, service_connect
from cfngen.stacks.common import add_output, add_parameter, new_template


class _LoadBalancerParams:
    """What a shard receives about one load balancer its services use."""

    def __init__(self, t: Template, lb: str, full_name: bool, test_ports: Sequence[int]) -> None:
        which = "the main load balancer" if lb == placement.MAIN else f"load balancer {lb}"
        self.listener = add_parameter(
            t, EcsAlbOut.listener_arn(lb), "String", f"Listener of {which} for the rules"
        )
        self.security_group = add_parameter(
            t,
            EcsAlbOut.security_group_id(lb),
            "AWS::EC2::SecurityGroup::Id",
            f"Security group of {which}",
        )
        self.targets = add_parameter(
            t,
            EcsAlbOut.targets_security_group_id(lb),
            "AWS::EC2::SecurityGroup::Id",
            f"Security group of the tasks behind {which}",
        )
        self.full_name: Parameter | None = (
            add_parameter(t, EcsAlbOut.full_name(lb), "String", f"Full name of {which}")
            if full_name
            else None
        )
        self.test_listeners: dict[int, object] = {
            port: add_parameter(
                t,
                EcsAlbOut.test_listener_arn(lb, port),
                "String",
                f"Blue/green test listener of {which} on port {port}",
            ).ref()
            for port in test_ports
        }


def _requests_scaling(svc: EcsService) -> bool:
    return svc.autoscaling is not None and svc.autoscaling.requests_per_target > 0


def _service_connect(cfg: Config, t: Template) -> tuple[object | None, object | None]:
    """The Service Connect namespace and members' group, when the config has them."""
    if not service_connect.enabled(cfg):
        return None, None
    namespace = add_parameter(
        t,
        EcsAlbOut.SERVICE_CONNECT_NAMESPACE_ARN,
        "String",
        "ARN of the Cloud Map namespace of Service Connect",
    )
    members = add_parameter(
        t,
        EcsAlbOut.SERVICE_CONNECT_SECURITY_GROUP_ID,
        "AWS::EC2::SecurityGroup::Id",
        "Security group every Service Connect task joins",
    )
    return namespace.ref(), members.ref()


def build(cfg: Config, number: int, services: Sequence[EcsService]) -> Template:
    """The stack of shard ``number`` holding ``services``."""
    t = new_template(cfg, f"ECS services, shard {number} of {cfg.ecs.shards}")
    shard = replace(cfg, ecs=replace(cfg.ecs, services=tuple(services)))
    p = ecs_alb.Params(shard, t, with_alb=False)
    cluster = add_parameter(t, EcsAlbOut.CLUSTER_NAME, "String", "Name of the ECS cluster")
    homes = {svc.name: placement.load_balancer(cfg, svc) for svc in services}
    albs = {
        lb: _LoadBalancerParams(
            t,
            lb,
            any(_requests_scaling(s) for s in services if homes[s.name] == lb),
            ecs_blue_green.test_ports(shard, lb),
        )
        for lb in sorted(set(homes.values()))
    }
    namespace, members = _service_connect(cfg, t)
    derived: dict[str, int] = {}  # the config's derived priorities, when one is needed
    for svc in services:
        alb = albs[homes[svc.name]]
        target_group = t.add_resource(ecs_routing.target_group(cfg, svc, p.vpc.ref()))
        alternate = (
            t.add_resource(ecs_blue_green.alternate_target_group(cfg, svc, p.vpc.ref()))
            if svc.is_blue_green
            else None
        )
        priority = svc.priority if svc.is_routed else placement.CATCH_ALL_PRIORITY
        if not priority:  # a config not resolved by cfngen.config.defaults
            derived = derived or placement.priorities(cfg)
            priority = derived[svc.name]
        rule = t.add_resource(
            ecs_routing.listener_rule(svc, alb.listener.ref(), target_group, priority, alternate)
        )
        shared = ecs_service.Shared(
            vpc=p.vpc.ref(),
            subnets=p.task_subnets.ref(),
            execution_role=p.execution_role.ref(),
            task_role=p.task_role.ref(),
            cluster=cluster.ref(),
            alb_full_name=alb.full_name.ref() if alb.full_name is not None else None,
            alb_sg=alb.security_group.ref(),
            listener=None,
            log_key=p.logs_key.ref() if p.logs_key is not None else None,
            targets_sg=alb.targets.ref(),
            namespace_arn=namespace,
            service_connect_sg=members,
            test_listeners=alb.test_listeners,
            blue_green_role=p.blue_green_role.ref() if p.blue_green_role else None,
            hook_role=p.hook_role.ref() if p.hook_role else None,
        )
        image = ecs_alb.image(shard, svc, p)
        routing = ecs_service.Routing(target_group, rule, alternate)
        service, _ = ecs_service.add(cfg, t, svc, shared, image, routing)
        add_output(
            t,
            EcsAlbOut.service_name(svc.name),
            service.get_att("Name"),
            f"Name of the {svc.name} ECS service",
        )
    return t
