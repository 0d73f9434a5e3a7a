"""Change sets on the root with IncludeNestedStacks: create, wait, read per stack, print.

CloudFormation gives each modified nested stack its own change set; we follow
``ResourceChange.ChangeSetId`` down so the preview shows what happens inside
each nested stack. A nested stack that is being added has no change set yet:
its resources are listed from the template we are about to upload.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfngen.deploy.session import DeployError
from cfngen.deploy.status import (
    CHANGE_SET_SETTLED,
    Capability,
    ChangeAction,
    ChangeSetStatus,
    ChangeSetType,
    OnStackFailure,
    Replacement,
)

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import (
        CreateChangeSetInputTypeDef,
        CreateChangeSetOutputTypeDef,
        DescribeChangeSetOutputTypeDef,
    )

NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed")
NESTED_TYPE = "AWS::CloudFormation::Stack"
REPLACEMENT_WORDS: dict[str, str] = {
    Replacement.TRUE: "yes",
    Replacement.FALSE: "no",
    Replacement.CONDITIONAL: "conditional",
}


@dataclass(frozen=True)
class Change:
    stack: str  # "root" or the path of nested logical ids, e.g. "Network"
    action: str  # Add | Modify | Remove | Import | Dynamic
    logical_id: str
    resource_type: str
    replacement: str  # True | False | Conditional | "" (not applicable)


def new_name() -> str:
    return f"cfngen-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"


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
) -> CreateChangeSetOutputTypeDef:
    name = new_name()
    args: CreateChangeSetInputTypeDef = {
        "StackName": stack_name,
        "ChangeSetName": name,
        "TemplateURL": template_url,
        "ChangeSetType": change_set_type.value,
        "Capabilities": [c.value for c in capabilities],
        "IncludeNestedStacks": True,
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        "ClientToken": name,
        "Description": "cfngen deploy",
    }
    if role_arn:
        args["RoleARN"] = role_arn
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
    desc = cfn.describe_change_set(ChangeSetName=change_set_id)
    token = desc.get("NextToken")
    while token:
        page = cfn.describe_change_set(ChangeSetName=change_set_id, NextToken=token)
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
) -> list[Change]:
    """Every change, root first, then inside each nested stack (recursively)."""
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
            out.extend(collect(cfn, describe_all(cfn, child_id), children, path))
        elif action == ChangeAction.ADD and lid in children:
            for rid, res in sorted(children[lid].get("Resources", {}).items()):
                out.append(Change(path, ChangeAction.ADD, rid, str(res.get("Type", "")), ""))
    return out


def children_from_rendered(files: Mapping[str, bytes], root: Mapping[str, Any]) -> dict[str, Any]:
    """Nested logical id -> parsed child template, from the rendered files the root names."""
    out: dict[str, Any] = {}
    for lid, res in root.get("Resources", {}).items():
        url = str(res.get("Properties", {}).get("TemplateURL", ""))
        if res.get("Type") == NESTED_TYPE and url in files:
            out[lid] = json.loads(files[url])
    return out


def table(changes: list[Change]) -> str:
    rows = [("STACK", "ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT")]
    for c in changes:
        replacement = REPLACEMENT_WORDS.get(c.replacement, "-")
        rows.append((c.stack, c.action, c.logical_id, c.resource_type, replacement))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def summary(changes: list[Change]) -> str:
    counts: dict[str, int] = {}
    for c in changes:
        if c.resource_type != NESTED_TYPE:
            counts[c.action] = counts.get(c.action, 0) + 1
    stacks = len({c.stack for c in changes})
    parts = ", ".join(f"{n} to {a.lower()}" for a, n in sorted(counts.items()))
    return f"{parts or 'only nested stack changes'} across {stacks} stack(s)"


def delete(cfn: CloudFormationClient, change_set_id: str) -> None:
    cfn.delete_change_set(ChangeSetName=change_set_id)
