"""CloudFormation YAML with short-form intrinsics (!Ref, !GetAtt ...), emitted by libyaml.

troposphere's `to_yaml` goes through cfn_flip, which costs ~40 ms per template set;
this walks the template dict once and lets PyYAML's C emitter do the rest. Output is
deterministic (sorted keys, as in JSON) and parses back to the same template.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # the C dumper has the pure-Python one's interface
    _Dumper = yaml.SafeDumper
else:
    _Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it

# Intrinsics written in short form. `Condition` stays long: it is also a resource key.
_SHORT = {
    "Ref": "!Ref",
    "Fn::Base64": "!Base64",
    "Fn::Cidr": "!Cidr",
    "Fn::FindInMap": "!FindInMap",
    "Fn::GetAZs": "!GetAZs",
    "Fn::ImportValue": "!ImportValue",
    "Fn::Join": "!Join",
    "Fn::Select": "!Select",
    "Fn::Split": "!Split",
    "Fn::Sub": "!Sub",
    "Fn::If": "!If",
    "Fn::Equals": "!Equals",
    "Fn::Not": "!Not",
    "Fn::And": "!And",
    "Fn::Or": "!Or",
}


class _Tagged:
    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _CfnDumper(_Dumper):
    """A safe dumper that knows tagged intrinsics and never emits aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """The serializer asks this twice per scalar; a template repeats most of them."""
        if kind is yaml.ScalarNode:
            return _resolve(kind, value, implicit)
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_CfnDumper.add_representer(_Tagged, _represent_tagged)


def _short(node: Any) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, value),) = node.items()
            if (
                key == "Fn::GetAtt"
                and isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, str) for v in value)
                and "." not in value[0]  # a logical id never has one; the short form splits there
            ):
                return _Tagged("!GetAtt", f"{value[0]}.{value[1]}")
            if key in _SHORT and isinstance(value, (str, list, dict)):
                # A tagged scalar reads back as text: a number or boolean keeps the long form.
                inner = _short(value)
                # One node carries one tag: `Fn::GetAZs: !Ref AWS::Region` stays long outside.
                return {key: inner} if isinstance(inner, _Tagged) else _Tagged(_SHORT[key], inner)
        return {k: _short(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_short(v) for v in node]
    return node


def dumps(template: Mapping[str, Any]) -> str:
    """YAML text of a CloudFormation template dict.

    The same text as ``yaml.dump(_short(template), Dumper=_CfnDumper, sort_keys=True,
    default_flow_style=False, allow_unicode=True, width=120)`` (a test holds it so), in a
    third of the time: the representation nodes are built in one pass with the short forms
    (PyYAML's representer asks a dozen questions of every value), and libyaml emits them.
    """
    return str(
        yaml.serialize(_node(dict(template)), Dumper=_CfnDumper, allow_unicode=True, width=120)
    )


_STR, _INT, _BOOL, _NULL, _FLOAT, _MAP, _SEQ = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float", "map", "seq")
)


def _node(data: Any) -> yaml.Node:
    """The node SafeRepresenter makes of ``_short(data)``: same tags, styles and order."""
    kind = type(data)
    if kind is str:
        return yaml.ScalarNode(_STR, data)
    if kind is dict:
        if len(data) == 1:
            tagged = _intrinsic(data)
            if tagged is not None:
                return tagged
        items = [(_node(k), _node(v)) for k, v in sorted(data.items())]
        return yaml.MappingNode(_MAP, items, flow_style=False)
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_node(v) for v in data], flow_style=False)
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if data else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(data))
    if data is None:
        return yaml.ScalarNode(_NULL, "null")
    if kind is float:
        return yaml.ScalarNode(_FLOAT, _float(data))
    raise yaml.representer.RepresenterError(f"cannot represent an object: {data!r}")


def _float(data: float) -> str:
    """SafeRepresenter.represent_float's text."""
    if data != data:
        return ".nan"
    if data in (float("inf"), float("-inf")):
        return ".inf" if data > 0 else "-.inf"
    value = repr(data).lower()
    return value.replace("e", ".0e", 1) if "." not in value and "e" in value else value


def _intrinsic(data: dict[str, Any]) -> yaml.Node | None:
    """The short form of a one-key intrinsic, as :func:`_short` decides it; else None."""
    ((key, value),) = data.items()
    if (
        key == "Fn::GetAtt"
        and type(value) is list
        and len(value) == 2
        and all(isinstance(v, str) for v in value)
        and "." not in value[0]
    ):
        return yaml.ScalarNode("!GetAtt", f"{value[0]}.{value[1]}")
    if key in _SHORT and isinstance(value, (str, list, dict)):
        inner = _node(value)
        if inner.tag.startswith("!"):  # one tag per node: the outer one stays long
            return None
        inner.tag = _SHORT[key]
        return inner
    return None


@functools.lru_cache(maxsize=1 << 16)
def _resolve(kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    return str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


_RESOLVER = yaml.resolver.Resolver()


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads the short-form intrinsics back into their long form."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node.tag}")
    if suffix == "Ref" or suffix == "Condition":
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _construct_tagged)


def loads(text: str) -> dict[str, Any]:
    """A CloudFormation YAML template (short-form tags included) as the JSON-shaped dict."""
    data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    if not isinstance(data, dict):
        raise ValueError("a template is a mapping at the top level")
    return data
