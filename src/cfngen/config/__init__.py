"""Typed configuration: YAML in, frozen dataclasses out, every problem reported at once.

The package holds the whole config layer, importing nothing above it:
:mod:`.schema` (the dataclasses), :mod:`.typed_load` (YAML -> dataclasses by type
hints), and the semantic rules (:mod:`.validate` and the per-section
``validate_*`` modules). :func:`load` and :func:`loads` tie them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cfngen.config import (
    defaults,
    eks_versions,
    source,
    typed_load,
    validate,
    validate_ecs_rollout,
    validate_eks_workloads,
    validate_kube,
    validate_placement,
    validate_platform,
    validate_security,
    validate_stackset,
)
from cfngen.config.schema import (
    AlbAccessLogsConfig,
    AlbConfig,
    AlbLoadBalancer,
    AutoscalingConfig,
    CapacityProvidersConfig,
    Config,
    DeployConfig,
    EcrConfig,
    EcrRepository,
    EcsConfig,
    EcsService,
    EgressRule,
    EksAddon,
    EksConfig,
    FlowLogsConfig,
    HealthCheckConfig,
    HpaConfig,
    IamConfig,
    IngressConfig,
    KubeResources,
    KubernetesConfig,
    LifecycleHook,
    NetworkConfig,
    NodeGroupConfig,
    NodeTaint,
    PodIdentityConfig,
    PolicyStatement,
    RetainConfig,
    ServiceConnectConfig,
    StackSetConfig,
    StackSetOverride,
    StackSetPreferences,
)
from cfngen.config.typed_load import ConfigError, doc, doc_factory

EXTENSION_PREFIX = "x-"  # top-level keys for YAML anchors (like Compose files); ignored


def check(cfg: Config, written: Callable[[str], bool] | None = None) -> list[str]:
    """All semantic problems of a typed config, in file order.

    ``written`` says whether a key path was in the file (default: every key was), for
    the rules that accept a derived default but not the same value written.
    """
    written = written or (lambda path: True)
    return [
        *validate.check(cfg),
        *validate_platform.check(cfg, written),
        *validate_placement.check(cfg, written),
        *validate_security.check(cfg),
        *validate_ecs_rollout.check(cfg),
        # The kubernetes section describes the app on the cluster: without one, it is unused.
        *(validate_kube.check(cfg) if cfg.eks.enabled else ()),
        *(validate_eks_workloads.check(cfg) if cfg.eks.enabled else ()),
        *validate_stackset.check(cfg),
    ]


@dataclass(frozen=True)
class Loaded:
    """A valid config and where each of its keys sits in the file it came from.

    Later checks that need more than the config (the quotas of the built templates)
    report through :meth:`error`, so their messages point at lines too.
    """

    config: Config
    marks: source.Marks
    where: str

    def error(self, problems: list[str]) -> ConfigError:
        return ConfigError(problems, self.where, [source.locate(p, self.marks) for p in problems])


def read(path: str | Path) -> Loaded:
    """Read and validate a config file; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(source.MAX_BYTES + 1)  # never read more than the cap allows
    except OSError as exc:
        raise ConfigError([f"cannot read config: {exc.strerror}"], str(path)) from None
    try:
        text = source.decode(data)
    except source.SourceError as exc:
        raise _source_error(exc, str(path)) from None
    return reads(text, str(path))


def notes(cfg: Config) -> list[str]:
    """What a user should know about a valid config (costs, unverifiable values, unused keys)."""
    unused = validate_eks_workloads.notes(cfg)
    try:
        note = eks_versions.note(cfg.eks.version, eks_versions.today())
    except eks_versions.BadDate:
        return unused
    return [note, *unused] if note else unused


def load(path: str | Path) -> Config:
    """The config of a file (see :func:`read`)."""
    return read(path).config


def _source_error(exc: source.SourceError, where: str) -> ConfigError:
    position = str(exc.position) if exc.position else ""
    return ConfigError([exc.message], where, [(position, exc.message)])


def reads(text: str, where: str = "<config>") -> Loaded:
    """Parse, type and validate config text; ``where`` names it in messages."""
    try:
        raw, marks = source.parse(text)
    except source.SourceError as exc:
        raise _source_error(exc, where) from None
    if raw is None:
        raw = {}
    if isinstance(raw, dict):  # x-...: top-level keys for YAML anchors, ignored
        raw = {k: v for k, v in raw.items() if not str(k).startswith(EXTENSION_PREFIX)}
    problems: list[str] = []
    cfg = typed_load.build(Config, raw, "", problems)
    # Typos in key names leave a fully typed config: check its values too, so one run
    # reports everything. Type errors do not (defaults stand in), so stop there.
    if isinstance(cfg, Config) and all(typed_load.UNKNOWN_KEY in p for p in problems):
        cfg = defaults.resolve(cfg, marks.written)
        problems.extend(check(cfg, marks.written))
    if problems or not isinstance(cfg, Config):
        raise ConfigError(problems, where, [source.locate(p, marks) for p in problems])
    return Loaded(cfg, marks, where)


def loads(text: str, where: str = "<config>") -> Config:
    """The config of some YAML text (see :func:`reads`)."""
    return reads(text, where).config


def field_docs() -> list[tuple[str, str]]:
    """(key path, description) of every config key, for the docs test and `--help`."""
    return typed_load.field_docs(Config)


__all__ = [
    "AlbAccessLogsConfig",
    "AlbConfig",
    "AlbLoadBalancer",
    "AutoscalingConfig",
    "CapacityProvidersConfig",
    "Config",
    "ConfigError",
    "DeployConfig",
    "EcrConfig",
    "EcrRepository",
    "EcsConfig",
    "EcsService",
    "EgressRule",
    "EksAddon",
    "EksConfig",
    "FlowLogsConfig",
    "HealthCheckConfig",
    "HpaConfig",
    "IamConfig",
    "IngressConfig",
    "KubeResources",
    "KubernetesConfig",
    "LifecycleHook",
    "Loaded",
    "NetworkConfig",
    "NodeGroupConfig",
    "NodeTaint",
    "PodIdentityConfig",
    "PolicyStatement",
    "RetainConfig",
    "ServiceConnectConfig",
    "StackSetConfig",
    "StackSetOverride",
    "StackSetPreferences",
    "check",
    "doc",
    "doc_factory",
    "field_docs",
    "load",
    "loads",
    "notes",
    "read",
    "reads",
]
