"""Defaults that follow what the user wrote.

A fixed default that contradicts the user's own settings turns a key the user never
wrote into an error ("2 subnets given for 3 availability zones" after writing only
``availability_zones: 3``). So some defaults are derived from the rest of the file.
Each rule below applies only while its key is absent from the file, and is documented
in the README's config reference; a written key is never changed. Rules:

- ``network.public_subnets``: one subnet per AZ, the first free blocks of ``vpc_cidr``
  after its first block (/24s when the VPC has room, 10.0.1.0/24, 10.0.2.0/24 ... for
  10.0.0.0/16), skipping ranges the private subnets use.
- ``ecr.repositories``: the repositories ``ecs.services[].image`` and
  ``kubernetes.image`` name (bare names), in order of use; ``[app]`` when they name none.
- ``kubernetes.image`` / ``tag`` / ``container_port`` / ``health_check_path``: the first
  ECS service that runs an image from this config's ECR repositories with a fixed tag
  (not ``latest``) on a port the non-root pod can bind (1024 or above); when there is
  none, the public ``nginx-unprivileged`` image, which starts under the hardened pod spec
  (non-root, read-only root filesystem, port 8080), until you point it at a pushed image.
  ``kubernetes.tag`` with a written image: the tag an ECS service runs that repository
  with.
- ``kubernetes.hpa.max_replicas``: twice ``replicas``, at least 6.
- ``kubernetes.resources``: a limit is at least its written request; a request at most
  its written limit.
- ``ecs.services[].memory`` / ``cpu``: the smallest Fargate size that fits the other.
- ``ecs.services[].desired_count`` with autoscaling: 2, moved into ``min``..``max``.
- ``ecs.services[].autoscaling.cpu_target``: 70 when no target is written.
- ``ecs.services[].health_check.timeout_seconds`` / ``interval_seconds``: below / above the
  other one when only one is written.
- ``ecs.services[].priority`` of a routed service: 10 x its position, or the next free
  multiple of 10 when a written priority already takes it; in the sharded layout, derived
  from its name (:func:`cfngen.config.placement.priorities`).
- ``ecs.services[].load_balancer``: in the sharded layout, the automatic load balancer its
  name hashes to (:func:`cfngen.config.placement.load_balancer`); else ``main``.
- ``ecs.capacity_providers.fargate_spot_weight``: 1 when ``fargate_weight`` is written 0.
- ``ecr.repositories[].encryption``: KMS when ``kms_key_arn`` is written.
- ``eks.oidc_provider``: true when ``eks.pod_identity: false`` is written (IRSA needs it).
- ``eks.node_group`` sizes: ``max_size`` at least ``min_size`` and ``desired_size``,
  ``min_size`` at most ``max_size``, ``desired_size`` 2 moved into ``min``..``max``.
- a section with an ``enabled`` switch that is off by default (``network.flow_logs``,
  ``alb.access_logs``) is on when written with settings but without ``enabled``.
- ``stackset.preferences.concurrency_mode``: SOFT_FAILURE_TOLERANCE when a written count
  ``max_concurrent`` exceeds ``failure_tolerance`` + 1 (which STRICT forbids).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from cfngen.config import placement, typed_load
from cfngen.config.schema import (
    KUBE_PUBLIC_IMAGE,
    KUBE_PUBLIC_PORT,
    KUBE_PUBLIC_TAG,
    PRIORITY_STEP,
    AutoscalingConfig,
    Config,
    EcrRepository,
    EcsService,
    HealthCheckConfig,
    KubeResources,
)
from cfngen.config.validate import fargate_memory
from cfngen.config.validate_kube import cpu_millis, memory_bytes
from cfngen.config.validate_stackset import parse_amount

Written = Callable[[str], bool]

_FARGATE_CPUS = (256, 512, 1024, 2048, 4096, 8192, 16384)
_CPU_TARGET = 70


def resolve(cfg: Config, written: Written) -> Config:
    """The config with every derived default filled in (written keys untouched)."""
    cfg = _switches(cfg, written)
    cfg = _network(cfg, written)
    cfg = _services(cfg, written)
    cfg = _repositories(cfg, written)
    cfg = _kubernetes(cfg, written)
    cfg = _eks(cfg, written)
    cfg = _node_group(cfg, written)
    cfg = _capacity(cfg, written)
    return _stackset(cfg, written)


def _switches(cfg: Config, written: Written) -> Config:
    """Sections written with settings but no ``enabled`` are on (generic, by schema)."""

    def walk(obj: Any, path: str) -> Any:
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            child = f"{path}.{f.name}" if path else f.name
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                new = walk(value, child)
                enabled = getattr(new, typed_load.SWITCH, None)
                if (
                    enabled is False
                    and written(child)
                    and not written(f"{child}.{typed_load.SWITCH}")
                    and _has_settings(new, child, written)
                ):
                    new = replace(new, **{typed_load.SWITCH: True})
                if new is not value:
                    changes[f.name] = new
        return replace(obj, **changes) if changes else obj

    result: Config = walk(cfg, "")
    return result


def _has_settings(section: Any, path: str, written: Written) -> bool:
    return any(written(f"{path}.{f.name}") for f in dataclasses.fields(section))


def _network(cfg: Config, written: Written) -> Config:
    net = cfg.network
    if written("network.public_subnets"):
        return cfg
    try:
        vpc = ipaddress.ip_network(net.vpc_cidr, strict=True)
        taken = [ipaddress.ip_network(c, strict=True) for c in net.private_subnets]
    except ValueError:
        return cfg  # the rules report the bad CIDR
    if not isinstance(vpc, ipaddress.IPv4Network) or not 16 <= vpc.prefixlen <= 28:
        return cfg  # the rules report the VPC (AWS takes /16 to /28)
    count = cfg.az_count()
    if not 1 <= count <= 6:
        return cfg  # the rules report the count
    bits = math.ceil(math.log2(2 * count + 2))  # room for public and private halves
    prefix = max(24, vpc.prefixlen + bits)
    if prefix > 28:
        return cfg  # too small a VPC: the rules say so about the written vpc_cidr
    free = [
        str(block)
        for i, block in enumerate(vpc.subnets(new_prefix=prefix))
        if i > 0 and not any(t.version == 4 and block.overlaps(t) for t in taken)
    ]
    if len(free) < count:
        return cfg
    return replace(cfg, network=replace(net, public_subnets=tuple(free[:count])))


def _services(cfg: Config, written: Written) -> Config:
    services = list(cfg.ecs.services)
    explicit = {
        s.priority for i, s in enumerate(services) if written(f"ecs.services[{i}].priority")
    }
    sharded = placement.ecs_sharded(cfg)
    for i, svc in enumerate(services):
        key = f"ecs.services[{i}]"
        svc = _fargate_size(svc, key, written)
        if svc.autoscaling is not None:
            svc = _scaling(svc, key, written)
        svc = replace(svc, health_check=_health(svc.health_check, f"{key}.health_check", written))
        if svc.is_routed and not written(f"{key}.priority") and not sharded:
            prio = PRIORITY_STEP * (i + 1)
            while prio in explicit:
                prio += PRIORITY_STEP
            explicit.add(prio)
            svc = replace(svc, priority=prio)
        services[i] = svc
    placed = replace(cfg, ecs=replace(cfg.ecs, services=tuple(services)))
    return _placed(placed) if sharded else placed


def _placed(cfg: Config) -> Config:
    """Sharded layout: the priority and load balancer of each service from its name."""
    priorities = placement.priorities(cfg)
    services = [
        replace(
            svc,
            load_balancer=placement.load_balancer(cfg, svc),
            priority=priorities.get(svc.name, svc.priority),
        )
        for svc in cfg.ecs.services
    ]
    return replace(cfg, ecs=replace(cfg.ecs, services=tuple(services)))


def _fargate_size(svc: EcsService, key: str, written: Written) -> EcsService:
    cpu_set, memory_set = written(f"{key}.cpu"), written(f"{key}.memory")
    if cpu_set and not memory_set and svc.memory not in fargate_memory(svc.cpu):
        sizes = fargate_memory(svc.cpu)
        if sizes:
            return replace(svc, memory=sizes[0])
    if memory_set and not cpu_set and svc.memory not in fargate_memory(svc.cpu):
        fits = [c for c in _FARGATE_CPUS if svc.memory in fargate_memory(c)]
        if fits:
            return replace(svc, cpu=fits[0])
    return svc


def _scaling(svc: EcsService, key: str, written: Written) -> EcsService:
    a: AutoscalingConfig = svc.autoscaling  # type: ignore[assignment]
    akey = f"{key}.autoscaling"
    if not written(f"{akey}.cpu_target") and not written(f"{akey}.requests_per_target"):
        a = replace(a, cpu_target=_CPU_TARGET)
    svc = replace(svc, autoscaling=a)
    if not written(f"{key}.desired_count") and 0 <= a.min <= a.max:
        svc = replace(svc, desired_count=min(max(svc.desired_count, a.min), a.max))
    return svc


def _health(hc: HealthCheckConfig, key: str, written: Written) -> HealthCheckConfig:
    interval_set = written(f"{key}.interval_seconds")
    timeout_set = written(f"{key}.timeout_seconds")
    if interval_set and not timeout_set and hc.timeout_seconds >= hc.interval_seconds:
        return replace(hc, timeout_seconds=max(2, hc.interval_seconds - 1))
    if timeout_set and not interval_set and hc.timeout_seconds >= hc.interval_seconds:
        return replace(hc, interval_seconds=min(300, hc.timeout_seconds + 1))
    return hc


def _repositories(cfg: Config, written: Written) -> Config:
    repos = list(cfg.ecr.repositories)
    if not written("ecr.repositories"):
        used: list[str] = []
        images = [s.image for s in cfg.ecs.services]
        if written("kubernetes.image"):
            images.append(cfg.kubernetes.image)
        for image in images:
            bare = image and not any(c in image for c in "/:@")
            if bare and image not in used:
                used.append(image)
        if used:
            repos = [EcrRepository(name=n) for n in used]
    for i, repo in enumerate(repos):
        key = f"ecr.repositories[{i}]"
        if repo.kms_key_arn and not written(f"{key}.encryption"):
            repos[i] = replace(repo, encryption="KMS")
    return replace(cfg, ecr=replace(cfg.ecr, repositories=tuple(repos)))


def _followed_service(cfg: Config) -> EcsService | None:
    """The first ECS service whose image the pods can follow (see the module docstring)."""
    for svc in cfg.ecs.services:
        if (
            cfg.ecr_repository(svc.image) is not None
            and svc.tag.lower() != "latest"
            and svc.container_port >= 1024
        ):
            return svc
    return None


def _kubernetes(cfg: Config, written: Written) -> Config:
    k = cfg.kubernetes
    changes: dict[str, Any] = {}
    if not written("kubernetes.image"):
        svc = _followed_service(cfg)
        if svc is not None:
            changes["image"] = svc.image
            if not written("kubernetes.tag"):
                changes["tag"] = svc.tag
            if not written("kubernetes.container_port"):
                changes["container_port"] = svc.container_port
            if not written("kubernetes.health_check_path"):
                changes["health_check_path"] = svc.health_check_path
        else:
            changes["image"] = KUBE_PUBLIC_IMAGE
            if not written("kubernetes.tag"):
                changes["tag"] = KUBE_PUBLIC_TAG
            if not written("kubernetes.container_port"):
                changes["container_port"] = KUBE_PUBLIC_PORT
    elif not written("kubernetes.tag"):
        runs = [
            s.tag
            for s in cfg.ecs.services
            if s.image == k.image and s.tag.lower() != "latest" and "/" not in s.image
        ]
        changes["tag"] = (
            runs[0] if runs else (KUBE_PUBLIC_TAG if k.image == KUBE_PUBLIC_IMAGE else "")
        )
    if not written("kubernetes.hpa.max_replicas"):
        changes["hpa"] = replace(k.hpa, max_replicas=max(6, 2 * k.replicas))
    changes["resources"] = _kube_resources(cfg, written)
    return replace(cfg, kubernetes=replace(k, **changes))


def _kube_resources(cfg: Config, written: Written) -> KubeResources:
    r = cfg.kubernetes.resources
    key = "kubernetes.resources"
    for kind, parse in (("cpu", cpu_millis), ("memory", memory_bytes)):
        request, limit = f"{kind}_request", f"{kind}_limit"
        req_text, lim_text = getattr(r, request), getattr(r, limit)
        req, lim = parse(req_text), parse(lim_text)
        if req is None or lim is None or req <= lim:
            continue
        if written(f"{key}.{request}") and not written(f"{key}.{limit}"):
            r = replace(r, **{limit: req_text})
        elif written(f"{key}.{limit}") and not written(f"{key}.{request}"):
            r = replace(r, **{request: lim_text})
    return r


def _eks(cfg: Config, written: Written) -> Config:
    e = cfg.eks
    if not e.pod_identity and written("eks.pod_identity") and not written("eks.oidc_provider"):
        return replace(cfg, eks=replace(e, oidc_provider=True))
    return cfg


def _node_group(cfg: Config, written: Written) -> Config:
    ng = cfg.eks.node_group
    key = "eks.node_group"
    mn, mx, desired = ng.min_size, ng.max_size, ng.desired_size
    if not written(f"{key}.max_size"):
        mx = max(
            mx,
            mn if written(f"{key}.min_size") else 0,
            desired if written(f"{key}.desired_size") else 0,
        )
    if not written(f"{key}.min_size"):
        # Follow only sizes that validate accepts, so that a bad one is the one refused.
        mn = min(
            mn,
            mx if mx >= 1 else mn,
            desired if written(f"{key}.desired_size") and desired >= 0 else mn,
        )
    if not written(f"{key}.desired_size") and mn <= mx:
        desired = min(max(desired, mn), mx)
    ng = replace(ng, min_size=mn, max_size=mx, desired_size=desired)
    return replace(cfg, eks=replace(cfg.eks, node_group=ng))


def _capacity(cfg: Config, written: Written) -> Config:
    cp = cfg.ecs.capacity_providers
    key = "ecs.capacity_providers"
    spot_off = not written(f"{key}.fargate_spot_weight") and cp.fargate_spot_weight == 0
    if written(f"{key}.fargate_weight") and cp.fargate_weight == 0 and spot_off:
        cp = replace(cp, fargate_spot_weight=1)
    return replace(cfg, ecs=replace(cfg.ecs, capacity_providers=cp))


def _stackset(cfg: Config, written: Written) -> Config:
    prefs = cfg.stackset.preferences
    if written("stackset.preferences.concurrency_mode"):
        return cfg
    mc, tol = parse_amount(prefs.max_concurrent), parse_amount(prefs.failure_tolerance)
    if mc and tol and not mc[1] and not tol[1] and mc[0] > tol[0] + 1:
        prefs = replace(prefs, concurrency_mode="SOFT_FAILURE_TOLERANCE")
        return replace(cfg, stackset=replace(cfg.stackset, preferences=prefs))
    return cfg
