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

from cfngen.cfnyaml import loads
from cfngen.preview.templates import NESTED_TYPE, TemplateSet


def template_body(cfn: Any, stack_id: str) -> dict[str, Any] | None:
    """The template a stack was deployed with, parsed; None when unreadable."""
    try:
        body = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    except ClientError:
        return None
    return parse_body(body)


def parse_body(body: Any) -> dict[str, Any] | None:
    """GetTemplate's TemplateBody (a dict, JSON or YAML with short forms) as the JSON-shaped
    dict; None when it is neither."""
    if isinstance(body, Mapping):
        return dict(body)
    try:
        return dict(json.loads(body))
    except ValueError:
        pass
    try:
        return loads(body)
    except (yaml.YAMLError, ValueError):
        return None


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
