"""What a change set does to each resource, computed as CloudFormation reports it.

moto lists added, modified and removed resources but says nothing of how: no
``Details`` and no ``Replacement``, so every rehearsal plan said "updated in place".
Here the change set's template tree is compared with the live one by
:mod:`cfngen.resource_diff` (the same rules as ``cfngen diff --against``): each changed
property path with its value before and after, ``RequiresRecreation`` from the type's
create-only properties, ``Replacement``, and the changes that follow from a replaced
resource, including in nested stacks through the outputs their parents pass on.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from cfngen.emulator import imports
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.models import NestedStack
from cfngen.emulator.moto_adapter import CloudFormationBackend, Stack
from cfngen.emulator.template_urls import read_template_url
from cfngen.resource_diff import ChangeAction, ResourceChange, TemplateTree, diff_tree
from cfngen.resource_diff.tree import TreeDiff

STACK_TYPE = "AWS::CloudFormation::Stack"


def live_tree(stack: Stack) -> TemplateTree:
    """A deployed stack and its nested stacks as they are now."""
    children: dict[str, TemplateTree] = {}
    for lid, resource in moto.parsed(stack.resource_map).items():
        if isinstance(resource, NestedStack):
            children[lid] = live_tree(resource.stack)
    return TemplateTree(dict(stack.template_dict), dict(stack.parameters or {}), {}, children)


def planned_tree(
    backend: CloudFormationBackend, template: dict[str, Any], parameters: dict[str, Any]
) -> TemplateTree:
    """A template and the nested templates its TemplateURLs name, as the change set has them."""
    children: dict[str, TemplateTree] = {}
    for lid, res in (template.get("Resources") or {}).items():
        url = (res.get("Properties") or {}).get("TemplateURL")
        if res.get("Type") != STACK_TYPE or not isinstance(url, str):
            continue
        try:
            body = moto.parse_template(read_template_url(url, backend.account_id))
        except Exception:  # an unreadable child: the create reports it, the plan cannot
            continue
        children[lid] = planned_tree(backend, body, {})
    return TemplateTree(template, parameters, {}, children)


def compute(
    backend: CloudFormationBackend,
    stack: Stack | None,
    template: dict[str, Any],
    parameters: dict[str, Any],
) -> TreeDiff:
    """Every change of the plan, per stack path ("root", "Network", ...)."""
    old = live_tree(stack) if stack is not None and stack.status != "REVIEW_IN_PROGRESS" else None
    return diff_tree(old, planned_tree(backend, template, parameters), backend.region_name)


def moto_changes(changes: tuple[ResourceChange, ...]) -> list[Any]:
    """The changes as moto's models, with the API members moto's serializer reads."""
    out = []
    for c in changes:
        details = [
            SimpleNamespace(
                target=SimpleNamespace(
                    attribute=d.attribute,
                    name=d.name,
                    requires_recreation=str(d.recreation),
                    path=d.path,
                    before_value=d.before,
                    after_value=d.after,
                    attribute_change_type=str(d.change_type),
                ),
                evaluation=str(d.evaluation),
                change_source=str(d.source),
                causing_entity=d.causing_entity,
            )
            for d in c.details
        ]
        out.append(
            moto.new_change(
                str(c.action),
                c.logical_id,
                c.resource_type,
                replacement=c.replacement or None,
                details=details,
            )
        )
    return out


def _templates(tree: TemplateTree, label: str = "root") -> dict[str, TemplateTree]:
    out = {label: tree}
    for lid, child in tree.children.items():
        out.update(_templates(child, lid if label == "root" else f"{label}/{lid}"))
    return out


def mark_imports(
    backend: CloudFormationBackend, plan: TreeDiff, template: dict[str, Any]
) -> TreeDiff:
    """ImportExistingResources: an added resource that exists and qualifies is an Import."""
    trees = _templates(planned_tree(backend, template, {}))
    by_stack: dict[str, tuple[ResourceChange, ...]] = {}
    for path, changes in plan.by_stack.items():
        resources = dict((trees[path].template.get("Resources") or {}) if path in trees else {})
        marked = []
        for c in changes:
            res = resources.get(c.logical_id) or {}
            if c.action == ChangeAction.ADD and imports.existing(
                res, backend.account_id, backend.region_name
            ):
                c = replace(c, action=ChangeAction.IMPORT)
            marked.append(c)
        by_stack[path] = tuple(marked)
    return replace(plan, by_stack=by_stack)
