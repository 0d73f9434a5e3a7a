"""Template values with intrinsic functions resolved as far as a plan can know them.

A value resolves to plain JSON where the template and parameters decide it; to a
:class:`Sym` where only CloudFormation knows it but it stays the same (``Ref Vpc`` of a
VPC that is kept: the same id before and after); and to an :class:`Unknown` where it
changes to something known only when the change runs (``Ref Vpc`` of a VPC that is
replaced). Comparing the resolved old and new values of a property then says exactly
whether, and why, it changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cfngen.resource_diff.model import NESTED_STACK, ChangeSource


class _Dynamic:
    """A parameter value that changes to something known only when the change runs."""

    def __repr__(self) -> str:
        return "DYNAMIC"


DYNAMIC: Final = _Dynamic()
_NO_VALUE: Final = object()  # Ref AWS::NoValue: the key or item is left out
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]+)\}")


@dataclass(frozen=True)
class Sym:
    """A value only CloudFormation knows, unchanged by this plan (``${Vpc}``)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Unknown:
    """A value this change alters; known after it runs. ``cause`` names what alters it."""

    cause: str
    source: ChangeSource

    def __eq__(self, other: object) -> bool:
        return False  # never equal: a changed value differs from anything seen before

    def __hash__(self) -> int:
        return hash((self.cause, self.source))


@dataclass(frozen=True)
class Side:
    """One side of a stack change: the template, its parameter values, known physical ids."""

    template: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)  # values, Sym, or DYNAMIC
    physical: Mapping[str, str] = field(default_factory=dict)  # logical id -> physical id

    @property
    def resources(self) -> Mapping[str, Any]:
        return dict(self.template.get("Resources") or {})


