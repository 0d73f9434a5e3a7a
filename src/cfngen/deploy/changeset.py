"""Change sets on the root with IncludeNestedStacks: create, wait, read per stack.

CloudFormation gives each modified nested stack its own change set; we follow
``ResourceChange.ChangeSetId`` down so the preview shows what happens inside
each nested stack, with every changed property's before and after value
(``IncludePropertyValues``). A nested stack that is being added has no change set
yet: its resources are listed from the template we are about to upload. How a plan
is printed is :mod:`cfngen.deploy.plan_view`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from cfngen.deploy.operator import Operator
from cfngen.deploy.session import DeployError
from cfngen.deploy.status import (
    CHANGE_SET_SETTLED,
    Capability,
    ChangeAction,
    ChangeSetStatus,
    ChangeSetType,
    OnStackFailure,
)
from cfngen.resource_diff import (
    AttributeChange,
    ChangeSource,
    Detail,
    Evaluation,
    Recreation,
    ResourceChange,
)

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import (
        CreateChangeSetInputTypeDef,
        CreateChangeSetOutputTypeDef,
        DescribeChangeSetOutputTypeDef,
        ResourceChangeDetailTypeDef,
    )

NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed")
NESTED_TYPE = "AWS::CloudFormation::Stack"


Change = ResourceChange  # one resource of one stack in the plan (cfngen.resource_diff)


def create(
    cfn: CloudFormationClient,
    *,
    stack_name: str,
    template_url: str,
    change_set_type: ChangeSetType,
    capabilities: Sequence[Capability],
    tags: Mapping[str, str],
    role_arn: str | None,
    on_failure: OnStackFailure | None,
    who: Operator,
    parameters: Mapping[str, str] | None = None,
) -> CreateChangeSetOutputTypeDef:
    """The root change set, nested stacks included, adopting retained named resources.

    ``ImportExistingResources`` lets a deploy take back what an earlier stack kept
    (``RetainExceptOnCreate``/``Retain`` with a fixed name: an ECR repository, a log
    group) instead of failing on "already exists". ``parameters`` are the values a service
    group's stack takes from the platform root's outputs.
    """
    name = who.name
    args: CreateChangeSetInputTypeDef = {
        "StackName": stack_name,
        "ChangeSetName": name,
        "TemplateURL": template_url,
        "ChangeSetType": change_set_type.value,
        "Capabilities": [c.value for c in capabilities],
        "IncludeNestedStacks": True,
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        "ClientToken": name,
        "Description": who.description,
        "ImportExistingResources": True,
    }
    if role_arn:
        args["RoleARN"] = role_arn
    if parameters:
        args["Parameters"] = [
            {"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())
        ]
    if on_failure and change_set_type == ChangeSetType.CREATE:
        args["OnStackFailure"] = on_failure.value
    return cfn.create_change_set(**args)


def wait(
    cfn: CloudFormationClient, change_set_id: str, sleep: Callable[[float], None] = time.sleep
) -> DescribeChangeSetOutputTypeDef:
    """Poll until the change set is ready or failed (first look at once, then backing off)."""
    delay = 0.5
    deadline = time.monotonic() + 900
    while True:
        desc = describe_all(cfn, change_set_id)
        if desc["Status"] in CHANGE_SET_SETTLED:
            return desc
        if time.monotonic() > deadline:
            raise DeployError(f"change set {change_set_id} still {desc['Status']} after 15 min")
        sleep(delay)
        delay = min(delay * 1.5, 5.0)


def describe_all(cfn: CloudFormationClient, change_set_id: str) -> DescribeChangeSetOutputTypeDef:
    """DescribeChangeSet with every page of Changes."""
    desc = cfn.describe_change_set(ChangeSetName=change_set_id, IncludePropertyValues=True)
    token = desc.get("NextToken")
    while token:
        page = cfn.describe_change_set(
            ChangeSetName=change_set_id, NextToken=token, IncludePropertyValues=True
        )
        desc["Changes"] = [*desc.get("Changes", []), *page.get("Changes", [])]
        token = page.get("NextToken")
    return desc


def is_empty(desc: DescribeChangeSetOutputTypeDef) -> bool:
    reason = str(desc.get("StatusReason") or "")
    return desc.get("Status") == ChangeSetStatus.FAILED and any(
        r in reason for r in NO_CHANGE_REASONS
    )


def collect(
    cfn: CloudFormationClient,
    desc: DescribeChangeSetOutputTypeDef,
    children: Mapping[str, Mapping[str, Any]],
    prefix: str = "root",
    adopted: frozenset[tuple[str, str]] = frozenset(),
) -> list[Change]:
    """Every change, root first, then inside each nested stack (recursively).

    A nested stack being created has no change set of its own: its resources are listed
    from the rendered template, as Import where the preflight found them to adopt.
    """
    out: list[Change] = []
    nested: list[tuple[str, str | None, str]] = []
    for item in desc.get("Changes", []):
        rc = item.get("ResourceChange", {})
        change = Change(
            stack=prefix,
            action=str(rc.get("Action", "")),
            logical_id=str(rc.get("LogicalResourceId", "")),
            resource_type=str(rc.get("ResourceType", "")),
            replacement=str(rc.get("Replacement") or ""),
            details=tuple(_detail(d) for d in rc.get("Details", [])),
            physical_id=str(rc.get("PhysicalResourceId") or ""),
        )
        out.append(change)
        if change.resource_type == NESTED_TYPE and change.action in (
            ChangeAction.ADD,
            ChangeAction.MODIFY,
        ):
            nested.append((change.logical_id, rc.get("ChangeSetId"), change.action))
    for lid, child_id, action in nested:
        path = lid if prefix == "root" else f"{prefix}/{lid}"
        if child_id:
            out.extend(collect(cfn, describe_all(cfn, child_id), children, path, adopted))
        elif action == ChangeAction.ADD and lid in children:
            for rid, res in sorted(children[lid].get("Resources", {}).items()):
                rtype = str(res.get("Type", ""))
                names = {v for v in (res.get("Properties") or {}).values() if isinstance(v, str)}
                act = (
                    ChangeAction.IMPORT
                    if any((rtype, n) in adopted for n in names)
                    else ChangeAction.ADD
                )
                out.append(Change(path, act, rid, rtype, ""))
    return out


def _detail(d: ResourceChangeDetailTypeDef) -> Detail:
    """One ``Details`` entry of DescribeChangeSet (with IncludePropertyValues) as a Detail."""
    target = d.get("Target", {})
    attribute = str(target.get("Attribute", "Properties"))
    name = str(target.get("Name") or attribute)
    path = str(target.get("Path") or (f"/Properties/{name}" if attribute == "Properties" else ""))
    return Detail(
        name=name,
        path=path or f"/{attribute}",
        before=target.get("BeforeValue"),
        after=target.get("AfterValue"),
        change_type=_enum(AttributeChange, target.get("AttributeChangeType"), "Modify"),
        recreation=_enum(Recreation, target.get("RequiresRecreation"), "Never"),
        evaluation=_enum(Evaluation, d.get("Evaluation"), "Static"),
        source=_enum(ChangeSource, d.get("ChangeSource"), "DirectModification"),
        causing_entity=d.get("CausingEntity"),
        attribute=attribute,
    )


E = TypeVar("E", bound=StrEnum)


def _enum(kind: type[E], value: object, default: str) -> E:
    try:
        return kind(str(value or default))
    except ValueError:  # a value AWS added later: the default's meaning
        return kind(default)


def children_from_rendered(files: Mapping[str, bytes], root: Mapping[str, Any]) -> dict[str, Any]:
    """Nested logical id -> parsed child template, from the rendered files the root names."""
    out: dict[str, Any] = {}
    for lid, res in root.get("Resources", {}).items():
        url = str(res.get("Properties", {}).get("TemplateURL", ""))
        if res.get("Type") == NESTED_TYPE and url in files:
            out[lid] = json.loads(files[url])
    return out


def delete(cfn: CloudFormationClient, change_set_id: str) -> None:
    cfn.delete_change_set(ChangeSetName=change_set_id)
