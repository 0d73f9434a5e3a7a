"""Typed configuration: YAML in, frozen dataclasses out, every problem reported at once.

The dataclasses below are the single description of the config file: the loader
walks their type hints, so adding a key is adding a field (with a default and a
``doc``), and the README's config reference is checked against them by a test.
Semantic rules (CIDRs, names, Fargate sizes ...) live in :mod:`cfngen.validate`.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml


class ConfigError(Exception):
    """Raised with one line per problem; the CLI prints them and exits 2."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__("\n".join(head + p for p in problems))


def doc(text: str, default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    """A dataclass field with a user-facing description (used by the docs test)."""
    if isinstance(default, list | dict):
        raise TypeError("use default_factory for mutable defaults")
    return field(default=default, metadata={"doc": text}, **kw)


def doc_factory(text: str, factory: Any) -> Any:
    return field(default_factory=factory, metadata={"doc": text})


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class NetworkConfig:
    vpc_cidr: str = doc("IPv4 CIDR of the VPC.", "10.0.0.0/16")
    availability_zones: int | tuple[str, ...] = doc(
        "How many AZs to spread over (picked with Fn::GetAZs), or a list of AZ names.", 2
    )
    public_subnets: tuple[str, ...] = doc(
        "One public subnet CIDR per AZ, inside vpc_cidr.", ("10.0.1.0/24", "10.0.2.0/24")
    )


@dataclass(frozen=True)
class AlbConfig:
    ingress_cidrs: tuple[str, ...] = doc(
        "CIDRs allowed to reach the load balancer's listener.", ("0.0.0.0/0",)
    )


@dataclass(frozen=True)
class EcrRepository:
    name: str = doc("Repository name suffix; the full name is <name>-<environment>/<this>.")


@dataclass(frozen=True)
class EcrConfig:
    repositories: tuple[EcrRepository, ...] = doc(
        "ECR repositories to create.", (EcrRepository(name="app"),)
    )


@dataclass(frozen=True)
class EcsService:
    name: str = doc("Service name (letters, digits, hyphens; unique).")
    image: str = doc(
        "An ECR repository name from ecr.repositories, or a full image URI "
        "(registry/path, optionally with :tag or @digest)."
    )
    tag: str = doc("Image tag; ignored when image already carries a tag or digest.", "latest")
    container_port: int = doc("Port the container listens on.", 80)
    cpu: int = doc("Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).", 256)
    memory: int = doc("Fargate task memory in MiB; must be valid for cpu.", 512)
    desired_count: int = doc("Number of tasks to run.", 2)
    health_check_path: str = doc("HTTP path the target group checks.", "/")


@dataclass(frozen=True)
class EcsConfig:
    services: tuple[EcsService, ...] = doc(
        "Fargate services behind the ALB.",
        (EcsService(name="web", image="public.ecr.aws/nginx/nginx", tag="stable"),),
    )
    log_retention_days: int = doc("CloudWatch Logs retention of the service log groups.", 30)


@dataclass(frozen=True)
class NodeGroupConfig:
    instance_types: tuple[str, ...] = doc("EC2 instance types of the node group.", ("t3.medium",))
    min_size: int = doc("Minimum number of nodes.", 1)
    max_size: int = doc("Maximum number of nodes.", 3)
    desired_size: int = doc("Desired number of nodes (min_size <= desired_size <= max_size).", 2)
    disk_size: int = doc("Root volume size of each node in GiB.", 20)


@dataclass(frozen=True)
class EksConfig:
    version: str = doc("Kubernetes version of the cluster (major.minor).", "1.33")
    node_group: NodeGroupConfig = doc_factory("The managed node group.", NodeGroupConfig)


@dataclass(frozen=True)
class KubeResources:
    cpu_request: str = doc("CPU the scheduler reserves per pod (Kubernetes quantity).", "100m")
    memory_request: str = doc("Memory the scheduler reserves per pod.", "128Mi")
    cpu_limit: str = doc("CPU limit per pod (throttled above it).", "500m")
    memory_limit: str = doc("Memory limit per pod (killed above it).", "256Mi")


@dataclass(frozen=True)
class HpaConfig:
    max_replicas: int = doc("Most pods the HorizontalPodAutoscaler scales out to.", 6)
    cpu_utilization: int = doc(
        "Average CPU use (percent of cpu_request) the autoscaler aims for.", 70
    )


@dataclass(frozen=True)
class KubernetesConfig:
    namespace: str = doc("Namespace of the app's objects; default: the config's name.", "")
    image: str = doc("ECR repository name from ecr.repositories whose image the pods run.", "app")
    tag: str = doc("Image tag (or sha256:<digest>) to run; 'latest' is refused.", "0.1.0")
    replicas: int = doc(
        "Pods always running: the autoscaler's minimum. The Deployment carries no replica "
        "count of its own, so re-applying never undoes a scale-out.",
        2,
    )
    container_port: int = doc(
        "Port the container listens on (the Service sends port 80 there).", 8080
    )
    health_check_path: str = doc("HTTP path of the readiness and liveness probes.", "/")
    labels: dict[str, str] = doc_factory("Extra labels on every object and pod.", dict)
    resources: KubeResources = doc_factory(
        "Requests and limits of the app container.", KubeResources
    )
    hpa: HpaConfig = doc_factory("The HorizontalPodAutoscaler.", HpaConfig)


@dataclass(frozen=True)
class DeployConfig:
    stack_name: str = doc("Root stack name; default <name>-<environment>.", "")
    template_bucket: str = doc(
        "S3 bucket for packaged templates; default cfngen-templates-<account>-<region>, "
        "created (encrypted, private, TLS-only, old objects expire) when missing.",
        "",
    )
    termination_protection: bool = doc(
        "Turn on termination protection when the root stack is created.", False
    )


@dataclass(frozen=True)
class StackSetOverride:
    accounts: tuple[str, ...] = doc(
        "Account ids this override applies to (default: every target account).", ()
    )
    regions: tuple[str, ...] = doc(
        "Regions this override applies to (default: every target region).", ()
    )
    parameters: dict[str, str] = doc_factory(
        "Root template parameter values for these instances (ParameterOverrides).", dict
    )


@dataclass(frozen=True)
class StackSetPreferences:
    region_concurrency: Literal["SEQUENTIAL", "PARALLEL"] = doc(
        "Deploy to one region at a time (SEQUENTIAL, in region_order) or all at once.",
        "SEQUENTIAL",
    )
    region_order: tuple[str, ...] = doc(
        "Order of the regions for SEQUENTIAL deployment; default: the order of regions.", ()
    )
    max_concurrent: int | str = doc(
        "Accounts per region acted on at once: a count (3) or a percentage ('25%').", 1
    )
    failure_tolerance: int | str = doc(
        "Failed instances per region tolerated before the operation stops: a count (0) "
        "or a percentage ('10%').",
        0,
    )
    concurrency_mode: Literal["STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"] = doc(
        "STRICT lowers concurrency as failures approach the tolerance; SOFT keeps "
        "max_concurrent regardless of failures.",
        "STRICT_FAILURE_TOLERANCE",
    )


@dataclass(frozen=True)
class StackSetConfig:
    name: str = doc("Stack set name; default <name>-<environment>.", "")
    accounts: tuple[str, ...] = doc("Target AWS account ids (12 digits) - self-managed.", ())
    organizational_units: tuple[str, ...] = doc(
        "Target organizational unit ids (ou-xxxx-yyyyyyyy or r-xxxx) - service-managed.", ()
    )
    regions: tuple[str, ...] = doc("Target regions; each account/OU gets one instance per region.", ())
    permission_model: Literal["self-managed", "service-managed"] = doc(
        "self-managed (admin/execution roles you create; needed for nested stacks) or "
        "service-managed (AWS Organizations; no nested stacks).",
        "self-managed",
    )
    organization_id: str = doc(
        "AWS Organizations id (o-...); when set the template bucket admits the whole "
        "organization (aws:PrincipalOrgID) instead of listing accounts.",
        "",
    )
    parameters: dict[str, str] = doc_factory("Root template parameter values of the stack set.", dict)
    overrides: tuple[StackSetOverride, ...] = doc(
        "Parameter overrides per account and/or region (later entries win).", ()
    )
    preferences: StackSetPreferences = doc_factory(
        "Operation preferences (command-line flags take precedence).", StackSetPreferences
    )


@dataclass(frozen=True)
class Config:
    name: str = doc("Prefix of stacks and named resources: lowercase, 1-20 chars.", "cfngen")
    environment: str = doc(
        "Environment name (dev, staging, prod ...): lowercase, 1-12 chars.", "dev"
    )
    region: str = doc("AWS region the stacks are deployed to.", "us-east-1")
    tags: dict[str, str] = doc_factory("Tags put on every stack and taggable resource.", dict)
    network: NetworkConfig = doc_factory("The VPC.", NetworkConfig)
    alb: AlbConfig = doc_factory("The Application Load Balancer.", AlbConfig)
    ecr: EcrConfig = doc_factory("Container image repositories.", EcrConfig)
    ecs: EcsConfig = doc_factory("ECS cluster and services.", EcsConfig)
    eks: EksConfig = doc_factory("EKS cluster.", EksConfig)
    kubernetes: KubernetesConfig = doc_factory(
        "The app deployed on EKS by `cfngen manifests`.", KubernetesConfig
    )
    deploy: DeployConfig = doc_factory("Deployment settings.", DeployConfig)
    stackset: StackSetConfig = doc_factory(
        "StackSets: the same templates across accounts and regions.", StackSetConfig
    )

    @property
    def prefix(self) -> str:
        """Name prefix of every named resource, unique per environment."""
        return f"{self.name}-{self.environment}"

    @property
    def stack_name(self) -> str:
        return self.deploy.stack_name or self.prefix

    def az_count(self) -> int:
        azs = self.network.availability_zones
        return azs if isinstance(azs, int) else len(azs)

    def ecr_repository(self, name: str) -> EcrRepository | None:
        return next((r for r in self.ecr.repositories if r.name == name), None)

    @property
    def kube_namespace(self) -> str:
        return self.kubernetes.namespace or self.name


# --------------------------------------------------------------------------- loading


def load(path: str | Path) -> Config:
    """Read and validate a config file; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read config: {exc.strerror}"], str(path)) from None
    return loads(text, str(path))


def loads(text: str, source: str = "<config>") -> Config:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"invalid YAML: {where}{problem}"], source) from None
    if raw is None:
        raw = {}
    problems: list[str] = []
    cfg = _build(Config, raw, "", problems)
    # Typos in key names leave a fully typed config: check its values too, so one run
    # reports everything. Type errors do not (defaults stand in), so stop there.
    if cfg is not _MISSING and all(_UNKNOWN_KEY in p for p in problems):
        from cfngen.validate import check  # semantic rules need a typed config

        problems.extend(check(cfg))
    if problems:
        raise ConfigError(problems, source)
    return cfg


_MISSING = object()
_UNKNOWN_KEY = ": unknown key"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(tp: Any) -> str:
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if origin is tuple:
        return "a list"
    if origin is dict:
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp) if a is not type(None))
    return str(tp)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True)
    text = text.strip().removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """Convert one YAML value to ``tp``; on mismatch record a problem, return _MISSING."""
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path, problems)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None and type(None) in get_args(tp):
            return None
        for arg in args:
            if _matches(arg, value):
                return _convert(arg, value, path, problems)
        problems.append(f"{path}: {_show(value)} is not {_describe(tp)}")
        return _MISSING
    if origin is Literal:
        if value in get_args(tp):
            return value
        problems.append(f"{path}: {_show(value)} is not allowed; use {_describe(tp)}")
        return _MISSING
    if origin is tuple:
        if not isinstance(value, list):
            problems.append(f"{path}: {_show(value)} is not a list")
            return _MISSING
        (item_tp, _) = get_args(tp)
        items = [_convert(item_tp, v, _join(path, i), problems) for i, v in enumerate(value)]
        return tuple(items)
    if origin is dict:
        _, val_tp = get_args(tp)
        if not isinstance(value, dict):
            problems.append(f"{path}: {_show(value)} is not a mapping")
            return _MISSING
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                problems.append(f"{path}: key {_show(k)} is not a string")
                continue
            if val_tp is str and isinstance(v, int | float | bool):
                problems.append(f"{_join(path, k)}: {_show(v)} is not a string (quote it)")
                continue
            out[k] = _convert(val_tp, v, _join(path, k), problems)
        return out
    if _matches(tp, value):
        return value
    problems.append(f"{path}: {_show(value)} is not {_describe(tp)}")
    return _MISSING


def _matches(tp: Any, value: Any) -> bool:
    origin = get_origin(tp)
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin is tuple:
        return isinstance(value, list)
    if origin is dict or dataclasses.is_dataclass(tp):
        return isinstance(value, dict)
    if origin is Literal:
        return value in get_args(tp)
    return False


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _build(cls: type, raw: Any, path: str, problems: list[str]) -> Any:
    where = path or "config"
    if not isinstance(raw, dict):
        problems.append(f"{where}: {_show(raw)} is not a mapping")
        return _MISSING
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        key_path = _join(path, str(key))
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = ", ".join(fields)
            problems.append(f"{key_path}{_UNKNOWN_KEY}{hint} (allowed: {allowed})")
            continue
        converted = _convert(hints[key], value, key_path, problems)
        if converted is not _MISSING:
            kwargs[key] = converted
    for name, f in fields.items():
        missing_default = (
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        if name not in raw and missing_default:
            problems.append(f"{_join(path, name)}: required key is missing")
    try:
        return cls(**kwargs)
    except TypeError:
        return _MISSING  # a required key was missing or bad: already reported


def field_docs(cls: type = Config, path: str = "") -> list[tuple[str, str]]:
    """(key path, description) of every config key, for the docs test and `--help`."""
    out: list[tuple[str, str]] = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        key = _join(path, f.name)
        out.append((key, f.metadata.get("doc", "")))
        tp = hints[f.name]
        item = get_args(tp)[0] if get_origin(tp) is tuple else tp
        if dataclasses.is_dataclass(item):
            out.extend(field_docs(item, key + ("[]" if get_origin(tp) is tuple else "")))
    return out


__all__ = [
    "AlbConfig",
    "Config",
    "ConfigError",
    "DeployConfig",
    "EcrConfig",
    "EcrRepository",
    "EcsConfig",
    "EcsService",
    "EksConfig",
    "HpaConfig",
    "KubeResources",
    "KubernetesConfig",
    "NetworkConfig",
    "NodeGroupConfig",
    "StackSetConfig",
    "StackSetOverride",
    "StackSetPreferences",
    "field_docs",
    "load",
    "loads",
]
