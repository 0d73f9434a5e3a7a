"""One stack's change: which resources are added, modified (how, and replaced or not), removed.

Replacement spreads: a replaced resource gets a new physical id, so every value that
refers to it changes too, and where that value is create-only the referring resource
is replaced in turn. The comparison repeats until no new replacement appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cfngen.resource_diff import schemas
from cfngen.resource_diff.model import (
    NESTED_STACK,
    AttributeChange,
    ChangeAction,
    ChangeSource,
    Detail,
    Evaluation,
    Recreation,
    Replacement,
    ResourceChange,
)
from cfngen.resource_diff.resolve import Resolver, Side, Unknown, first_unknown, show

ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "Metadata")
_MISSING = object()


@dataclass(frozen=True)
class StackDiff:
    changes: tuple[ResourceChange, ...]
    changed_outputs: frozenset[str]  # outputs whose value this change alters
    replaced: frozenset[str] = frozenset()
    resolver: Resolver | None = field(default=None, compare=False)  # the new side's, final


def present(side: Side, resolver: Resolver) -> dict[str, Any]:
    """The resources that exist on a side (a resource whose Condition is false does not)."""
    out = {}
    for lid, res in side.resources.items():
        cond = res.get("Condition")
        if cond is None or resolver.condition(str(cond)) is not False:
            out[lid] = res
    return out


def diff_stack(
    label: str,
    old: Side | None,
    new: Side,
    region: str = schemas.DEFAULT_REGION,
    nested_outputs: Mapping[str, frozenset[str]] | None = None,
    nested_modified: frozenset[str] = frozenset(),
) -> StackDiff:
    """The changes from ``old`` (None: the stack is new) to ``new``.

    ``nested_outputs`` names, per nested stack of this one, the outputs the change alters;
    ``nested_modified`` the nested stacks whose own resources change.
    """
    outputs = dict(nested_outputs or {})
    old_resolver = Resolver(old) if old is not None else None
    before = present(old, old_resolver) if old is not None and old_resolver else {}
    replaced: frozenset[str] = frozenset()
    while True:
        resolver = Resolver(new, replaced, outputs)
        after = present(new, resolver)
        changes = []
        for lid in sorted(set(before) | set(after)):
            change = _resource_change(
                label, lid, before.get(lid), after.get(lid), old_resolver, resolver, region
            )
            if change is None and lid in nested_modified and lid in before and lid in after:
                change = ResourceChange(
                    label, ChangeAction.MODIFY, lid, NESTED_STACK, Replacement.FALSE
                )
            if change is not None:
                changes.append(change)
        now = frozenset(c.logical_id for c in changes if c.replacement == Replacement.TRUE)
        if now <= replaced:
            break
        replaced = replaced | now
    changed_outputs = _changed_outputs(old, old_resolver, new, resolver)
    return StackDiff(tuple(changes), changed_outputs, replaced, resolver)


def _resource_change(
    label: str,
    lid: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    old_resolver: Resolver | None,
    resolver: Resolver,
    region: str,
) -> ResourceChange | None:
    if new is None:
        return ResourceChange(label, ChangeAction.REMOVE, lid, str(old["Type"]) if old else "")
    rtype = str(new.get("Type", ""))
    if old is None or old_resolver is None:
        return ResourceChange(label, ChangeAction.ADD, lid, rtype)
    if str(old.get("Type")) != rtype:  # a new type under the same id: a new resource
        detail = Detail("Type", "/Type", str(old.get("Type")), rtype, recreation=Recreation.ALWAYS)
        return ResourceChange(label, ChangeAction.MODIFY, lid, rtype, Replacement.TRUE, (detail,))
    details: list[Detail] = []
    a = old_resolver.value(old.get("Properties") or {})
    b = resolver.value(new.get("Properties") or {})
    for path, x, y, kind in _walk((), a, b):
        details.append(_detail(rtype, path, x, y, kind, region))
    for attr in ATTRIBUTES:
        x = old_resolver.value(old.get(attr, _MISSING_JSON))
        y = resolver.value(new.get(attr, _MISSING_JSON))
        if x != y:
            details.append(
                Detail(
                    attr,
                    f"/{attr}",
                    None if x == _MISSING_JSON else show(x),
                    None if y == _MISSING_JSON else show(y),
                    attribute=attr,
                )
            )
    if not details:
        return None
    if any(d.recreation == Recreation.ALWAYS for d in details):
        replacement = Replacement.TRUE
    elif any(d.recreation == Recreation.CONDITIONALLY for d in details):
        replacement = Replacement.CONDITIONAL
    else:
        replacement = Replacement.FALSE
    return ResourceChange(label, ChangeAction.MODIFY, lid, rtype, replacement, tuple(details))


_MISSING_JSON = "\x00missing"


def _detail(
    rtype: str, path: tuple[str, ...], before: Any, after: Any, kind: AttributeChange, region: str
) -> Detail:
    unknown = first_unknown(after)
    recreation = schemas.recreation(rtype, path, region)
    evaluation, source, cause = Evaluation.STATIC, ChangeSource.DIRECT, None
    if isinstance(unknown, Unknown):
        evaluation, source, cause = Evaluation.DYNAMIC, unknown.source, unknown.cause
    return Detail(
        name=path[0] if path else "Properties",
        path="/Properties" + "".join(f"/{p}" for p in path),
        before=None if before is _MISSING else show(before),
        after=None if after is _MISSING else show(after),
        change_type=kind,
        recreation=recreation,
        evaluation=evaluation,
        source=source,
        causing_entity=cause,
    )


def _walk(
    path: tuple[str, ...], a: Any, b: Any
) -> list[tuple[tuple[str, ...], Any, Any, AttributeChange]]:
    """The deepest paths where ``a`` and ``b`` differ (lists of another length: the list)."""
    if a == b:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a:
                out.append(((*path, key), _MISSING, b[key], AttributeChange.ADD))
            elif key not in b:
                out.append(((*path, key), a[key], _MISSING, AttributeChange.REMOVE))
            else:
                out.extend(_walk((*path, key), a[key], b[key]))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out.extend(_walk((*path, str(i)), x, y))
        return out
    return [(path, a, b, AttributeChange.MODIFY)]


def _changed_outputs(
    old: Side | None, old_resolver: Resolver | None, new: Side, resolver: Resolver
) -> frozenset[str]:
    new_outputs = dict(new.template.get("Outputs") or {})
    if old is None or old_resolver is None:
        return frozenset(new_outputs)
    old_outputs = dict(old.template.get("Outputs") or {})
    changed = set(old_outputs) ^ set(new_outputs)
    for name in set(old_outputs) & set(new_outputs):
        x = old_resolver.value((old_outputs[name] or {}).get("Value"))
        y = resolver.value((new_outputs[name] or {}).get("Value"))
        if x != y:
            changed.add(name)
    return frozenset(changed)
