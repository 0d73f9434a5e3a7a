"""Hypothesis strategies for config files a user could write, built from the schema.

:func:`section` turns a schema dataclass into a strategy of YAML mappings in which every
key is optional (so defaults are exercised as much as written values). How a key's value
is drawn comes from, in order: an explicit override of the calling section strategy (for
values that depend on others: subnets per AZ, Fargate sizes, routing), :data:`FIELDS`
(values that are valid on their own: names, CIDRs, ARNs), and else the key's type
(``bool``, ``Literal``, tuples of ``Literal``, nested sections, which also take the
``enabled`` shorthand). A key none of them can draw is left to its default and must be
listed in :data:`LEFT_TO_DEFAULT` with the reason: ``test_strategies_cover_the_schema``
fails for a new key until it is covered, so the properties grow with the schema.

Every strategy draws *valid* configs (by cfngen's rules and AWS's); the invalid ones are
made from them by :mod:`mutations`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
import string
import types
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from hypothesis import strategies as st

from cfngen.config import schema, typed_load
from cfngen.config.eks_versions import creatable
from cfngen.config.regions import REGIONS
from cfngen.config.validate import LOG_RETENTION_DAYS, fargate_memory
from cfngen.config.validate_platform import TLS12_POLICIES
from cfngen.naming import logical_id

TODAY = dt.date(2026, 11, 26)  # the CFNGEN_TODAY the tests pin (conftest)
Draw = Callable[[st.SearchStrategy[Any]], Any]
ACCOUNT = "123456789012"

# Keys the strategies leave to their defaults, with why (the coverage test reads this).
LEFT_TO_DEFAULT: Mapping[str, str] = {}


# -- values valid on their own -------------------------------------------------------


def dns_names(min_size: int = 1, max_size: int = 20) -> st.SearchStrategy[str]:
    """Lowercase letters and digits in single-hyphen words, starting with a letter."""
    word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
    return (
        st.tuples(st.sampled_from(string.ascii_lowercase), st.lists(word, max_size=3))
        .map(lambda t: t[0] + "".join("-" + w for w in t[1]) if t[1] else t[0])
        .filter(lambda n: min_size <= len(n) <= max_size)
    )


def label_text() -> st.SearchStrategy[str]:
    """A Kubernetes label name/value: alphanumerics at both ends, at most 63."""
    middle = st.text(string.ascii_letters + string.digits + "-_.", max_size=20)
    edge = st.sampled_from(string.ascii_letters + string.digits)
    return st.builds(lambda a, m, b: a + m + b, edge, middle, edge)


def tag_text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    alphabet = st.characters(
        categories=("L", "Nd"), include_characters=" _.:/=+-@", exclude_characters="\x85"
    )
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def tag_keys() -> st.SearchStrategy[str]:
    return tag_text(1, 128).filter(
        lambda k: not k.lower().startswith(("aws:", "cfngen:")) and k.lower() != "false"
    )


def ipv4_cidrs(min_prefix: int = 0, max_prefix: int = 32) -> st.SearchStrategy[str]:
    return st.builds(
        lambda addr, prefix: str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False)),
        st.ip_addresses(v=4),
        st.integers(min_prefix, max_prefix),
    )


def arns(service: str, resource: st.SearchStrategy[str], region: str = "") -> Any:
    return resource.map(lambda r: f"arn:aws:{service}:{region}:{ACCOUNT}:{r}")


PATHS = st.lists(
    st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=8),
    min_size=1,
    max_size=3,
).map(lambda parts: "/" + "/".join(parts))
HOSTS = st.lists(dns_names(1, 12), min_size=2, max_size=3).map(".".join)
# ECS's `user`: a name or UID, optionally :group or :GID (root included: it is allowed).
USERS = st.from_regex(
    r"([a-z_][a-z0-9_.-]{0,31}|[0-9]{1,7})(:([a-z_][a-z0-9_-]{0,8}|[0-9]{1,7}))?", fullmatch=True
)
WRITABLE_PATHS = st.lists(
    st.from_regex(r"(/[a-z0-9_@+=,~%-][a-z0-9_.@+=,~%-]{0,8}){1,4}", fullmatch=True),
    max_size=5,
    unique=True,
)
IMAGE_TAGS = st.text(string.ascii_letters + string.digits + "_.-", max_size=20).map(
    lambda t: "v" + t
)
PUBLIC_IMAGES = st.sampled_from(
    ["public.ecr.aws/nginx/nginx", "ghcr.io/acme/web", "docker.io/library/httpd"]
)
INSTANCE_TYPES = st.sampled_from(["t3.medium", "t3.large", "m6i.large", "m5.large", "c6i.xlarge"])
LABELS = st.dictionaries(label_text(), label_text(), max_size=3).filter(
    lambda d: not set(d) & {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
)

FIELDS: Mapping[str, st.SearchStrategy[Any]] = {
    "name": dns_names(1, 20),
    "environment": dns_names(1, 12),
    "tags": st.dictionaries(tag_keys(), tag_text(0, 256), max_size=6),
    "network.flow_logs.retention_days": st.sampled_from(LOG_RETENTION_DAYS),
    "alb.ingress_cidrs": st.lists(ipv4_cidrs(), min_size=1, max_size=3),
    "alb.ssl_policy": st.sampled_from(TLS12_POLICIES),
    "alb.idle_timeout": st.integers(1, 4000),
    "alb.access_logs.expire_days": st.integers(0, 3650),
    "alb.test_ingress_cidrs": st.lists(ipv4_cidrs(), max_size=3),
    "ecs.service_connect.namespace": st.lists(dns_names(1, 12), min_size=1, max_size=3).map(
        ".".join
    ),
    "kubernetes.ingress.host": HOSTS,
    "alb.count": st.integers(1, 4),
    "ecs.shards": st.integers(1, 99),
    "ecs.shards_per_operation": st.integers(1, 99),
    "ecr.shards": st.integers(1, 64),
    "ecs.log_retention_days": st.sampled_from(LOG_RETENTION_DAYS),
    "ecs.capacity_providers.fargate_base": st.integers(0, 100),
    "eks.public_access_cidrs": st.lists(ipv4_cidrs(), min_size=1, max_size=3),
    "eks.admin_principal_arn": arns("iam", dns_names(1, 30).map(lambda n: f"role/{n}")),
    "eks.log_retention_days": st.sampled_from(LOG_RETENTION_DAYS),
    "eks.node_group.instance_types": st.lists(INSTANCE_TYPES, min_size=1, max_size=3, unique=True),
    "eks.node_group.disk_size": st.integers(1, 16384),
    "eks.node_group.labels": LABELS,
    "eks.node_group.metadata_hop_limit": st.integers(1, 64),
    "eks.node_group.taints[].key": label_text(),
    "eks.node_group.taints[].value": st.one_of(st.just(""), label_text()),
    "kubernetes.replicas": st.integers(1, 5),
    "kubernetes.container_port": st.integers(1024, 65535),
    "kubernetes.health_check_path": PATHS,
    "kubernetes.labels": LABELS,
    "kubernetes.hpa.cpu_utilization": st.integers(1, 100),
    "iam.permissions_boundary_arn": dns_names(1, 30).map(
        lambda n: f"arn:aws:iam::{ACCOUNT}:policy/{n}"
    ),
    "deploy.stack_name": st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,40}\Z"),
    "deploy.template_bucket": st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,40}[a-z0-9]\Z"),
}


# -- the generic part: a section's optional keys from its type hints --------------------


def _is_dataclass(tp: Any) -> bool:
    return dataclasses.is_dataclass(tp) and isinstance(tp, type)


def _by_type(tp: Any, path: str) -> st.SearchStrategy[Any] | None:
    origin = get_origin(tp)
    if tp is bool:
        return st.booleans()
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if origin is tuple and get_origin(get_args(tp)[0]) is Literal:
        return st.lists(st.sampled_from(get_args(get_args(tp)[0])), unique=True)
    if _is_dataclass(tp):
        inner = section(tp, path)
        if get_type_hints(tp).get(typed_load.SWITCH) is bool:
            return st.one_of(st.booleans(), inner)
        return inner
    if origin in (Union, types.UnionType):
        section_tp = next((a for a in get_args(tp) if _is_dataclass(a)), None)
        if section_tp is not None:
            return st.one_of(st.just(False), section(section_tp, path))
    return None


def section(
    cls: type, path: str = "", **overrides: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """YAML mappings for a schema section; every key optional. ``overrides`` by key name."""
    hints = get_type_hints(cls)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for f in dataclasses.fields(cls):
        key = f"{path}.{f.name}" if path else f.name
        strategy = overrides.get(f.name)
        if strategy is None:
            strategy = FIELDS.get(key)
        if strategy is None:
            strategy = _by_type(hints[f.name], key)
        if strategy is None:
            continue
        target = (
            required
            if f.default is dataclasses.MISSING and (f.default_factory is dataclasses.MISSING)
            else optional
        )
        target[f.name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def covered(cls: type = schema.Config, path: str = "", **_: Any) -> list[str]:
    """Key paths :func:`section` cannot draw (for the coverage test)."""
    missing: list[str] = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{path}.{f.name}" if path else f.name
        tp = hints[f.name]
        item = get_args(tp)[0] if get_origin(tp) is tuple else tp
        nested = next(
            (a for a in (get_args(item) or (item,)) if _is_dataclass(a)),
            None,
        )
        if nested is not None:
            missing += covered(nested, key + ("[]" if get_origin(tp) is tuple else ""))
        if key in FIELDS or key in COMPOSED or key in LEFT_TO_DEFAULT:
            continue
        if _by_type(tp, key) is None and nested is None:
            missing.append(key)
    return missing


# -- sections whose keys depend on each other ------------------------------------------

# Keys drawn by the composite strategies below (not by FIELDS or their type).
COMPOSED = frozenset(
    {
        "region",
        "network.vpc_cidr",
        "network.availability_zones",
        "network.public_subnets",
        "network.private_subnets",
        "alb.certificate_arn",
        "alb.load_balancers",
        "alb.load_balancers[].name",
        "ecs.services[].load_balancer",
        "ecr.repositories[].name",
        "ecr.repositories[].kms_key_arn",
        "ecr.repositories[].keep_tagged",
        "ecr.repositories[].expire_untagged_days",
        "ecs.services[].name",
        "ecs.services[].image",
        "ecs.services[].tag",
        "ecs.services[].container_port",
        "ecs.services[].cpu",
        "ecs.services[].memory",
        "ecs.services[].desired_count",
        "ecs.services[].health_check_path",
        "ecs.services[].path_patterns",
        "ecs.services[].host_headers",
        "ecs.services[].priority",
        "ecs.services[].health_check.interval_seconds",
        "ecs.services[].health_check.timeout_seconds",
        "ecs.services[].health_check.healthy_threshold",
        "ecs.services[].health_check.unhealthy_threshold",
        "ecs.services[].health_check.matcher",
        "ecs.services[].health_check.grace_period_seconds",
        "ecs.services[].autoscaling.min",
        "ecs.services[].autoscaling.max",
        "ecs.services[].autoscaling.cpu_target",
        "ecs.services[].autoscaling.requests_per_target",
        "ecs.services[].autoscaling.scale_in_cooldown",
        "ecs.services[].autoscaling.scale_out_cooldown",
        "ecs.services[].user",
        "ecs.services[].readonly_root_filesystem",
        "ecs.services[].writable_paths",
        "ecs.services[].egress",
        "ecs.services[].egress[].cidr",
        "ecs.services[].egress[].port",
        "ecs.services[].egress[].to_port",
        "ecs.services[].egress[].description",
        "ecs.services[].bake_time_minutes",
        "ecs.services[].test_listener_port",
        "ecs.services[].lifecycle_hooks[].function_arn",
        "kubernetes.ingress.certificate_arn",
        "kubernetes.pod_identity.managed_policy_arns",
        "kubernetes.pod_identity.policy_statements",
        "kubernetes.pod_identity.policy_statements[].actions",
        "kubernetes.pod_identity.policy_statements[].resources",
        "kubernetes.pod_identity.policy_statements[].sid",
        "kubernetes.pod_identity.policy_statements[].conditions",
        "ecs.capacity_providers.fargate_weight",
        "ecs.capacity_providers.fargate_spot_weight",
        "eks.version",
        "eks.node_group.min_size",
        "eks.node_group.max_size",
        "eks.node_group.desired_size",
        "eks.addons[].version",
        "kubernetes.namespace",
        "kubernetes.image",
        "kubernetes.tag",
        "kubernetes.resources.cpu_request",
        "kubernetes.resources.memory_request",
        "kubernetes.resources.cpu_limit",
        "kubernetes.resources.memory_limit",
        "kubernetes.hpa.max_replicas",
        "stackset.name",
        "stackset.accounts",
        "stackset.organizational_units",
        "stackset.regions",
        "stackset.organization_id",
        "stackset.parameters",
        "stackset.overrides[].accounts",
        "stackset.overrides[].regions",
        "stackset.overrides[].parameters",
        "stackset.preferences.region_order",
        "stackset.preferences.max_concurrent",
        "stackset.preferences.failure_tolerance",
    }
)


def _maybe(draw: Draw, out: dict[str, Any], key: str, value: Any, p: bool = True) -> None:
    """Write ``key`` (or leave it to its default) as hypothesis decides."""
    if p and draw(st.booleans()):
        out[key] = value


@st.composite
def networks(draw: Draw, region: str) -> dict[str, Any]:
    """AZs by count or by name (within the region's table), a 10.x VPC, subnets written
    or derived, private subnets with a NAT mode."""
    usable = REGIONS[region]
    out: dict[str, Any] = draw(section(schema.NetworkConfig, "network"))
    for key in ("vpc_cidr", "availability_zones", "public_subnets", "private_subnets"):
        out.pop(key, None)
    count = draw(st.integers(2, min(6, usable.usable)))
    style = draw(st.sampled_from(["default", "count", "names"]))
    if style == "default":
        count = 2
    elif style == "count":
        out["availability_zones"] = count
    else:
        out["availability_zones"] = draw(
            st.lists(
                st.sampled_from(usable.zone_names(region)),
                min_size=count,
                max_size=count,
                unique=True,
            )
        )
    prefix, second = draw(st.integers(16, 20)), draw(st.integers(0, 255))
    vpc = ipaddress.ip_network(f"10.{second}.0.0/{prefix}", strict=False)
    if str(vpc) != "10.0.0.0/16" or draw(st.booleans()):
        out["vpc_cidr"] = str(vpc)
    blocks = list(vpc.subnets(new_prefix=24))[1:]
    chosen = draw(st.permutations(range(len(blocks))))
    private = draw(st.booleans())
    if draw(st.booleans()):
        out["public_subnets"] = [str(blocks[i]) for i in chosen[:count]]
    if private:
        out["private_subnets"] = [str(blocks[i]) for i in chosen[count : 2 * count]]
        if draw(st.booleans()):
            out["nat_gateways"] = draw(st.sampled_from(["single", "per_az"]))
        else:
            out.pop("nat_gateways", None)
    return out


@st.composite
def albs(draw: Draw, region: str) -> dict[str, Any]:
    out: dict[str, Any] = draw(section(schema.AlbConfig, "alb", load_balancers=st.just([])))
    out.pop("certificate_arn", None)
    out.pop("load_balancers", None)
    if draw(st.booleans()):
        names = draw(st.lists(dns_names(1, 20), min_size=1, max_size=2, unique=True))
        out["load_balancers"] = [
            {"name": n} for n in names if n != "main" and not re.match(r"^alb-\d+$", n)
        ]
    if draw(st.booleans()):
        cert = draw(st.uuids()).hex
        out["certificate_arn"] = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{cert}"
    return out


def _unique_by_logical_id(names: list[str]) -> bool:
    ids = [logical_id(n) for n in names]
    return len(set(ids)) == len(ids)


REPOSITORY_NAMES = st.lists(dns_names(1, 12), min_size=1, max_size=4, unique_by=logical_id).filter(
    _unique_by_logical_id
)


@st.composite
def repositories(draw: Draw, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        repo = draw(section(schema.EcrRepository, "ecr.repositories[]", name=st.just(name)))
        repo.pop("kms_key_arn", None)
        if repo.get("encryption") == "KMS" and draw(st.booleans()):
            repo["kms_key_arn"] = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{draw(st.uuids())}"
        _maybe(draw, repo, "keep_tagged", draw(st.integers(0, 10000)))
        _maybe(draw, repo, "expire_untagged_days", draw(st.integers(0, 3650)))
        out.append(repo)
    return out


RULE_TEXT = st.text(string.ascii_letters + string.digits + " ._-:/()#,@[]+=&;{}!$*", max_size=60)


@st.composite
def egress_rules(draw: Draw) -> list[dict[str, Any]]:
    rules: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _ in range(draw(st.integers(1, 4))):
        rule: dict[str, Any] = {"cidr": draw(ipv4_cidrs())}
        protocol = draw(st.sampled_from(["tcp", "udp", "all", None]))
        if protocol == "all":
            rule["protocol"] = "all"
        else:
            if protocol:
                rule["protocol"] = protocol
            rule["port"] = draw(st.integers(1, 65535))
            _maybe(draw, rule, "to_port", draw(st.integers(rule["port"], 65535)))
        _maybe(draw, rule, "description", draw(RULE_TEXT))
        key = (rule.get("protocol", "tcp"), rule.get("port"), rule.get("to_port"), rule["cidr"])
        rules.setdefault(key, rule)
    return list(rules.values())


@st.composite
def health_checks(draw: Draw) -> dict[str, Any]:
    """Interval and timeout written together (timeout below interval) or alone (the other
    follows)."""
    interval = draw(st.integers(5, 300))
    timeout = draw(st.integers(2, min(120, interval - 1)))
    out: dict[str, Any] = {}
    which = draw(st.sampled_from(["both", "interval", "timeout", "none"]))
    if which in ("both", "interval"):
        out["interval_seconds"] = interval
    if which in ("both", "timeout"):
        out["timeout_seconds"] = timeout
    _maybe(draw, out, "healthy_threshold", draw(st.integers(2, 10)))
    _maybe(draw, out, "unhealthy_threshold", draw(st.integers(2, 10)))
    _maybe(draw, out, "matcher", draw(st.sampled_from(["200", "200-399", "200,204", "301"])))
    _maybe(draw, out, "grace_period_seconds", draw(st.integers(0, 3600)))
    return out


@st.composite
def autoscalings(draw: Draw, desired: int) -> dict[str, Any]:
    low = draw(st.integers(0, desired))
    high = draw(st.integers(max(desired, 1), desired + 20))
    out: dict[str, Any] = {"min": low, "max": high}
    _maybe(draw, out, "cpu_target", draw(st.integers(1, 100)))
    _maybe(draw, out, "requests_per_target", draw(st.integers(1, 100000)))
    _maybe(draw, out, "scale_in_cooldown", draw(st.integers(0, 3600)))
    _maybe(draw, out, "scale_out_cooldown", draw(st.integers(0, 3600)))
    return out


FARGATE_SIZES = [(cpu, mem) for cpu in (256, 512, 1024, 2048, 4096) for mem in fargate_memory(cpu)]


LIFECYCLE_STAGES = get_args(schema.LifecycleStage)


@st.composite
def blue_green(draw: Draw, svc: dict[str, Any], region: str) -> None:
    """Blue/green keys of one service: bake time, test listener port, lifecycle hooks."""
    svc["deployment_strategy"] = "blue_green"
    _maybe(draw, svc, "bake_time_minutes", draw(st.integers(0, 1440)))
    _maybe(draw, svc, "test_listener_port", draw(st.sampled_from([8080, 8443, 9090, 10000])))
    hooks = []
    for i in range(draw(st.integers(0, 2))):
        hook: dict[str, Any] = {
            "function_arn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{svc['name']}-{i}"
        }
        stages = st.lists(st.sampled_from(LIFECYCLE_STAGES), min_size=1, max_size=3, unique=True)
        _maybe(draw, hook, "stages", draw(stages))
        hooks.append(hook)
    if hooks:
        svc["lifecycle_hooks"] = hooks
    scaling = svc.get("autoscaling")
    if scaling and scaling.pop("requests_per_target", None) and "cpu_target" not in scaling:
        scaling["cpu_target"] = 60  # request counts follow one target group: refused here


@st.composite
def services(
    draw: Draw,
    repos: list[str],
    max_services: int,
    region: str = "us-east-1",
    albs: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """``albs``: the sharded layout's load balancers (empty: the single layout). There,
    derived priorities order rules arbitrarily, so every rule has a written one."""
    names = draw(
        st.lists(
            st.from_regex(r"\A[A-Za-z][A-Za-z0-9_-]{0,31}\Z"),
            min_size=1,
            max_size=max_services,
            unique_by=logical_id,
        ).filter(_unique_by_logical_id)
    )
    default_route = draw(st.one_of(st.none(), st.integers(0, len(names) - 1)))
    priorities = iter(draw(st.permutations(range(1, 50001, 7)))[: len(names)])
    out = []
    for i, name in enumerate(names):
        svc: dict[str, Any] = {"name": name}
        if repos and draw(st.booleans()):
            svc["image"] = draw(st.sampled_from(repos))
        else:
            svc["image"] = draw(PUBLIC_IMAGES)
        _maybe(draw, svc, "tag", draw(IMAGE_TAGS))
        _maybe(draw, svc, "container_port", draw(st.integers(1, 65535)))
        cpu, memory = draw(st.sampled_from(FARGATE_SIZES))
        _maybe(draw, svc, "cpu", cpu)  # alone, the memory follows it (and the reverse)
        _maybe(draw, svc, "memory", memory)
        desired = draw(st.integers(0, 10))
        _maybe(draw, svc, "desired_count", desired)
        _maybe(draw, svc, "health_check_path", draw(PATHS))
        if i != default_route:
            values = draw(st.integers(1, 5))
            paths = draw(st.integers(0, values))
            if paths:
                svc["path_patterns"] = draw(st.lists(PATHS, min_size=paths, max_size=paths))
            if values - paths:
                svc["host_headers"] = draw(
                    st.lists(HOSTS, min_size=values - paths, max_size=values - paths)
                )
            _maybe(draw, svc, "priority", next(priorities), p=not albs)
            if albs:
                svc["priority"] = next(priorities)
                _maybe(draw, svc, "load_balancer", draw(st.sampled_from(albs)))
        _maybe(draw, svc, "health_check", draw(health_checks()))
        if draw(st.booleans()):
            svc["autoscaling"] = draw(autoscalings(svc.get("desired_count", 2)))
        _maybe(draw, svc, "enable_execute_command", draw(st.booleans()))
        _maybe(draw, svc, "user", draw(USERS))
        _maybe(draw, svc, "readonly_root_filesystem", draw(st.booleans()))
        _maybe(draw, svc, "writable_paths", draw(WRITABLE_PATHS))
        if draw(st.booleans()):
            svc["egress"] = draw(egress_rules())
        if draw(st.booleans()):
            draw(blue_green(svc, region))
        else:
            _maybe(draw, svc, "deployment_strategy", "rolling")
            _maybe(draw, svc, "bake_time_minutes", draw(st.integers(0, 1440)))
        out.append(svc)
    return out


@st.composite
def node_groups(draw: Draw) -> dict[str, Any]:
    out: dict[str, Any] = draw(section(schema.NodeGroupConfig, "eks.node_group"))
    low = draw(st.integers(0, 5))
    high = draw(st.integers(max(low, 1), 10))
    desired = draw(st.integers(low, high))
    for key, value in (("min_size", low), ("max_size", high), ("desired_size", desired)):
        _maybe(draw, out, key, value)
    if out.get("taints"):
        out["taints"] = out["taints"][:3]
    return out


@st.composite
def eks_sections(draw: Draw) -> dict[str, Any]:
    out: dict[str, Any] = draw(
        section(
            schema.EksConfig,
            "eks",
            node_group=node_groups(),
            addons=st.lists(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(get_args(get_type_hints(schema.EksAddon)["name"]))},
                    optional={
                        "version": st.from_regex(
                            r"\Av[1-9]\.[0-9]{1,2}\.[0-9](-eksbuild\.[1-9])?\Z"
                        )
                    },
                ),
                max_size=4,
                unique_by=lambda a: a["name"],
            ),
        )
    )
    _maybe(draw, out, "version", draw(st.sampled_from(creatable(TODAY))))
    if not out.get("endpoint_public_access", True) and not out.get("endpoint_private_access", True):
        out["endpoint_private_access"] = True
    if (
        out.get("authentication_mode") == "API"
        and out.get("bootstrap_creator_admin") is False
        and "admin_principal_arn" not in out
    ):
        out["bootstrap_creator_admin"] = True
    if out.get("auto_mode") is True:  # its nodes run these themselves
        built_in = ("vpc-cni", "kube-proxy", "coredns")
        out["addons"] = [a for a in out.get("addons", []) if a["name"] not in built_in]
    if out.get("pod_identity") is False:  # IRSA instead: the OIDC provider follows
        if out.get("oidc_provider") is False:
            del out["oidc_provider"]
        out["addons"] = [a for a in out.get("addons", []) if a["name"] != "eks-pod-identity-agent"]
    return out


KUBE_QUANTITIES = {
    "cpu": ["50m", "100m", "250m", "500m", "1", "2"],
    "memory": ["64Mi", "128Mi", "256Mi", "512Mi", "1Gi"],
}


MANAGED_POLICIES = [
    f"arn:aws:iam::aws:policy/{n}"
    for n in ("AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess", "CloudWatchAgentServerPolicy")
]
ACTIONS = st.sampled_from(["s3:GetObject", "s3:*", "sqs:SendMessage", "kms:Decrypt", "ssm:Get*"])
RESOURCES = st.sampled_from(
    ["*", "arn:aws:s3:::orders/*", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", "arn:aws:kms:*:*:key/*"]
)
CONDITIONS = st.sampled_from(
    [
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"aws:ResourceTag/team": ["shop", "ops"]}},
        {"ForAnyValue:StringLike": {"s3:prefix": "home/*"}},
    ]
)


@st.composite
def pod_identities(draw: Draw) -> dict[str, Any]:
    """Managed policies and/or statements (at least one: a role with nothing is refused)."""
    out: dict[str, Any] = {}
    managed = draw(st.lists(st.sampled_from(MANAGED_POLICIES), max_size=3, unique=True))
    statements = []
    for i in range(draw(st.integers(0 if managed else 1, 3))):
        statement: dict[str, Any] = {
            "actions": draw(st.lists(ACTIONS, min_size=1, max_size=3, unique=True)),
            "resources": draw(st.lists(RESOURCES, min_size=1, max_size=2, unique=True)),
        }
        _maybe(draw, statement, "effect", draw(st.sampled_from(["Allow", "Deny"])))
        _maybe(draw, statement, "sid", f"S{i}")
        _maybe(draw, statement, "conditions", draw(CONDITIONS))
        statements.append(statement)
    if managed:
        out["managed_policy_arns"] = managed
    if statements:
        out["policy_statements"] = statements
    return out


@st.composite
def kubernetes_sections(draw: Draw, repos: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = draw(
        section(
            schema.KubernetesConfig,
            "kubernetes",
            pod_identity=st.one_of(st.just(False), pod_identities()),
        )
    )
    _maybe(
        draw,
        out,
        "namespace",
        draw(dns_names(1, 30).filter(lambda n: n not in schema.SYSTEM_NAMESPACES)),
    )
    choice = draw(st.sampled_from(["default", "repo", "public"]))
    if choice == "repo" and repos:
        out["image"] = draw(st.sampled_from(repos))
        out["tag"] = draw(IMAGE_TAGS)
    elif choice == "public":
        out["image"] = "public.ecr.aws/nginx/nginx-unprivileged"
        _maybe(draw, out, "tag", draw(IMAGE_TAGS))
    replicas = out.get("replicas", 2)
    _maybe(draw, out, "hpa", {"max_replicas": draw(st.integers(replicas, replicas + 10))})
    resources: dict[str, str] = {}
    for kind, values in KUBE_QUANTITIES.items():
        low, high = sorted(draw(st.lists(st.integers(0, len(values) - 1), min_size=2, max_size=2)))
        _maybe(draw, resources, f"{kind}_request", values[low])  # alone, the other follows
        _maybe(draw, resources, f"{kind}_limit", values[high])
    if resources:
        out["resources"] = resources
    return out


@st.composite
def stacksets(draw: Draw) -> dict[str, Any]:
    out: dict[str, Any] = draw(section(schema.StackSetConfig, "stackset"))
    regions = draw(st.lists(st.sampled_from(sorted(REGIONS)), max_size=3, unique=True))
    if out.get("permission_model") == "service-managed":
        out["organizational_units"] = draw(
            st.lists(st.from_regex(r"\Aou-[a-z0-9]{4}-[a-z0-9]{8}\Z"), max_size=2, unique=True)
        )
    else:
        out["accounts"] = draw(st.lists(st.from_regex(r"\A[0-9]{12}\Z"), max_size=3, unique=True))
    if regions:
        out["regions"] = regions
    _maybe(draw, out, "name", draw(st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,40}\Z")))
    _maybe(draw, out, "organization_id", draw(st.from_regex(r"\Ao-[a-z0-9]{10}\Z")))
    out.pop("overrides", None)
    out.pop("parameters", None)
    prefs: dict[str, Any] = out.pop("preferences", None) or {}
    if isinstance(prefs, dict):
        tolerance = draw(st.integers(0, 5))
        _maybe(draw, prefs, "failure_tolerance", tolerance)
        # STRICT (written) allows at most failure_tolerance + 1 at once; unwritten, the mode
        # follows a larger count (SOFT).
        strict = prefs.get("concurrency_mode") == "STRICT_FAILURE_TOLERANCE"
        most = prefs.get("failure_tolerance", 0) + 1 if strict else tolerance + 1
        _maybe(draw, prefs, "max_concurrent", draw(st.integers(1, most)))
        if regions and draw(st.booleans()):
            prefs["region_order"] = draw(st.permutations(regions))
        if prefs:
            out["preferences"] = prefs
    return out


def _ingress(draw: Draw, out: dict[str, Any], region: str) -> None:
    """An Ingress needs Auto Mode; internal needs private subnets; a certificate of the region."""
    kube, eks = out["kubernetes"], out.get("eks") or {}
    ingress = kube.get("ingress")
    auto = isinstance(eks, dict) and eks.get("auto_mode") is True
    if ingress in (None, False) or (isinstance(ingress, dict) and ingress.get("enabled") is False):
        return
    if not auto:
        kube.pop("ingress")
        return
    if not isinstance(ingress, dict):
        return
    private = isinstance(out.get("network"), dict) and out["network"].get("private_subnets")
    if ingress.get("scheme") == "internal" and not private:
        ingress.pop("scheme")
    if draw(st.booleans()):
        ingress["certificate_arn"] = (
            f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{draw(st.uuids())}"
        )


@st.composite
def configs(draw: Draw, max_services: int = 4) -> dict[str, Any]:
    """A whole valid config file as a YAML mapping."""
    region = draw(st.sampled_from(sorted(REGIONS)))
    out: dict[str, Any] = draw(
        section(
            schema.Config,
            alb=albs(region),
            network=networks(region),
            ecr=st.just({}),
            ecs=st.just({}),
            eks=eks_sections(),
            kubernetes=st.just({}),
            stackset=stacksets(),
        )
    )
    if region != "us-east-1" or draw(st.booleans()):
        out["region"] = region
    if out.get("retain") is not None and not isinstance(out["retain"], dict):
        out.pop("retain")
    repos = draw(REPOSITORY_NAMES) if draw(st.booleans()) else []
    if repos:
        out["ecr"] = {"repositories": draw(repositories(repos))}
    ecs: dict[str, Any] = draw(section(schema.EcsConfig, "ecs", services=st.just([])))
    ecs.pop("services", None)
    alb = out.get("alb", {})
    if ecs.get("layout") == "single":
        alb.pop("count", None)
        alb.pop("load_balancers", None)
        if ecs.get("operations") == "split":  # split needs the sharded layout
            ecs.pop("operations")
    sharded = ecs.get("layout") == "sharded" or (
        ecs.get("layout", "auto") == "auto"
        and (
            alb.get("count", 1) > 1
            or bool(alb.get("load_balancers"))
            or ecs.get("operations") == "split"
        )
    )
    lbs = ("main", *(f"alb-{k}" for k in range(2, alb.get("count", 1) + 1)))
    lbs += tuple(lb["name"] for lb in alb.get("load_balancers", []))
    if draw(st.booleans()):
        ecs["services"] = draw(
            services(repos or ["app"], max_services, region, lbs if sharded else ())
        )
        if not repos:  # services name repositories: the default follows them
            out.pop("ecr", None)
    cp = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "fargate_weight": st.integers(0, 5),
                "fargate_spot_weight": st.integers(1, 5),
            },
        )
    )
    if cp:
        ecs["capacity_providers"] = cp
    if ecs:
        out["ecs"] = ecs
    if draw(st.booleans()):
        out["kubernetes"] = draw(kubernetes_sections(repos))
        _ingress(draw, out, region)
    else:
        out.pop("kubernetes", None)
    if any(r.get("empty_on_delete") for r in out.get("ecr", {}).get("repositories", [])):
        retain = out.get("retain")
        if isinstance(retain, dict) and retain.get("ecr_repositories") is True:
            retain["ecr_repositories"] = False
    return out
