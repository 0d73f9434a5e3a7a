"""Typed configuration: YAML in, frozen dataclasses out, every problem reported at once.

The package holds the whole config layer, importing nothing above it:
:mod:`.schema` (the dataclasses), :mod:`.typed_load` (YAML -> dataclasses by type
hints), and the semantic rules (:mod:`.validate` and the per-section
``validate_*`` modules). :func:`load` and :func:`loads` tie them together.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cfngen.config import (
    typed_load,
    validate,
    validate_kube,
    validate_platform,
    validate_security,
    validate_stackset,
)
from cfngen.config.schema import (
    AlbAccessLogsConfig,
    AlbConfig,
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
    KubeResources,
    KubernetesConfig,
    NetworkConfig,
    NodeGroupConfig,
    NodeTaint,
    RetainConfig,
    StackSetConfig,
    StackSetOverride,
    StackSetPreferences,
)
from cfngen.config.typed_load import ConfigError, doc, doc_factory


def check(cfg: Config) -> list[str]:
    """All semantic problems of a typed config, in file order."""
    return [
        *validate.check(cfg),
        *validate_platform.check(cfg),
        *validate_security.check(cfg),
        # The kubernetes section describes the app on the cluster: without one, it is unused.
        *(validate_kube.check(cfg) if cfg.eks.enabled else ()),
        *validate_stackset.check(cfg),
    ]


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
        raw = yaml.load(text, Loader=typed_load.YAML_LOADER)  # libyaml when available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"invalid YAML: {where}{problem}"], source) from None
    if raw is None:
        raw = {}
    problems: list[str] = []
    cfg = typed_load.build(Config, raw, "", problems)
    # Typos in key names leave a fully typed config: check its values too, so one run
    # reports everything. Type errors do not (defaults stand in), so stop there.
    if isinstance(cfg, Config) and all(typed_load.UNKNOWN_KEY in p for p in problems):
        problems.extend(check(cfg))
    if problems or not isinstance(cfg, Config):
        raise ConfigError(problems, source)
    return cfg


def field_docs() -> list[tuple[str, str]]:
    """(key path, description) of every config key, for the docs test and `--help`."""
    return typed_load.field_docs(Config)


__all__ = [
    "AlbAccessLogsConfig",
    "AlbConfig",
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
    "KubeResources",
    "KubernetesConfig",
    "NetworkConfig",
    "NodeGroupConfig",
    "NodeTaint",
    "RetainConfig",
    "StackSetConfig",
    "StackSetOverride",
    "StackSetPreferences",
    "check",
    "doc",
    "doc_factory",
    "field_docs",
    "load",
    "loads",
]
