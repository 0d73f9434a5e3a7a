"""Rules for the layout keys: shards, load balancers, default routes and rule priorities.

Placement itself is in :mod:`cfngen.config.placement`; these rules check what the user
wrote against it. What depends on how the builders expand a config (resources per shard,
rules per listener, target groups per load balancer) is measured on the built templates
by :mod:`cfngen.stacks.quotas`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator

from cfngen.config import limits, placement
from cfngen.config.placement import AUTOMATIC_PREFIX, MAIN
from cfngen.config.schema import Config, EcsService

Written = Callable[[str], bool]
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
MAX_ECS_SHARDS = 99
MAX_ECR_SHARDS = 64
SHARDED_ONLY = (
    "is used by the sharded layout only (ecs.layout: sharded; auto is sharded above "
    f"{placement.SINGLE_MAX} services or with more than one load balancer)"
)


def check(cfg: Config, written: Written) -> list[str]:
    return [*_settings(cfg), *_load_balancers(cfg), *_services(cfg, written)]


def _settings(cfg: Config) -> Iterator[str]:
    if not 1 <= cfg.ecs.shards <= MAX_ECS_SHARDS:
        yield f"ecs.shards: {cfg.ecs.shards} is out of range; use 1-{MAX_ECS_SHARDS}"
    if not 1 <= cfg.ecr.shards <= MAX_ECR_SHARDS:
        yield f"ecr.shards: {cfg.ecr.shards} is out of range; use 1-{MAX_ECR_SHARDS}"
    if not 1 <= cfg.alb.count <= limits.ALBS_PER_REGION:
        yield (
            f"alb.count: {cfg.alb.count} is out of range; use 1-{limits.ALBS_PER_REGION} "
            "(Application Load Balancers per region)"
        )
    if not 1 <= cfg.ecs.shards_per_operation <= MAX_ECS_SHARDS:
        yield (
            f"ecs.shards_per_operation: {cfg.ecs.shards_per_operation} is out of range; "
            f"use 1-{MAX_ECS_SHARDS}"
        )
    if cfg.ecs.layout == "single" and cfg.ecs.operations == "split":
        yield (
            "ecs.operations: split moves the ecs-services-NN stacks of the sharded layout into "
            "their own top-level stacks, and ecs.layout is single; set ecs.layout: sharded "
            "(or auto), or ecs.operations: single"
        )
    if cfg.ecs.layout == "single":
        if cfg.alb.count > 1:
            yield f"alb.count: {cfg.alb.count} load balancers {SHARDED_ONLY}"
        if cfg.alb.load_balancers:
            yield f"alb.load_balancers: {SHARDED_ONLY}"


def _load_balancers(cfg: Config) -> Iterator[str]:
    seen: set[str] = set()
    for i, lb in enumerate(cfg.alb.load_balancers):
        key = f"alb.load_balancers[{i}].name"
        if not NAME_RE.match(lb.name):
            yield (
                f"{key}: {lb.name!r} is not a load balancer name (a lowercase letter, then "
                "lowercase letters, digits or hyphens; at most 20)"
            )
        elif lb.name == MAIN or (
            lb.name.startswith(AUTOMATIC_PREFIX) and lb.name[len(AUTOMATIC_PREFIX) :].isdigit()
        ):
            yield (
                f"{key}: {lb.name!r} is the name of an automatic load balancer ({MAIN}, "
                f"{AUTOMATIC_PREFIX}2 ...); choose another"
            )
        elif lb.name in seen:
            yield f"{key}: {lb.name!r} is declared twice"
        seen.add(lb.name)
    count = len(placement.load_balancer_names(cfg))
    if count > limits.ALBS_PER_REGION:
        yield (
            f"alb.load_balancers: the config makes {count} load balancers; a region holds at "
            f"most {limits.ALBS_PER_REGION} Application Load Balancers (default quota)"
        )


def _services(cfg: Config, written: Written) -> Iterator[str]:
    sharded = placement.ecs_sharded(cfg)
    known = {*placement.automatic_names(cfg), *(lb.name for lb in cfg.alb.load_balancers)}
    defaults: dict[str, list[str]] = defaultdict(list)
    for i, svc in enumerate(cfg.ecs.services):
        key = f"ecs.services[{i}]"
        if svc.load_balancer and not sharded:
            yield f"{key}.load_balancer: {SHARDED_ONLY}"
        elif svc.load_balancer and svc.load_balancer not in known:
            yield (
                f"{key}.load_balancer: {svc.load_balancer!r} is not a load balancer of this "
                f"config; use {', '.join(sorted(known))}"
            )
        if sharded and svc.priority >= placement.CATCH_ALL_PRIORITY:
            yield (
                f"{key}.priority: {svc.priority} is taken by the catch-all rule of the default "
                f"service in the sharded layout; use 1-{placement.DERIVED_MAX}"
            )
        if not svc.is_routed:
            defaults[placement.load_balancer(cfg, svc)].append(svc.name)
    if not sharded:
        return
    for lb, names in sorted(defaults.items()):
        if len(names) > 1:
            yield (
                f"ecs.services: {', '.join(names)} have neither path_patterns nor host_headers "
                f"and share load balancer {lb}; each load balancer has one default route: give "
                "the others a rule, or another load_balancer"
            )
    yield from _priorities(cfg, written)


def _priorities(cfg: Config, written: Written) -> Iterator[str]:
    """Unique written priorities per listener; overlapping rules need written priorities."""
    by_lb: dict[str, list[tuple[int, EcsService]]] = defaultdict(list)
    for i, svc in enumerate(cfg.ecs.services):
        if svc.is_routed:
            by_lb[placement.load_balancer(cfg, svc)].append((i, svc))
    for lb, members in by_lb.items():
        seen: dict[int, str] = {}
        for i, svc in members:
            if not written(f"ecs.services[{i}].priority"):
                continue
            if svc.priority in seen:
                yield (
                    f"ecs.services[{i}].priority: {svc.priority} is already used by service "
                    f"{seen[svc.priority]!r} on load balancer {lb}; listener rule priorities "
                    "must be unique"
                )
            seen[svc.priority] = svc.name
        yield from _overlaps(members, written)


def _overlaps(members: list[tuple[int, EcsService]], written: Written) -> Iterator[str]:
    """Derived priorities order rules arbitrarily: rules that can meet need written ones."""
    reported: set[int] = set()
    for a in range(len(members)):
        i, first = members[a]
        for b in range(a + 1, len(members)):
            j, second = members[b]
            both = written(f"ecs.services[{i}].priority") and written(f"ecs.services[{j}].priority")
            if both or j in reported:
                continue
            if not rules_overlap(first, second):
                continue
            reported.add(j)
            yield (
                f"ecs.services[{j}].priority: the rules of {first.name!r} and {second.name!r} "
                "can match the same request, so their order matters: write priority on both "
                "(lower is evaluated first)"
            )


def rules_overlap(a: EcsService, b: EcsService) -> bool:
    """True if some request matches both services' listener rules."""
    return _values_meet(a.path_patterns, b.path_patterns, fold=False) and _values_meet(
        a.host_headers, b.host_headers, fold=True
    )