@dataclass
class Resolver:
    """Resolves values of one side; ``changed`` resources and outputs make them Unknown."""

    side: Side
    changed: frozenset[str] = frozenset()  # resources whose Ref/GetAtt values change
    nested_outputs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _conditions: dict[str, bool | None] = field(default_factory=dict)

    # ------------------------------------------------------------------ the entry point

    def value(self, v: Any) -> Any:
        out = self._value(v)
        return None if out is _NO_VALUE else out

    def _value(self, v: Any) -> Any:
        if isinstance(v, dict):
            if len(v) == 1:
                ((key, arg),) = v.items()
                if key == "Ref":
                    return self._ref(str(arg))
                if key == "Condition":
                    return self.condition(str(arg))
                if key.startswith("Fn::"):
                    return self._function(key, arg)
            out = {}
            for k, item in v.items():
                r = self._value(item)
                if r is not _NO_VALUE:
                    out[k] = r
            return out
        if isinstance(v, list):
            return [r for r in (self._value(i) for i in v) if r is not _NO_VALUE]
        return v

    # ------------------------------------------------------------------ Ref and GetAtt

    def parameter(self, name: str) -> Any:
        params = self.side.template.get("Parameters") or {}
        if name in self.side.parameters:
            value = self.side.parameters[name]
        elif "Default" in params.get(name, {}):
            value = params[name]["Default"]
        else:
            return Sym(f"${{{name}}}")
        if value is DYNAMIC or isinstance(value, Unknown):
            return Unknown(name, ChangeSource.PARAMETER_REFERENCE)
        ptype = str(params.get(name, {}).get("Type", ""))
        if isinstance(value, str) and (ptype.startswith("List<") or "CommaDelimited" in ptype):
            return [x.strip() for x in value.split(",")] if value else []
        return value

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in (self.side.template.get("Parameters") or {}) or name in self.side.parameters:
            return self.parameter(name)
        if name.startswith("AWS::"):
            return Sym(f"${{{name}}}")
        if name in self.changed:
            return Unknown(name, ChangeSource.RESOURCE_REFERENCE)
        if name in self.side.physical:
            return self.side.physical[name]
        return Sym(f"${{{name}}}")

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            lid, _, attr = arg.partition(".")
        else:
            lid, attr = str(arg[0]), self.value(arg[1])
            if not isinstance(attr, str):
                return Sym(f"${{{lid}.{attr}}}")
        if lid in self.changed:
            return Unknown(lid, ChangeSource.RESOURCE_ATTRIBUTE)
        res = self.side.resources.get(lid) or {}
        changed_outputs = self.nested_outputs.get(lid, frozenset())
        if res.get("Type") == NESTED_STACK and attr.removeprefix("Outputs.") in changed_outputs:
            return Unknown(f"{lid}.{attr}", ChangeSource.RESOURCE_ATTRIBUTE)
        return Sym(f"${{{lid}.{attr}}}")

    # ------------------------------------------------------------------ conditions

    def condition(self, name: str) -> bool | None:
        """True/False when the parameters decide it, None when only AWS can."""
        if name not in self._conditions:
            self._conditions[name] = None  # a cycle stays unknown
            expr = (self.side.template.get("Conditions") or {}).get(name)
            self._conditions[name] = self._truth(expr)
        return self._conditions[name]

    def _truth(self, expr: Any) -> bool | None:
        if isinstance(expr, bool):
            return expr
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        ((key, arg),) = expr.items()
        if key == "Condition":
            return self.condition(str(arg))
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = self.value(arg[0]), self.value(arg[1])
            if _concrete(a) and _concrete(b):
                return _scalar(a) == _scalar(b)
            return None
        if key == "Fn::Not" and isinstance(arg, list) and arg:
            inner = self._truth(arg[0])
            return None if inner is None else not inner
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self._truth(x) for x in arg]
            if key == "Fn::And":
                return False if False in values else (None if None in values else True)
            return True if True in values else (None if None in values else False)
        return None

    # ------------------------------------------------------------------ functions

    def _function(self, key: str, arg: Any) -> Any:
        if key == "Fn::GetAtt":
            return self._get_att(arg)
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            truth = self.condition(str(arg[0]))
            if truth is not None:
                return self._value(arg[1] if truth else arg[2])
            return {key: [arg[0], self.value(arg[1]), self.value(arg[2])]}
        if key == "Fn::Sub":
            return self._sub(arg)
        args = self._value(arg)
        unknown = _first_unknown(args)
        if key == "Fn::Join" and isinstance(args, list) and len(args) == 2:
            delim, items = args
            if unknown is not None:
                return unknown
            if isinstance(items, list) and all(_concrete(i) for i in items):
                return str(delim).join(_scalar(i) for i in items)
        if key == "Fn::Select" and isinstance(args, list) and len(args) == 2:
            index, items = args
            if isinstance(items, list) and _concrete(index) and int(_scalar(index)) < len(items):
                return items[int(_scalar(index))]
            if unknown is not None:
                return unknown
        if key == "Fn::FindInMap" and isinstance(args, list) and len(args) >= 3:
            found = _find_in_map(self.side.template, args[:3])
            if found is not None:
                return found
        if key == "Fn::Split" and isinstance(args, list) and len(args) == 2:
            delim, text = args
            if isinstance(text, str) and isinstance(delim, str):
                return text.split(delim)
        if unknown is not None and key in ("Fn::Base64", "Fn::Split", "Fn::ToJsonString"):
            return unknown
        return {key: args}

    def _sub(self, arg: Any) -> Any:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        local = {k: self.value(v) for k, v in dict(variables).items()}
        parts: list[str] = []
        last = 0
        for m in _SUB_VAR.finditer(str(text)):
            parts.append(str(text)[last : m.start()])
            name = m.group(1).strip()
            if name in local:
                value = local[name]
            elif "." in name:
                value = self._get_att(name)
            else:
                value = self._ref(name)
            if isinstance(value, Unknown):
                return value
            parts.append(_scalar(value) if _concrete(value) else f"${{{name}}}")
            last = m.end()
        parts.append(str(text)[last:])
        return "".join(parts)


def _concrete(v: Any) -> bool:
    return isinstance(v, str | int | float | bool) and not isinstance(v, Sym)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _first_unknown(v: Any) -> Unknown | None:
    if isinstance(v, Unknown):
        return v
    if isinstance(v, dict):
        v = list(v.values())
    if isinstance(v, list):
        for item in v:
            found = _first_unknown(item)
            if found is not None:
                return found
    return None


def _find_in_map(template: Mapping[str, Any], keys: list[Any]) -> Any:
    node: Any = template.get("Mappings") or {}
    for key in keys:
        if not _concrete(key) or not isinstance(node, dict) or _scalar(key) not in node:
            return None
        node = node[_scalar(key)]
    return node


def first_unknown(v: Any) -> Unknown | None:
    """The first value inside ``v`` that this change alters, if any."""
    return _first_unknown(v)


def show(v: Any) -> str | None:
    """A resolved value as DescribeChangeSet prints it: strings as they are, others as JSON."""
    from cfngen.resource_diff.model import KNOWN_AFTER_APPLY

    if v is None:
        return None
    if isinstance(v, Unknown):
        return KNOWN_AFTER_APPLY
    if isinstance(v, str | Sym):
        return str(v)
    if isinstance(v, bool | int | float):
        return _scalar(v)
    return json.dumps(_plain(v), sort_keys=True, separators=(",", ":"))


def _plain(v: Any) -> Any:
    from cfngen.resource_diff.model import KNOWN_AFTER_APPLY

    if isinstance(v, Unknown):
        return KNOWN_AFTER_APPLY
    if isinstance(v, Sym):
        return v.text
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v
