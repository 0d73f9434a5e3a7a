"""A template's JSON-shaped data, as ``Template.to_dict()`` gives it, in a quarter of the time.

troposphere's ``encode_to_dict`` asks every value, strings included, whether it has a
``to_dict`` and a ``JSONrepr`` attribute; at a thousand services that walk was a third of
a generate. This one dispatches on the exact type first and only asks objects. It runs
the same validation troposphere runs (required properties, each object's ``validate``:
:mod:`cfngen.stacks.troposphere_adapter`),
and a test holds it equal to ``to_dict()`` on every example config.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWSHelperFn, BaseAWSObject, Template

from cfngen.stacks import troposphere_adapter

_PLAIN = frozenset({str, int, float, bool, type(None)})


def encode(obj: Any) -> Any:
    """``troposphere.encode_to_dict``: plain data all the way down."""
    kind = type(obj)
    if kind in _PLAIN:
        return obj
    if kind is dict:
        return {k: encode(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [encode(v) for v in obj]
    if isinstance(obj, BaseAWSObject) and kind.to_dict is BaseAWSObject.to_dict:
        if obj.do_validation:
            troposphere_adapter.validate(obj)
        if obj.properties:
            return encode(obj.resource)
        if hasattr(obj, "resource_type"):
            return {k: encode(v) for k, v in obj.resource.items() if k != "Properties"}
        return {}
    if isinstance(obj, AWSHelperFn) and kind.to_dict is AWSHelperFn.to_dict:
        return encode(obj.data)
    to_dict = getattr(obj, "to_dict", None)
    if to_dict is not None:
        return encode(to_dict())
    json_repr = getattr(obj, "JSONrepr", None)
    if json_repr is not None:
        return encode(json_repr())
    return obj


def template_dict(t: Template) -> dict[str, Any]:
    """``t.to_dict()``: the sections troposphere writes, in its order, encoded."""
    sections: dict[str, Any] = {}
    for key, value in (
        ("Description", t.description),
        ("Metadata", t.metadata),
        ("Conditions", t.conditions),
        ("Mappings", t.mappings),
        ("Outputs", t.outputs),
        ("Parameters", t.parameters),
        ("AWSTemplateFormatVersion", t.version),
        ("Transform", t.transform),
        ("Rules", t.rules),
        ("Globals", t.globals),
    ):
        if value:
            sections[key] = value
    sections["Resources"] = t.resources
    return dict(encode(sections))
