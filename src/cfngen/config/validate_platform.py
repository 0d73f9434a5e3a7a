"""Semantic rules for the production features: routing, TLS, NAT, autoscaling, EKS access.

Kept apart from :mod:`cfngen.config.validate` so that each module stays readable; the
helpers for CIDRs and retention come from there. :func:`cfngen.config.check` runs both.
Every message names the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from cfngen.config import placement
from cfngen.config.schema import AutoscalingConfig, Config, EcsService, HealthCheckConfig
from cfngen.config.validate import cidr_problems, retention_problems
from cfngen.patterns import is_label_key, is_label_value

ACM_ARN_RE = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")
KMS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
PRINCIPAL_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")
PATH_PATTERN_RE = re.compile(r"^[A-Za-z0-9_\-.$/~\"'@:+&*?]{1,128}$")
HOST_RE = re.compile(r"^(\*\.)?[A-Za-z0-9*?-]+(\.[A-Za-z0-9*?-]+)*$")
MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
ADDON_VERSION_RE = re.compile(r"^v\d+\.\d+\.\d+(-eksbuild\.\d+)?$")

# ELB policies that negotiate TLS 1.2 or newer only (checkov CKV_AWS_103 and AWS's advice).
TLS12_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
)
MAX_RULE_VALUES = 5  # ALB: at most 5 condition values per listener rule
MAX_PRIORITY = 50000


def check(cfg: Config, written: Callable[[str], bool]) -> list[str]:
    return [
        *_network(cfg),
        *_alb(cfg),
        *_routing(cfg),
        *_ecs(cfg),
        *_ecr(cfg, written),
        *_eks(cfg),
    ]


def _network(cfg: Config) -> Iterator[str]:
    net = cfg.network
    if net.private_subnets and net.nat_gateways == "none":
        yield (
            "network.nat_gateways: 'none' leaves network.private_subnets without a route to "
            "ECR, CloudWatch Logs and the EKS API; use single or per_az, or drop private_subnets"
        )
    # checked even while disabled: a written value CloudWatch refuses is a mistake either way
    yield from retention_problems("network.flow_logs.retention_days", net.flow_logs.retention_days)


def _alb(cfg: Config) -> Iterator[str]:
    alb = cfg.alb
    if alb.certificate_arn:
        m = ACM_ARN_RE.match(alb.certificate_arn)
        if not m:
            yield (
                f"alb.certificate_arn: {alb.certificate_arn!r} is not an ACM certificate ARN "
                "(arn:aws:acm:<region>:<account>:certificate/<id>)"
            )
        elif m.group(1) != cfg.region:
            yield (
                f"alb.certificate_arn: the certificate is in {m.group(1)}; a load balancer in "
                f"{cfg.region} needs a certificate from {cfg.region}"
            )
    if alb.ssl_policy not in TLS12_POLICIES:
        yield (
            f"alb.ssl_policy: {alb.ssl_policy!r} is not a TLS 1.2+ policy; use one of "
            + ", ".join(TLS12_POLICIES)
        )
    if not 1 <= alb.idle_timeout <= 4000:
        yield f"alb.idle_timeout: {alb.idle_timeout} is out of range; use 1-4000 seconds"
    if alb.access_logs.expire_days < 0:
        days = alb.access_logs.expire_days
        yield f"alb.access_logs.expire_days: {days} is negative; use 0 or more (0 = never)"


def _routing(cfg: Config) -> Iterator[str]:
    """Several services share one listener: one default at most, unique priorities."""
    services = cfg.ecs.services
    sharded = placement.ecs_sharded(cfg)  # per load balancer: validate_placement
    unrouted = [s.name for s in services if not s.is_routed]
    if len(unrouted) > 1 and not sharded:
        yield (
            f"ecs.services: {', '.join(unrouted)} have neither path_patterns nor host_headers; "
            "only one service may take the listener's default route, give the others a rule"
        )
    seen: dict[int, str] = {}
    for i, svc in enumerate(services):
        key = f"ecs.services[{i}]"
        for field, values in (
            ("path_patterns", svc.path_patterns),
            ("host_headers", svc.host_headers),
        ):
            pattern = PATH_PATTERN_RE if field == "path_patterns" else HOST_RE
            for j, value in enumerate(values):
                if not pattern.match(value) or len(value) > 128:
                    what = (
                        "a path like /api/*"
                        if field == "path_patterns"
                        else "a host like api.example.com"
                    )
                    yield f"{key}.{field}[{j}]: {value!r} is not {what} (at most 128 characters)"
        count = len(svc.path_patterns) + len(svc.host_headers)
        if count > MAX_RULE_VALUES:
            yield (
                f"{key}: {count} path_patterns + host_headers given; an ALB rule takes at most "
                f"{MAX_RULE_VALUES}"
            )
        if not 0 <= svc.priority <= MAX_PRIORITY:
            yield (
                f"{key}.priority: {svc.priority} is out of range; use 1-{MAX_PRIORITY} "
                "(0 = by position)"
            )
            continue
        if not svc.is_routed:
            if svc.priority:
                yield (
                    f"{key}.priority: {svc.priority} given but {svc.name!r} has no rule "
                    "(no path_patterns/host_headers) to prioritise"
                )
            continue
        prio = svc.rule_priority(i)
        if sharded:
            continue
        if prio in seen:
            yield (
                f"{key}.priority: {prio} is already used by service {seen[prio]!r}; listener rule "
                "priorities must be unique (set priority explicitly)"
            )
        seen[prio] = svc.name


def _health(key: str, hc: HealthCheckConfig) -> Iterator[str]:
    if not 5 <= hc.interval_seconds <= 300:
        yield f"{key}.interval_seconds: {hc.interval_seconds} is out of range; use 5-300"
    if not 2 <= hc.timeout_seconds <= 120 or hc.timeout_seconds >= hc.interval_seconds:
        yield (
            f"{key}.timeout_seconds: {hc.timeout_seconds} is not allowed; use 2-120 and less "
            f"than interval_seconds ({hc.interval_seconds})"
        )
    for name in ("healthy_threshold", "unhealthy_threshold"):
        value = getattr(hc, name)
        if not 2 <= value <= 10:
            yield f"{key}.{name}: {value} is out of range; use 2-10"
    if not MATCHER_RE.match(hc.matcher):
        yield f"{key}.matcher: {hc.matcher!r} is not HTTP codes like 200, 200-399 or 200,204"
    if not 0 <= hc.grace_period_seconds <= 2147483647:
        yield f"{key}.grace_period_seconds: {hc.grace_period_seconds} is negative; use 0 or more"


def _autoscaling(key: str, svc: EcsService, a: AutoscalingConfig) -> Iterator[str]:
    if a.min < 0 or a.max < 1 or a.min > a.max:
        yield f"{key}: min {a.min} and max {a.max} are not allowed; use 0 <= min <= max, max >= 1"
    elif not a.min <= svc.desired_count <= a.max:
        yield (
            f"{key}: desired_count {svc.desired_count} is outside min {a.min} .. max {a.max}; "
            "start inside the scaling range"
        )
    if not a.cpu_target and not a.requests_per_target:
        yield f"{key}: give cpu_target and/or requests_per_target (both are 0)"
    if not 0 <= a.cpu_target <= 100:
        yield f"{key}.cpu_target: {a.cpu_target} is not a percentage; use 1-100 (0 = not used)"
    if a.requests_per_target < 0:
        yield f"{key}.requests_per_target: {a.requests_per_target} is negative"
    for name in ("scale_in_cooldown", "scale_out_cooldown"):
        if getattr(a, name) < 0:
            yield f"{key}.{name}: {getattr(a, name)} is negative; use 0 or more seconds"


def _ecs(cfg: Config) -> Iterator[str]:
    for i, svc in enumerate(cfg.ecs.services):
        key = f"ecs.services[{i}]"
        yield from _health(f"{key}.health_check", svc.health_check)
        if svc.autoscaling is not None:
            yield from _autoscaling(f"{key}.autoscaling", svc, svc.autoscaling)
    cp = cfg.ecs.capacity_providers
    key = "ecs.capacity_providers"
    for name in ("fargate_weight", "fargate_spot_weight", "fargate_base"):
        value = getattr(cp, name)
        if not 0 <= value <= 1000 if name != "fargate_base" else not 0 <= value <= 100000:
            yield f"{key}.{name}: {value} is out of range; use 0-1000 (fargate_base: 0-100000)"
    if cp.fargate_weight == 0 and cp.fargate_spot_weight == 0:
        yield f"{key}: fargate_weight and fargate_spot_weight are both 0; give one a weight"


def _ecr(cfg: Config, written: Callable[[str], bool]) -> Iterator[str]:
    for i, repo in enumerate(cfg.ecr.repositories):
        key = f"ecr.repositories[{i}]"
        if repo.kms_key_arn and repo.encryption != "KMS":
            yield f"{key}.kms_key_arn: needs encryption KMS (encryption is {repo.encryption})"
        if repo.kms_key_arn and not KMS_ARN_RE.match(repo.kms_key_arn):
            yield f"{key}.kms_key_arn: {repo.kms_key_arn!r} is not a KMS key or alias ARN"
        if not 0 <= repo.keep_tagged <= 10000:
            yield f"{key}.keep_tagged: {repo.keep_tagged} is out of range; use 0-10000 (0 = all)"
        if repo.expire_untagged_days < 0:
            days = repo.expire_untagged_days
            yield f"{key}.expire_untagged_days: {days} is negative; use 0 or more (0 = never)"
        # Unwritten, retain.ecr_repositories does not keep a repository that empties on
        # delete (cfngen.stacks.ecr); written true, the two contradict each other.
        if (
            repo.empty_on_delete
            and cfg.retain.ecr_repositories
            and written("retain.ecr_repositories")
        ):
            yield (
                f"{key}.empty_on_delete: true contradicts retain.ecr_repositories: true "
                "(retained repositories are never deleted); set retain.ecr_repositories: false"
            )


def _eks(cfg: Config) -> Iterator[str]:
    e = cfg.eks
    if not e.endpoint_public_access and not e.endpoint_private_access:
        yield (
            "eks: endpoint_public_access and endpoint_private_access are both false; "
            "the Kubernetes API would be unreachable, enable at least one"
        )
    yield from cidr_problems("eks.public_access_cidrs", e.public_access_cidrs, allow_empty=False)
    if len(set(e.logging)) != len(e.logging):
        yield f"eks.logging: {', '.join(e.logging)} lists a log type twice"
    if e.admin_principal_arn and not PRINCIPAL_ARN_RE.match(e.admin_principal_arn):
        yield (
            f"eks.admin_principal_arn: {e.admin_principal_arn!r} is not an IAM role or user ARN "
            "(arn:aws:iam::<account>:role/<name>)"
        )
    if (
        e.authentication_mode == "API"
        and not e.admin_principal_arn
        and not e.bootstrap_creator_admin
    ):
        yield (
            "eks.authentication_mode: API with bootstrap_creator_admin false and no "
            "admin_principal_arn leaves nobody able to administer the cluster"
        )
    names: set[str] = set()
    for i, addon in enumerate(e.addons):
        if addon.name in names:
            yield f"eks.addons[{i}].name: {addon.name!r} is listed twice"
        names.add(addon.name)
        if addon.version and not ADDON_VERSION_RE.match(addon.version):
            yield f"eks.addons[{i}].version: {addon.version!r} is not like v1.19.2-eksbuild.1"
    ng, key = e.node_group, "eks.node_group"
    for label, value in ng.labels.items():
        if not is_label_key(label) or not is_label_value(value):
            yield (
                f"{key}.labels.{label}: {label}={value!r} is not a Kubernetes label "
                "(name and value: up to 63 letters, digits, '-', '_', '.')"
            )
    for i, taint in enumerate(ng.taints):
        if not is_label_key(taint.key) or not is_label_value(taint.value):
            yield f"{key}.taints[{i}]: {taint.key}={taint.value!r} is not a valid Kubernetes taint"
    if not 1 <= ng.metadata_hop_limit <= 64:
        yield f"{key}.metadata_hop_limit: {ng.metadata_hop_limit} is out of range; use 1-64"
    boundary = cfg.iam.permissions_boundary_arn
    if boundary and not POLICY_ARN_RE.match(boundary):
        yield (
            f"iam.permissions_boundary_arn: {boundary!r} is not a managed policy ARN "
            "(arn:aws:iam::<account>:policy/<name>)"
        )
