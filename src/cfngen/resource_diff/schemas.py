"""Create-only properties and identifiers from the resource schemas cfn-lint ships.

A property listed in ``createOnlyProperties`` cannot change in place: CloudFormation
replaces the resource. ``conditionalCreateOnlyProperties`` may replace it. Paths are
the schema's JSON pointers (``/properties/EncryptionConfiguration/KmsKey``, ``*`` for
any list item). A type the schemas do not know (a custom resource) has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cfngen.resource_diff.model import Recreation

DEFAULT_REGION = "us-east-1"
Path = tuple[str, ...]


@lru_cache(maxsize=512)
def _schema(resource_type: str, region: str) -> dict[str, Any]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # unknown to this region's schemas (a custom resource, a new type)
        if region != DEFAULT_REGION:
            return _schema(resource_type, DEFAULT_REGION)
        return {}
    return dict(schema)


def _paths(resource_type: str, key: str, region: str) -> tuple[Path, ...]:
    raw = _schema(resource_type, region).get(key) or []
    out = []
    for pointer in raw:
        parts = tuple(str(pointer).split("/")[1:])
        if parts and parts[0] == "properties":
            out.append(parts[1:])
    return tuple(out)


def _covers(pattern: Path, path: Sequence[str]) -> bool:
    """The create-only ``pattern`` is ``path`` or one of its parents (``*`` = any index)."""
    if len(pattern) > len(path):
        return False
    return all(p in ("*", q) for p, q in zip(pattern, path, strict=False))


def recreation(resource_type: str, path: Sequence[str], region: str = DEFAULT_REGION) -> Recreation:
    """What changing the property at ``path`` (below Properties) does to the resource.

    A change at or below a create-only property replaces it; a change *above* one
    (a whole ``EncryptionConfiguration`` object replaced) replaces it too when the
    create-only part is inside what changed.
    """
    for pattern in _paths(resource_type, "createOnlyProperties", region):
        if _covers(pattern, path) or _covers(tuple(path), pattern):
            return Recreation.ALWAYS
    for pattern in _paths(resource_type, "conditionalCreateOnlyProperties", region):
        if _covers(pattern, path) or _covers(tuple(path), pattern):
            return Recreation.CONDITIONALLY
    return Recreation.NEVER


def primary_identifier(resource_type: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The properties that identify a resource (``RepositoryName``), top level only."""
    return tuple(p[0] for p in _paths(resource_type, "primaryIdentifier", region) if len(p) == 1)


def read_only(resource_type: str, region: str = DEFAULT_REGION) -> frozenset[str]:
    return frozenset(p[0] for p in _paths(resource_type, "readOnlyProperties", region) if p)


def known(resource_type: str, region: str = DEFAULT_REGION) -> bool:
    return bool(_schema(resource_type, region))
