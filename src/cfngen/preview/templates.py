"""A tree of nested-stack templates and a small evaluator for values that cross stacks.

The cost, diagram and duration previews all need the same thing: the resources of every
stack in the tree, and what a property *means* once ``Ref``/``Fn::GetAtt`` are followed
through nested-stack parameters and outputs (the ALB's ``Subnets: !Ref PublicSubnetIds``
is the network stack's three ``AWS::EC2::Subnet`` resources). Nothing here knows cfngen's
logical IDs: a tree with more stacks or deeper nesting works the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

NESTED_TYPE = "AWS::CloudFormation::Stack"
ROOT = "root"


@dataclass(frozen=True)
class ResourceRef:
    """A value that is a resource (its ``Ref``) or one of its attributes."""

    stack: str
    logical_id: str
    attribute: str = ""


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class StackTemplate:
    """One template of the tree; ``path`` is ``root`` or ``Parent/Child`` logical IDs."""

    path: str
    body: Mapping[str, Any]
    parent: str | None = None
    logical_id: str = ROOT

    @property
    def label(self) -> str:
        """``EcsAlb`` -> ``ecs-alb``: the stack's name as cfngen's files and output say it."""
        if self.parent is None:
            return ROOT
        return "/".join(_kebab(part) for part in self.path.split("/"))

    def resources(self) -> Iterator[Resource]:
        for lid, res in sorted(dict(self.body.get("Resources") or {}).items()):
            depends = res.get("DependsOn") or ()
            yield Resource(
                stack=self.path,
                logical_id=lid,
                type=str(res.get("Type", "")),
                properties=dict(res.get("Properties") or {}),
                depends_on=(depends,) if isinstance(depends, str) else tuple(depends),
            )


def _camel(stem: str) -> str:
    """``services-01`` -> ``Services01``: a file stem as a logical ID."""
    return "".join(part[:1].upper() + part[1:] for part in stem.split("-"))


def _kebab(name: str) -> str:
    """``EcsServices01`` -> ``ecs-services-01``: a shard's number (two digits or more at
    the end) set off as its template file names it."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Za-z])(?=\d{2,}$)", "-", name).lower()


