"""The templates a stack tree runs now (GetTemplate on the root and every nested stack).

What the plan's cost change compares the new templates with. Nested stacks are found
through the root's resources (their physical IDs), so the tree is read as deployed,
however the templates were uploaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml
from botocore.exceptions import ClientError

from cfngen.preview.templates import NESTED_TYPE, TemplateSet


def template_body(cfn: Any, stack_id: str) -> dict[str, Any] | None:
    """The template a stack was deployed with, parsed; None when unreadable."""
    try:
        body = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    except ClientError:
        return None
    if isinstance(body, Mapping):
        return dict(body)
    try:
        return dict(json.loads(body))
    except ValueError:
        pass
    try:  # YAML with short-form tags: the tags are dropped, the structure is what counts
        data = yaml.load(body, Loader=_TolerantLoader)
    except yaml.YAMLError:
        return None
    return dict(data) if isinstance(data, Mapping) else None


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!Ref x`` as ``{"Ref": x}`` (and other short forms alike)."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_TolerantLoader.add_multi_constructor("!", _short_form)


def nested_ids(cfn: Any, stack_id: str) -> dict[str, str]:
    """Logical ID -> physical stack ID of the nested stacks of one stack."""
    out: dict[str, str] = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id):
        for res in page.get("StackResourceSummaries", []):
            physical = res.get("PhysicalResourceId") or ""
            if res.get("ResourceType") == NESTED_TYPE and physical.startswith("arn:"):
                out[res["LogicalResourceId"]] = physical
    return out


def deployed_templates(cfn: Any, stack_id: str, region: str) -> TemplateSet | None:
    """The whole deployed tree, or None when the root's template cannot be read."""
    root = template_body(cfn, stack_id)
    if root is None:
        return None
    ids: dict[str, str] = {"root": stack_id}
    listed: dict[str, dict[str, str]] = {}

    def child(path: str, lid: str, _res: Mapping[str, Any]) -> Mapping[str, Any] | None:
        parent = path.rsplit("/", 1)[0] if "/" in path else "root"
        if parent not in ids:
            return None
        if parent not in listed:
            listed[parent] = nested_ids(cfn, ids[parent])
        physical = listed[parent].get(lid)
        if physical is None:
            return None
        ids[path] = physical
        return template_body(cfn, physical)

    return TemplateSet.build(root, child, region)
