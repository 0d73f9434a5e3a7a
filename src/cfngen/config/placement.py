"""Where each service and repository goes: its stack, its load balancer, its rule priority.

Stable by construction: each is a function of the item's own name and of a few settings
(``ecs.shards``, ``ecr.shards``, ``alb.count``), never of its position in the config or
of which other items exist. Adding, removing or reordering services therefore never
moves another one (a move is a replacement: a new target group, rule and service while
the old ones still hold their names).

* **Layout.** ``single``: every service in the ``ecs-alb`` stack, every repository in
  ``ecr``, as cfngen always built them. ``sharded``: services hashed into
  ``ecs-services-NN`` stacks, repositories into ``ecr-NN`` stacks. ``auto``: single up to
  :data:`SINGLE_MAX` items (and one load balancer), sharded above. Switching moves
  everything once.
* **Shard**: 1 + SHA-256(name) mod shards.
* **Service group** (``ecs.operations: split``): shard NN is in top-level stack
  ``services-GG``, G = 1 + (NN - 1) // ``ecs.shards_per_operation``.
* **Load balancer** (sharded): the written ``load_balancer``; a service without a rule
  (the default route) goes to ``main``; else the automatic load balancer of highest
  rendezvous hash of (name, load balancer): raising ``alb.count`` from n to n+1 moves only
  the services the new one wins (about 1/(n+1)), never one between two old ones.
* **Rule priority** (sharded): the written ``priority``; else 1 + SHA-256(name) mod
  49,999 on its listener, moved to the next free value when a written priority or a
  name that sorts first holds it (rare: priorities are 1-50,000). 50,000 is the
  catch-all rule of a load balancer's default service.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from cfngen.config.schema import Config, EcsService

SINGLE_MAX = 60  # auto layout: single up to this many services (repositories)
MAIN = "main"  # the first load balancer (the only one of the single layout)
AUTOMATIC_PREFIX = "alb-"  # alb-2 ... alb-<count>: the other automatic load balancers
DERIVED_MAX = 49999
CATCH_ALL_PRIORITY = 50000  # the default service's rule on a sharded listener


def _hash(*parts: str) -> int:
    """A stable number for a name (never Python's salted hash())."""
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big")


def ecs_sharded(cfg: Config) -> bool:
    """True if services live in ecs-services-NN stacks (``ecs.operations: split`` needs them)."""
    if cfg.ecs.layout != "auto":
        return cfg.ecs.layout == "sharded"
    many_albs = cfg.alb.count > 1 or bool(cfg.alb.load_balancers)
    split = cfg.ecs.operations == "split"
    return len(cfg.ecs.services) > SINGLE_MAX or many_albs or split


FLIP_MARGIN = 0.1  # warn when an automatic choice is this close to flipping


def near(value: int, threshold: int) -> bool:
    """True if ``value`` is within :data:`FLIP_MARGIN` of an automatic ``threshold``."""
    return abs(value - threshold) <= threshold * FLIP_MARGIN


def _flip(key: str, what: str, count: int, sharded: bool) -> str:
    now, other = ("sharded", "single") if sharded else ("single", "sharded")
    edge = f"at {SINGLE_MAX} or fewer" if sharded else f"above {SINGLE_MAX}"
    return (
        f"{key}: auto makes these {count} {what} {now}, and {other} {edge}: crossing that "
        f"line moves every one of them once (a replacement); write {key}: {now} (or "
        f"{other}) to keep the choice"
    )


def flip_warnings(cfg: Config) -> list[str]:
    """Automatic layouts close to switching (which moves every service or repository)."""
    out = []
    pinned = cfg.alb.count > 1 or bool(cfg.alb.load_balancers) or cfg.ecs.operations == "split"
    count = len(cfg.ecs.services)
    if cfg.ecs.layout == "auto" and not pinned and near(count, SINGLE_MAX):
        out.append(_flip("ecs.layout", "services", count, ecs_sharded(cfg)))
    repos = len(cfg.ecr.repositories)
    if cfg.ecr.layout == "auto" and near(repos, SINGLE_MAX):
        out.append(_flip("ecr.layout", "repositories", repos, ecr_sharded(cfg)))
    return out


def ecr_sharded(cfg: Config) -> bool:
    """True if repositories live in ecr-NN stacks."""
    if cfg.ecr.layout != "auto":
        return cfg.ecr.layout == "sharded"
    return len(cfg.ecr.repositories) > SINGLE_MAX


def shard(name: str, shards: int, purpose: str = "shard") -> int:
    """The shard (1-based) of a service (or, with purpose ``ecr``, a repository)."""
    return _hash(purpose, name) % max(shards, 1) + 1


def service_shards(cfg: Config) -> dict[int, list[EcsService]]:
    """Shard number -> its services (in config order); only shards that hold one."""
    out: dict[int, list[EcsService]] = defaultdict(list)
    for svc in cfg.ecs.services:
        out[shard(svc.name, cfg.ecs.shards)].append(svc)
    return dict(sorted(out.items()))


def operation_group(shard_number: int, shards_per_operation: int) -> int:
    """The service group (top-level stack services-GG, 1-based) of ecs-services shard NN."""
    return 1 + (shard_number - 1) // max(shards_per_operation, 1)


def automatic_name(slot: int) -> str:
    """Name of automatic load balancer ``slot`` (0-based): ``main``, ``alb-2``, ..."""
    return MAIN if slot == 0 else f"{AUTOMATIC_PREFIX}{slot + 1}"


def automatic_names(cfg: Config) -> tuple[str, ...]:
    return tuple(automatic_name(slot) for slot in range(max(cfg.alb.count, 1)))


def load_balancer(cfg: Config, svc: EcsService) -> str:
    """The load balancer whose listener routes to the service."""
    if svc.load_balancer:
        return svc.load_balancer
    if not svc.is_routed or not ecs_sharded(cfg):
        return MAIN
    return max(automatic_names(cfg), key=lambda lb: (_hash("alb", svc.name, lb), lb))


def load_balancer_names(cfg: Config) -> tuple[str, ...]:
    """The load balancers the config creates: ``main`` (always), the automatic ones that
    serve a service, then the declared ones (``alb.load_balancers``), in that order."""
    used = {load_balancer(cfg, s) for s in cfg.ecs.services}
    automatic = [n for n in automatic_names(cfg) if n == MAIN or n in used]
    return (*automatic, *(lb.name for lb in cfg.alb.load_balancers))


def priorities(cfg: Config) -> dict[str, int]:
    """Service name -> listener rule priority of each routed service (sharded layout)."""
    taken: dict[str, set[int]] = defaultdict(set)
    derive: list[EcsService] = []
    out: dict[str, int] = {}
    for svc in cfg.ecs.services:
        if not svc.is_routed:
            continue
        if svc.priority:
            taken[load_balancer(cfg, svc)].add(svc.priority)
            out[svc.name] = svc.priority
        else:
            derive.append(svc)
    for svc in sorted(derive, key=lambda s: s.name):
        used = taken[load_balancer(cfg, svc)]
        prio = _hash("priority", svc.name) % DERIVED_MAX
        while prio + 1 in used:
            prio = (prio + 1) % DERIVED_MAX
        used.add(prio + 1)
        out[svc.name] = prio + 1
    return out


def repository_shards(cfg: Config) -> dict[int, list[str]]:
    """ECR shard number -> its repository names; only shards that hold one."""
    out: dict[int, list[str]] = defaultdict(list)
    for repo in cfg.ecr.repositories:
        out[shard(repo.name, cfg.ecr.shards, "ecr")].append(repo.name)
    return dict(sorted(out.items()))
