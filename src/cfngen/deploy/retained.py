"""What a delete keeps: resources whose DeletionPolicy retains them, and how to remove them.

Read before the delete (the stacks' templates and resources, nested stacks included),
printed after it: each kept resource with its type and name or ARN, and the AWS CLI
command that removes it. A later ``cfngen deploy`` adopts the named ones again
(``ImportExistingResources``), so keeping them is safe; removing them is a choice.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfngen.deploy.deployed import parse_body

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import StackResourceSummaryTypeDef

KEEPING = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
NESTED_TYPE = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class Kept:
    stack: str  # "root" or the nested path
    logical_id: str
    resource_type: str
    physical_id: str
    policy: str


def _template(cfn: CloudFormationClient, stack_id: str) -> Mapping[str, Any]:
    body: Any = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    return parse_body(body) or {}


def _resources(cfn: CloudFormationClient, stack_id: str) -> list[StackResourceSummaryTypeDef]:
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id)
    return [res for page in pages for res in page.get("StackResourceSummaries", [])]


def collect(cfn: CloudFormationClient, stack_id: str, label: str = "root") -> list[Kept]:
    """Every resource of the stack tree that a delete of it would keep."""
    resources = dict(_template(cfn, stack_id).get("Resources") or {})
    kept: list[Kept] = []
    for res in _resources(cfn, stack_id):
        lid = str(res.get("LogicalResourceId", ""))
        physical = str(res.get("PhysicalResourceId") or "")
        rtype = str(res.get("ResourceType", ""))
        if not physical or str(res.get("ResourceStatus", "")).startswith("DELETE_"):
            continue
        if rtype == NESTED_TYPE:
            kept.extend(collect(cfn, physical, lid if label == "root" else f"{label}/{lid}"))
            continue
        policy = str((resources.get(lid) or {}).get("DeletionPolicy", "Delete"))
        if policy in KEEPING:
            kept.append(Kept(label, lid, rtype, physical, policy))
    return kept


def removal(k: Kept, region: str, endpoint_url: str | None) -> str:
    """The AWS CLI command that deletes a kept resource."""
    q = shlex.quote
    name = k.physical_id
    if k.resource_type == "AWS::ECR::Repository":
        cmd = f"aws ecr delete-repository --repository-name {q(name)} --force"
    elif k.resource_type == "AWS::Logs::LogGroup":
        cmd = f"aws logs delete-log-group --log-group-name {q(name)}"
    elif k.resource_type == "AWS::KMS::Key":
        cmd = f"aws kms schedule-key-deletion --key-id {q(name)} --pending-window-in-days 7"
    elif k.resource_type == "AWS::S3::Bucket":
        cmd = f"aws s3 rb {q('s3://' + name)} --force"
    else:
        cmd = (
            f"aws cloudcontrol delete-resource --type-name {k.resource_type} --identifier {q(name)}"
        )
    cmd += f" --region {region}"
    if endpoint_url:
        cmd += f" --endpoint-url {endpoint_url}"
    return cmd


def lines(kept: list[Kept], region: str, endpoint_url: str | None) -> list[str]:
    """The closing report of a destroy: what it kept and how to remove each."""
    if not kept:
        return ["kept: nothing (no resource of these stacks is retained on delete)"]
    out = [
        f"kept {len(kept)} resource{'s' if len(kept) != 1 else ''} (DeletionPolicy retains "
        "them; the next cfngen deploy adopts the named ones again):"
    ]
    width = max(len(k.resource_type) for k in kept)
    for k in kept:
        out.append(f"  {k.resource_type.ljust(width)}  {k.physical_id}  ({k.stack}/{k.logical_id})")
    out.append("to remove them for good:")
    out.extend(f"  {removal(k, region, endpoint_url)}" for k in kept)
    return out
