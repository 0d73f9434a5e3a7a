"""Which resources an update modifies, decided on resolved values as CloudFormation does.

moto compares each resource's template JSON and the parameters the caller passed, so
it misses two changes every image rollout makes: a parameter whose *default* changed
(``<Service>ImageTag``, when the new template carries the new tag), and a resource whose
JSON is the same but that refers to one being replaced (an ECS service whose
``TaskDefinition: {Ref: ...}`` now resolves to a new task definition revision). A
rehearsal of such a deploy then changes nothing. :func:`resource_diff` adds both:

* a parameter changed when its effective value (passed, else the template's default)
  differs from the one the stack resolved; every resource that refers to it is modified;
* a modified resource is *replaced* when a property that changed is create-only (per the
  resource schemas cfn-lint ships, the same ones AWS publishes); every resource that
  refers to a replaced one is modified too ("Evaluation: Dynamic" in a change set),
  transitively;
* modifications run dependencies first, so a dependent reads the new physical id;
  ``Replace`` lists the modified resources that are replaced (moto reads only ``Add``,
  ``Modify`` and ``Remove``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.moto_adapter import ResourceMap

Template = dict[str, Any]
MotoDiff = Callable[[ResourceMap, Template, dict[str, Any] | None], dict[str, list[str]]]
SUB_REF = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}")


def references(node: Any) -> set[str]:
    """Names a JSON value refers to: Ref, GetAtt, and ``${Name}`` inside Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= set(SUB_REF.findall(str(text)))
                if isinstance(value, list) and len(value) > 1:
                    found |= references(value[1])
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


@cache
def create_only(resource_type: str) -> frozenset[str]:
    """Top-level properties whose change replaces a resource of this type."""
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except ResourceNotFoundError:
        return frozenset()
    paths = schema.get("createOnlyProperties") or []
    return frozenset(p.split("/")[2] for p in paths if p.count("/") == 2)


def _flat(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def changed_parameters(
    rmap: ResourceMap, template: Template, passed: dict[str, Any] | None
) -> set[str]:
    """Parameters whose effective value (passed, else the default) is not the resolved one."""
    before = rmap.resolved_parameters
    changed = set()
    for name, slot in (template.get("Parameters") or {}).items():
        value = (passed or {}).get(name, slot.get("Default"))
        if name in before and value is not None and _flat(value) != _flat(before[name]):
            changed.add(name)
    return changed


def _changed_keys(old: Template, new: Template, moved: set[str]) -> set[str]:
    """Top-level properties that differ, or that refer to something that moved."""
    old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
    return {
        key
        for key in set(old_props) | set(new_props)
        if old_props.get(key) != new_props.get(key) or references(new_props.get(key)) & moved
    }


def dependencies_first(names: Iterable[str], resources: Template) -> list[str]:
    """Dependencies first (a stable topological order of the given names)."""
    pending = list(dict.fromkeys(names))
    done: list[str] = []
    while pending:
        ready = [
            n for n in pending if not (references(resources[n]) & (set(pending) - {n}))
        ] or pending[:1]
        for n in ready:
            pending.remove(n)
            done.append(n)
    return done


def resource_diff(
    moto_diff: MotoDiff,
    rmap: ResourceMap,
    template: Template,
    parameters: dict[str, Any] | None = None,
) -> dict[str, list[str]]:
    """moto's Add/Modify/Remove, plus what resolved values change (see the module doc)."""
    actions = moto_diff(rmap, template, parameters)
    old, new = moto.declared(rmap), template.get("Resources") or {}
    moved = changed_parameters(rmap, template, parameters)
    modify = list(actions["Modify"])
    replaced: set[str] = set()
    while True:
        grown = False
        for name, res in new.items():
            if name not in old:
                continue
            keys = _changed_keys(old[name], res, moved | replaced)
            if keys and name not in modify:
                modify.append(name)
                grown = True
            if keys & create_only(str(res.get("Type"))) and name not in replaced:
                replaced.add(name)
                grown = True
        if not grown:
            break
    actions["Modify"] = dependencies_first(modify, new)
    actions["Replace"] = [name for name in actions["Modify"] if name in replaced]
    return actions
