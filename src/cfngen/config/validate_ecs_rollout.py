"""Config rules for blue/green deployments and Service Connect (``ecs.services[]``, ``ecs``).

What ECS, ELB or Cloud Map would refuse, said before anything is built: blue/green
settings on a rolling service, hooks that are not Lambda functions of this region,
test listener ports that clash with production or with each other's protocol, the
catch-all rule's priority taken, a request-count autoscaling target that a traffic
swap would leave pointing at the idle target group, a namespace name Cloud Map refuses,
and security groups that the Service Connect rules would push over EC2's quota.
:func:`cfngen.config.check` runs :func:`check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfngen.config.schema import Config, EcsService
from cfngen.config.validate import cidr_problems
from cfngen.config.validate_security import DEFAULT_TASK_RULES, OUTBOUND_RULES_PER_GROUP

LAMBDA_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
# Cloud Map HTTP namespace names: letters, digits, '-', '_' and '.', at most 1024; a
# name that is also a valid DNS name keeps the option of a DNS namespace later.
NAMESPACE_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,1022}[A-Za-z0-9])?$")
PRODUCTION_PORTS = (80, 443)
MAX_BAKE_MINUTES = 1440
CATCH_ALL_PRIORITY = 50000
MAX_LISTENERS = 50  # ALB quota: listeners per load balancer


def check(cfg: Config) -> list[str]:
    return [*_blue_green(cfg), *_service_connect(cfg)]


def _blue_green(cfg: Config) -> Iterator[str]:
    ports: dict[int, str] = {}
    for i, svc in enumerate(cfg.ecs.services):
        key = f"ecs.services[{i}]"
        yield from _service(cfg, key, svc)
        if svc.is_blue_green and svc.test_listener_port:
            ports.setdefault(svc.test_listener_port, svc.name)
        if (
            svc.is_routed
            and svc.priority == CATCH_ALL_PRIORITY
            and any(s.is_blue_green and not s.is_routed for s in cfg.ecs.services)
        ):
            yield (
                f"{key}.priority: {CATCH_ALL_PRIORITY} is taken by the catch-all rule of the "
                "blue/green service without path_patterns/host_headers; use a lower one"
            )
    if len(ports) + 2 > MAX_LISTENERS:
        yield (
            f"ecs.services: {len(ports)} different test_listener_port values; a load balancer "
            f"has at most {MAX_LISTENERS} listeners (share ports between services)"
        )
    if any(s.is_blue_green for s in cfg.ecs.services):
        yield from cidr_problems("alb.test_ingress_cidrs", cfg.alb.test_ingress_cidrs)


def _service(cfg: Config, key: str, svc: EcsService) -> Iterator[str]:
    if svc.bake_time_minutes is not None and not 0 <= svc.bake_time_minutes <= MAX_BAKE_MINUTES:
        yield (
            f"{key}.bake_time_minutes: {svc.bake_time_minutes} is out of range; use "
            f"0-{MAX_BAKE_MINUTES} (ECS keeps the old revision at most a day)"
        )
    if not svc.is_blue_green:
        if svc.test_listener_port:
            yield (
                f"{key}.test_listener_port: only used with deployment_strategy: blue_green "
                f"({svc.name!r} is rolling)"
            )
        if svc.lifecycle_hooks:
            yield (
                f"{key}.lifecycle_hooks: only run with deployment_strategy: blue_green "
                f"({svc.name!r} is rolling)"
            )
        return
    port = svc.test_listener_port
    if port and not 1 <= port <= 65535:
        yield f"{key}.test_listener_port: {port} is not a port; use 1-65535"
    elif port in PRODUCTION_PORTS:
        yield (
            f"{key}.test_listener_port: {port} is a production listener port; pick another "
            "(default 8080, or 8443 with alb.certificate_arn)"
        )
    if svc.autoscaling is not None and svc.autoscaling.requests_per_target:
        yield (
            f"{key}.autoscaling.requests_per_target: counts requests of one target group, "
            "and blue/green moves the traffic to the other one at every deployment; scale "
            "on cpu_target instead"
        )
    seen: dict[str, int] = {}
    for j, hook in enumerate(svc.lifecycle_hooks):
        hkey = f"{key}.lifecycle_hooks[{j}]"
        m = LAMBDA_ARN_RE.match(hook.function_arn)
        if not m:
            yield (
                f"{hkey}.function_arn: {hook.function_arn!r} is not a Lambda function ARN "
                "(arn:aws:lambda:<region>:<account>:function:<name>)"
            )
        elif m.group(1) != cfg.region:
            yield (
                f"{hkey}.function_arn: the function is in {m.group(1)}; ECS in {cfg.region} "
                f"invokes hooks of {cfg.region} only"
            )
        if hook.function_arn in seen:
            first = seen[hook.function_arn]
            yield f"{hkey}.function_arn: also lifecycle_hooks[{first}]; merge their stages"
        seen.setdefault(hook.function_arn, j)
        if not hook.stages:
            yield f"{hkey}.stages: the list is empty; name at least one lifecycle stage"
        if len(set(hook.stages)) != len(hook.stages):
            yield f"{hkey}.stages: {', '.join(hook.stages)} lists a stage twice"


def _service_connect(cfg: Config) -> Iterator[str]:
    sc = cfg.ecs.service_connect
    if sc is None:
        return
    if not NAMESPACE_RE.match(sc.namespace):
        yield (
            f"ecs.service_connect.namespace: {sc.namespace!r} is not a Cloud Map namespace "
            "name (letters, digits, '-', '_', '.', starting and ending alphanumeric, at most "
            "1024 characters), like shop.internal"
        )
    for i, svc in enumerate(cfg.ecs.services):
        peers = {s.container_port for s in cfg.ecs.services if s.name != svc.name}
        total = DEFAULT_TASK_RULES + len(svc.egress) + len(peers)
        if total > OUTBOUND_RULES_PER_GROUP:
            yield (
                f"ecs.services[{i}].egress: {svc.name!r} needs {total} outbound rules "
                f"({DEFAULT_TASK_RULES} defaults, {len(svc.egress)} listed, {len(peers)} "
                f"Service Connect peer ports); a security group holds "
                f"{OUTBOUND_RULES_PER_GROUP} (give services the same container_port, or "
                "fewer egress rules)"
            )