@dataclass
class TemplateSet:
    """Every stack of one deployment, root first, with a resolver across them."""

    stacks: dict[str, StackTemplate]
    region: str = "us-east-1"
    tops: dict[str, str] = field(default_factory=dict)  # hung top-level tree's path -> key
    _index: dict[tuple[str, str], Resource] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for stack in self.stacks.values():
            for res in stack.resources():
                self._index[(stack.path, res.logical_id)] = res

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        root: Mapping[str, Any],
        child: Callable[[str, str, Mapping[str, Any]], Mapping[str, Any] | None],
        region: str = "us-east-1",
    ) -> TemplateSet:
        """Walk from the root; ``child(path, logical_id, resource)`` returns a nested body."""
        stacks: dict[str, StackTemplate] = {ROOT: StackTemplate(ROOT, root)}
        pending = [stacks[ROOT]]
        while pending:
            parent = pending.pop(0)
            for lid, res in sorted(dict(parent.body.get("Resources") or {}).items()):
                if res.get("Type") != NESTED_TYPE:
                    continue
                path = lid if parent.path == ROOT else f"{parent.path}/{lid}"
                body = child(path, lid, res)
                if body is None:
                    continue
                stacks[path] = StackTemplate(path, body, parent.path, lid)
                pending.append(stacks[path])
        return cls(stacks, region)

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], region: str = "us-east-1") -> TemplateSet:
        """From rendered JSON files (``render.render(cfg, ("json",)).files``)."""

        def child(_path: str, _lid: str, res: Mapping[str, Any]) -> Mapping[str, Any] | None:
            url = str((res.get("Properties") or {}).get("TemplateURL", ""))
            return json.loads(files[url]) if url in files else None

        return cls.build(json.loads(files["root.json"]), child, region)

    @classmethod
    def platform(cls, files: Mapping[str, bytes], region: str = "us-east-1") -> TemplateSet:
        """From rendered JSON files, every top-level stack of the platform: the root's tree
        and, for a split platform, each other top-level template (one nobody nests) joined
        to it (:meth:`joined`). For what the whole platform holds (cost, diagram);
        :meth:`from_files` is the root's operation alone."""
        nested = {
            str((res.get("Properties") or {}).get("TemplateURL", ""))
            for name, data in files.items()
            if name.endswith(".json") and "/" not in name
            for res in (json.loads(data).get("Resources") or {}).values()
            if res.get("Type") == NESTED_TYPE
        }
        others = sorted(
            name
            for name in files
            if name.endswith(".json") and "/" not in name and name not in nested | {"root.json"}
        )
        tops = {
            name.removesuffix(".json"): cls.from_files({**files, "root.json": files[name]}, region)
            for name in others
        }
        return cls.joined(cls.from_files(files, region), tops)

    @classmethod
    def joined(cls, root: TemplateSet, tops: Mapping[str, TemplateSet]) -> TemplateSet:
        """The root's tree with each other top-level tree (key ``services-01`` -> its set)
        hung under the root as if nested there (logical ID ``Services01``), its parameters
        given the root outputs of the same names (which is what the deployer passes), so
        values resolve across them and every stack is labelled ``services-01/...``."""
        body = root.stacks[ROOT].body
        outputs = body.get("Outputs") or {}
        resources = dict(body.get("Resources") or {})
        stacks = dict(root.stacks)
        owners = dict(root.tops)
        for key, ts in sorted(tops.items()):
            lid = _camel(key)
            params = ts.stacks[ROOT].body.get("Parameters") or {}
            resources[lid] = {
                "Type": NESTED_TYPE,
                "Properties": {
                    "TemplateURL": f"{key}.json",
                    "Parameters": {p: outputs[p]["Value"] for p in params if p in outputs},
                },
            }
            for path, st in ts.stacks.items():
                if st.parent is None:  # the tree's top: now a child of the root
                    stacks[lid] = StackTemplate(lid, st.body, ROOT, lid)
                    continue
                parent = lid if st.parent == ROOT else f"{lid}/{st.parent}"
                stacks[f"{lid}/{path}"] = StackTemplate(
                    f"{lid}/{path}", st.body, parent, st.logical_id
                )
            owners[lid] = key
        stacks[ROOT] = StackTemplate(ROOT, {**body, "Resources": resources})
        return cls(stacks, root.region, owners)

    # ------------------------------------------------------------------ queries

    def resources(self, *types: str) -> list[Resource]:
        """Every resource of these types (all types when none given), stack by stack."""
        return [
            r
            for stack in self.stacks.values()
            for r in stack.resources()
            if not types or r.type in types
        ]

    def resource(self, ref: ResourceRef) -> Resource | None:
        return self._index.get((ref.stack, ref.logical_id))

    def label(self, path: str) -> str:
        return self.stacks[path].label

    def owner(self, path: str) -> str:
        """The top-level stack a stack's resources are deployed with: ``root``, or the key
        of a tree :meth:`joined` hung under the root (``services-01``)."""
        return self.tops.get(path.split("/")[0], ROOT)

    def owners(self) -> dict[str, str]:
        """Stack label -> the top-level stack it is deployed with (:meth:`owner`)."""
        return {st.label: self.owner(path) for path, st in self.stacks.items()}

    def top_level(self, path: str) -> str:
        """The root's child a stack belongs to (itself when it is one); ``root`` for root."""
        return path.split("/")[0]

    # ------------------------------------------------------------------ evaluation

    def resolve(self, stack: str, value: Any, depth: int = 0) -> Any:
        """Best-effort value of an expression: literals, Ref/GetAtt across nested stacks,
        Join, Select, If (first branch), lists. Unknown intrinsic -> None."""
        if depth > 40:
            return None
        if isinstance(value, list):
            return [self.resolve(stack, v, depth + 1) for v in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) != 1:
            return {k: self.resolve(stack, v, depth + 1) for k, v in value.items()}
        (fn, arg), *_ = value.items()
        if fn == "Ref":
            return self._ref(stack, str(arg), depth)
        if fn == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self._get_att(stack, str(parts[0]), str(parts[1]), depth)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            items = self.resolve(stack, arg[1], depth + 1)
            if isinstance(items, list) and all(isinstance(i, str | int | float) for i in items):
                return str(arg[0]).join(str(i) for i in items)
            return _flatten(items) if isinstance(items, list) else None
        if fn == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            items = self.resolve(stack, arg[1], depth + 1)
            try:
                return items[int(arg[0])] if isinstance(items, list) else None
            except (IndexError, TypeError, ValueError):
                return None
        if fn == "Fn::GetAZs":  # unknown until deployed: stand-ins in AZ order
            return [f"AZ {n}" for n in range(1, 7)]
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return self.resolve(stack, arg[1], depth + 1)
        if fn.startswith("Fn::") or fn == "Condition":
            return None
        return {fn: self.resolve(stack, arg, depth + 1)}

    def _ref(self, stack: str, name: str, depth: int) -> Any:
        if name == "AWS::Region":
            return self.region
        if name.startswith("AWS::"):
            return None
        tmpl = self.stacks[stack]
        params = dict(tmpl.body.get("Parameters") or {})
        if name in params:
            passed = self._passed(tmpl, name)
            if passed is not _MISSING:
                return self.resolve(str(tmpl.parent), passed, depth + 1)
            return params[name].get("Default")
        if (stack, name) in self._index:
            return ResourceRef(stack, name)
        return None

    def _passed(self, tmpl: StackTemplate, name: str) -> Any:
        if tmpl.parent is None:
            return _MISSING
        parent = self.stacks[tmpl.parent].body.get("Resources") or {}
        props = (parent.get(tmpl.logical_id) or {}).get("Properties") or {}
        return (props.get("Parameters") or {}).get(name, _MISSING)

    def _get_att(self, stack: str, lid: str, attr: str, depth: int) -> Any:
        child = lid if stack == ROOT else f"{stack}/{lid}"
        if attr.startswith("Outputs.") and child in self.stacks:
            outputs = self.stacks[child].body.get("Outputs") or {}
            out = outputs.get(attr.split(".", 1)[1])
            return self.resolve(child, out.get("Value"), depth + 1) if out else None
        if (stack, lid) in self._index:
            return ResourceRef(stack, lid, attr)
        return None

    def resources_in(self, stack: str, value: Any) -> list[Resource]:
        """The resources an expression names (a list of subnets, one role ...)."""
        resolved = self.resolve(stack, value)
        items = resolved if isinstance(resolved, list) else [resolved]
        found = [self.resource(i) for i in _flatten(items) if isinstance(i, ResourceRef)]
        return [r for r in found if r is not None]


_MISSING: Any = object()


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out
