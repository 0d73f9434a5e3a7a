"""Two deploys of one stack at once: find the other one and stop, never let the last one win.

Before a deploy starts, and again right before it executes, it looks for another cfngen
deploy's change set on the stack (pending confirmation, or executing) and, before
executing, checks that the stack is exactly as it was when the plan was made (status and
last update time). Either finding stops this run with exit 1 and says who (user@host)
started the other operation and when, from the change-set name or the stack events'
request token (:mod:`cfngen.deploy.operator`). An ExecuteChangeSet that CloudFormation
refuses anyway is explained the same way instead of surfacing as a raw API error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.deploy import operator
from cfngen.deploy.session import EXIT_FAILED, DeployError, error_code, error_message
from cfngen.deploy.status import ChangeSetStatus, in_progress
from cfngen.deploy.watch import started_by

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import ChangeSetSummaryTypeDef

RETRY = "run cfngen deploy again for a fresh plan"
OPEN = ("AVAILABLE", "EXECUTE_IN_PROGRESS", "UNAVAILABLE")  # ExecutionStatus of a live one
CREATING = (ChangeSetStatus.CREATE_PENDING, ChangeSetStatus.CREATE_IN_PROGRESS)


def change_sets(cfn: CloudFormationClient, stack_name: str) -> list[ChangeSetSummaryTypeDef]:
    """The stack's change sets (every page); none when the stack does not exist."""
    out: list[ChangeSetSummaryTypeDef] = []
    try:
        for page in cfn.get_paginator("list_change_sets").paginate(StackName=stack_name):
            out.extend(page.get("Summaries", []))
    except ClientError as exc:
        if "does not exist" in error_message(exc):
            return out
        raise
    return out


def _open(summary: ChangeSetSummaryTypeDef) -> bool:
    status = str(summary.get("Status", ""))
    execution = str(summary.get("ExecutionStatus", ""))
    if status in CREATING:
        return True
    return status == ChangeSetStatus.CREATE_COMPLETE and execution in OPEN


def other_deploy(cfn: CloudFormationClient, stack_name: str, mine: str | None = None) -> str | None:
    """A line naming another cfngen deploy's live change set on the stack, if there is one."""
    for summary in change_sets(cfn, stack_name):
        name = str(summary.get("ChangeSetName", ""))
        if summary.get("ParentChangeSetId") or (mine and name.startswith(mine)):
            continue  # a nested stack's part of a change set (ours or another's root)
        parsed = operator.parse(name)
        if parsed is None or parsed.verb != "deploy" or not _open(summary):
            continue
        state = (
            "executing"
            if summary.get("ExecutionStatus") == "EXECUTE_IN_PROGRESS"
            else "waiting for confirmation"
        )
        return (
            f"another {parsed} is {state} on stack {stack_name} (change set {name}). Let it "
            f"finish first; if it was abandoned, remove it with: aws cloudformation "
            f"delete-change-set --stack-name {stack_name} --change-set-name {name}"
        )
    return None


def check_no_other(cfn: CloudFormationClient, stack_name: str, mine: str | None = None) -> None:
    found = other_deploy(cfn, stack_name, mine)
    if found:
        raise DeployError(found, EXIT_FAILED)


def changed_since(
    cfn: CloudFormationClient, seen: Mapping[str, Any] | None, now: Mapping[str, Any] | None
) -> str | None:
    """Why the stack is not what the plan was made against, or None if it is."""
    if seen is None:  # the plan creates the stack: only our placeholder may be there
        if now is None:
            return "its placeholder stack (REVIEW_IN_PROGRESS) was deleted by someone else"
        return None
    if now is None:
        return "it was deleted"
    if now.get("StackId") != seen.get("StackId"):
        return "it was deleted and created again"
    status, before = str(now.get("StackStatus", "")), str(seen.get("StackStatus", ""))
    who = started_by(cfn, str(now["StackId"]))
    if in_progress(status):
        return f"an operation is running on it ({status}{who})"
    if now.get("LastUpdatedTime") != seen.get("LastUpdatedTime") or status != before:
        when = now.get("LastUpdatedTime")
        stamp = f" at {when:%Y-%m-%d %H:%M:%SZ}" if when is not None else ""
        return f"it was changed{stamp} ({status}{who})"
    return None


def refused(exc: ClientError, stack_name: str, who: str) -> DeployError:
    """ExecuteChangeSet refused (deleted by another execution, stack busy): one clear line."""
    return DeployError(
        f"the change set for {stack_name} could not be executed: {error_code(exc)}: "
        f"{error_message(exc)}. Most likely another deploy changed the stack since this plan"
        f"{who}; nothing was executed by this run; {RETRY}",
        EXIT_FAILED,
    )
