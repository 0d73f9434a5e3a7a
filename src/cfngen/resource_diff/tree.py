"""A change across a stack and its nested stacks, each compared with what it will receive.

A nested stack's parameters are what its parent passes (``Fn::GetAtt Network.Outputs.VpcId``):
when the change alters that output (the VPC is replaced), the child sees a changed
parameter, and resources there that use it change (or are replaced) too. Siblings are
compared in dependency order, and the parent again with what its children's outputs do,
until nothing new appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cfngen.resource_diff import schemas
from cfngen.resource_diff.compare import StackDiff, diff_stack
from cfngen.resource_diff.model import NESTED_STACK, ChangeAction, ResourceChange
from cfngen.resource_diff.resolve import Resolver, Side


@dataclass(frozen=True)
class TemplateTree:
    """A stack's template and its nested stacks' trees (by the parent's logical id).

    ``parameters`` are the stack's own values; a nested stack's come from its parent.
    ``physical`` maps logical ids to physical ids where known (a deployed stack).
    """

    template: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    physical: Mapping[str, str] = field(default_factory=dict)
    children: Mapping[str, TemplateTree] = field(default_factory=dict)


@dataclass(frozen=True)
class TreeDiff:
    changes: tuple[ResourceChange, ...]  # this stack's, then each nested stack's
    changed_outputs: frozenset[str]
    by_stack: Mapping[str, tuple[ResourceChange, ...]]  # stack label -> its own changes


def diff_tree(
    old: TemplateTree | None,
    new: TemplateTree,
    region: str = schemas.DEFAULT_REGION,
    label: str = "root",
) -> TreeDiff:
    """Every change from ``old`` (None: nothing deployed) to ``new``, nested stacks included."""
    return _diff(label, old, new, dict(old.parameters) if old else {}, dict(new.parameters), region)


def _nested(template: Mapping[str, Any]) -> list[str]:
    resources = dict(template.get("Resources") or {})
    return [lid for lid, r in resources.items() if r.get("Type") == NESTED_STACK]


def _child_path(label: str, lid: str) -> str:
    return lid if label == "root" else f"{label}/{lid}"


def _params(template: Mapping[str, Any], lid: str, resolver: Resolver) -> dict[str, Any]:
    res = (template.get("Resources") or {}).get(lid) or {}
    raw = (res.get("Properties") or {}).get("Parameters") or {}
    return {str(k): resolver.value(v) for k, v in dict(raw).items()}


def _diff(
    label: str,
    old: TemplateTree | None,
    new: TemplateTree,
    old_params: dict[str, Any],
    new_params: dict[str, Any],
    region: str,
) -> TreeDiff:
    old_side = Side(old.template, old_params, old.physical) if old is not None else None
    new_side = Side(new.template, new_params, new.physical)
    old_resolver = Resolver(old_side) if old_side is not None else None
    outputs: dict[str, frozenset[str]] = {}
    modified: set[str] = set()
    children: dict[str, TreeDiff] = {}
    nested = _nested(new.template)
    for _ in range(len(nested) + 2):
        mine: StackDiff = diff_stack(
            label, old_side, new_side, region, outputs, frozenset(modified)
        )
        assert mine.resolver is not None
        stable = True
        for lid in nested:
            child = new.children.get(lid)
            if child is None:
                continue
            path = _child_path(label, lid)
            child_params = _params(new.template, lid, mine.resolver)
            previous = old.children.get(lid) if old is not None else None
            if (
                old is not None
                and previous is not None
                and old_resolver is not None
                and lid in _nested(old.template)
            ):
                sub = _diff(
                    path,
                    previous,
                    child,
                    _params(old.template, lid, old_resolver),
                    child_params,
                    region,
                )
            else:
                sub = _diff(path, None, child, {}, child_params, region)
            children[lid] = sub
            if sub.changed_outputs != outputs.get(lid, frozenset()):
                outputs[lid] = sub.changed_outputs
                stable = False
            if bool(sub.changes) != (lid in modified):
                modified.symmetric_difference_update({lid})
                stable = False
        if stable:
            break
    by_stack: dict[str, tuple[ResourceChange, ...]] = {label: mine.changes}
    all_changes = list(mine.changes)
    acted = {c.logical_id: c.action for c in mine.changes}
    for lid in nested:
        if lid in children and acted.get(lid) in (ChangeAction.ADD, ChangeAction.MODIFY):
            all_changes.extend(children[lid].changes)
            by_stack.update(children[lid].by_stack)
    return TreeDiff(tuple(all_changes), mine.changed_outputs, by_stack)
