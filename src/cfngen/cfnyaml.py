"""CloudFormation YAML with short-form intrinsics (!Ref, !GetAtt ...), emitted by libyaml.

troposphere's `to_yaml` goes through cfn_flip, which costs ~40 ms per template set;
this walks the template dict once and lets PyYAML's C emitter do the rest. Output is
deterministic (sorted keys, as in JSON) and parses back to the same template.
"""

from __future__ import annotations

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
    """YAML text of a CloudFormation template dict."""
    return yaml.dump(
        _short(template),
        Dumper=_CfnDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=120,
    )


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