def _values_meet(a: tuple[str, ...], b: tuple[str, ...], fold: bool) -> bool:
    """A condition absent from one rule matches anything; else some pair of values meets."""
    if not a or not b:
        return True
    return any(globs_meet(x, y, fold) for x in a for y in b)


def _literal_ends(pattern: str) -> tuple[str, str]:
    """The text before the first wildcard and after the last one."""
    cuts = [k for k, ch in enumerate(pattern) if ch in "*?"]
    if not cuts:
        return pattern, pattern
    return pattern[: cuts[0]], pattern[cuts[-1] + 1 :]


def globs_meet(a: str, b: str, fold: bool = False) -> bool:
    """True if some string matches both ALB patterns (``*`` any run, ``?`` one character).

    A walk over pairs of positions, as in the product of the two patterns' automata.
    """
    if fold:
        a, b = a.lower(), b.lower()
    (pa, sa), (pb, sb) = _literal_ends(a), _literal_ends(b)
    if not (pa.startswith(pb) or pb.startswith(pa)) or not (sa.endswith(sb) or sb.endswith(sa)):
        return False
    n, m = len(a), len(b)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == n and j == m:
            return True
        ca = a[i] if i < n else ""
        cb = b[j] if j < m else ""
        if ca == "*":
            todo.append((i + 1, j))  # a's star matches nothing more
            if cb and cb != "*":
                todo.append((i, j + 1))  # a's star takes b's character
        if cb == "*":
            todo.append((i, j + 1))
            if ca and ca != "*":
                todo.append((i + 1, j))
        if ca and cb and "*" not in (ca, cb) and (ca == cb or "?" in (ca, cb)):
            todo.append((i + 1, j + 1))
    return False
