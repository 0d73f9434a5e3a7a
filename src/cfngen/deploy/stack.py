"""The root stack's state before a deploy, and the pieces every stack operation shares.

Each stack state that blocks a deploy gets its own message and way out: busy (wait,
naming whose operation it is, or fail with --no-wait), ROLLBACK_COMPLETE after a failed
first create (replaced by itself when cfngen created the stack: it holds nothing),
CREATE_FAILED / ROLLBACK_FAILED (--replace-failed), UPDATE_ROLLBACK_FAILED
(--continue-rollback). The deploy itself is :mod:`cfngen.deploy.flow`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.config import Config
from cfngen.contracts import MANAGED_BY_TAG
from cfngen.deploy import operator
from cfngen.deploy.rollouts import Rollouts
from cfngen.deploy.session import DeployError, error_code, error_message
from cfngen.deploy.status import (
    FAILED_CREATE,
    Capability,
    StackStatus,
    in_progress,
)
from cfngen.deploy.watch import (
    Printer,
    Watch,
    latest_event,
    root_cause,
    started_by,
    wait_until_idle,
)

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import StackEventTypeDef

MANAGED_TAG = (MANAGED_BY_TAG, "cfngen")
IAM_NAME_PROPS = ("RoleName", "PolicyName", "ManagedPolicyName", "UserName", "GroupName")


@dataclass(frozen=True)
class DeployOptions:
    yes: bool = False
    interactive: bool = False  # a terminal to ask on
    no_wait: bool = False
    replace_failed: bool = False
    delete_on_failure: bool = False
    continue_rollback: bool = False
    role_arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    out_dir: Path = Path("output")
    hook_options: Mapping[str, Any] = field(default_factory=dict)
    exit_code: bool = False  # diff --exit-code: 3 when there are changes


def today() -> date:
    return date.today()


def token(verb: str = "deploy") -> str:
    """A ClientRequestToken that says who started the operation (see deploy.operator)."""
    return operator.current(verb).name


def describe(cfn: CloudFormationClient, name: str) -> dict[str, Any] | None:
    """The live stack, or None when there is none (never created, or deleted)."""
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if error_code(exc) == "ValidationError" and "does not exist" in error_message(exc):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] != StackStatus.DELETE_COMPLETE]
    return dict(live[0]) if live else None


def capabilities(files: Mapping[str, bytes]) -> list[Capability]:
    """What CloudFormation must be told the templates do (IAM, named IAM, macros)."""
    import json

    caps: set[Capability] = set()
    for name, data in files.items():
        if not name.endswith(".json") or "/" in name:
            continue
        tmpl = json.loads(data)
        if tmpl.get("Transform"):
            caps.add(Capability.AUTO_EXPAND)
        for res in tmpl.get("Resources", {}).values():
            if str(res.get("Type", "")).startswith("AWS::IAM::"):
                props = res.get("Properties", {})
                named = any(p in props for p in IAM_NAME_PROPS)
                caps.add(Capability.NAMED_IAM if named else Capability.IAM)
    return sorted(caps)


def stack_tags(cfg: Config, extra: Mapping[str, str]) -> dict[str, str]:
    tags = {"cfngen:name": cfg.name, "cfngen:environment": cfg.environment, **cfg.tags}
    tags.update(extra)
    tags[MANAGED_TAG[0]] = MANAGED_TAG[1]
    return tags


def managed(stack: Mapping[str, Any]) -> bool:
    return any((t["Key"], t["Value"]) == MANAGED_TAG for t in stack.get("Tags") or [])


def start_and_watch(
    cfn: CloudFormationClient,
    stack: Mapping[str, Any],
    printer: Printer,
    start: Callable[[], Any],
    events: list[StackEventTypeDef] | None = None,
    rollouts: Rollouts | None = None,
) -> str:
    """Run ``start`` (the mutating call) and follow the events it causes (kept in ``events``)
    and, given ``rollouts``, the ECS blue/green rollouts they start."""
    since, seen = latest_event(cfn, stack["StackId"])
    start()
    if since is None:
        from datetime import datetime

        since = datetime.min.replace(tzinfo=UTC)
    watch = Watch(cfn, stack["StackId"], stack["StackName"], printer, since, seen)
    watch.rollouts = rollouts
    if events is not None:
        watch.events = events
    return watch.run()


def failure(
    cfn: CloudFormationClient, stack: Mapping[str, Any], final: str, since: Any, hint: str
) -> DeployError:
    """The error for an operation that ended in ``final``: its root cause and the way out."""
    cause = root_cause(cfn, stack["StackId"], since) if since is not None else None
    lines = [f"stack {stack['StackName']} ended in {final}"]
    if cause:
        lines.append(f"  cause: {cause}")
    if hint:
        lines.append(f"  {hint}")
    return DeployError("\n".join(lines))


def _run_and_check(
    cfn: CloudFormationClient,
    stack: Mapping[str, Any],
    printer: Printer,
    start: Callable[[], Any],
    want: StackStatus,
) -> str:
    since, _ = latest_event(cfn, stack["StackId"])
    final = start_and_watch(cfn, stack, printer, start)
    if final != want:
        raise failure(cfn, stack, final, since, hint(final))
    return final


def hint(final: str) -> str:
    if final == StackStatus.ROLLBACK_COMPLETE:
        return (
            "the first create failed and was rolled back, deleting what it had created: fix "
            "the cause, then run deploy again (it replaces the empty stack by itself)"
        )
    if final == StackStatus.UPDATE_ROLLBACK_FAILED:
        return "fix the cause, then run deploy again with --continue-rollback"
    if final == StackStatus.DELETE_COMPLETE:
        return "the create failed and the stack was deleted (--delete-on-failure)"
    if final == StackStatus.UPDATE_ROLLBACK_COMPLETE:
        return "the update was rolled back; the stack is as before and can be deployed again"
    return ""


def settle(
    cfn: CloudFormationClient,
    name: str,
    stack: dict[str, Any] | None,
    opts: DeployOptions,
    printer: Printer,
) -> dict[str, Any] | None:
    """Bring the stack to a state a change set can start from, or explain why not."""
    if stack is None:
        return None
    status = stack["StackStatus"]
    if in_progress(status):
        if opts.no_wait:
            raise DeployError(
                f"stack {name} is busy ({status}){started_by(cfn, stack['StackId'])}; run "
                "again when it is done, or drop --no-wait to wait for it"
            )
        wait_until_idle(cfn, stack["StackId"], printer)
        stack = describe(cfn, name)
        if stack is None:
            return None
        status = stack["StackStatus"]
    if status in FAILED_CREATE:
        # ROLLBACK_COMPLETE holds nothing (the rollback deleted what the create made), so a
        # cfngen stack in it is replaced without asking; the other failed-create states may
        # still hold resources and need --replace-failed.
        empty = status == StackStatus.ROLLBACK_COMPLETE
        if not (opts.replace_failed or (empty and managed(stack))):
            raise DeployError(
                f"stack {name} is in {status}: its first create failed; run again with "
                "--replace-failed to delete it (and what it still holds) and create it again"
            )
        if not managed(stack):
            raise DeployError(
                f"refusing to replace stack {name}: it was not created by cfngen "
                f"(no {MANAGED_TAG[0]} tag); delete it yourself"
            )
        printer.say(
            f"stack {name} is {status} from a failed first create; deleting it before "
            "creating it again"
        )
        _run_and_check(
            cfn,
            stack,
            printer,
            lambda: cfn.delete_stack(StackName=stack["StackId"], ClientRequestToken=token()),
            StackStatus.DELETE_COMPLETE,
        )
        return None
    if status == StackStatus.UPDATE_ROLLBACK_FAILED:
        if not opts.continue_rollback:
            raise DeployError(
                f"stack {name} is in UPDATE_ROLLBACK_FAILED: fix what blocks the rollback, "
                "then run again with --continue-rollback"
            )
        printer.say(f"continuing the rollback of {name}")
        args: dict[str, Any] = {"StackName": stack["StackId"], "ClientRequestToken": token()}
        if opts.role_arn:
            args["RoleARN"] = opts.role_arn
        _run_and_check(
            cfn,
            stack,
            printer,
            lambda: cfn.continue_update_rollback(**args),
            StackStatus.UPDATE_ROLLBACK_COMPLETE,
        )
        return describe(cfn, name)
    if status == StackStatus.DELETE_FAILED:
        raise DeployError(f"stack {name} is in DELETE_FAILED; run cfngen destroy to finish it")
    return stack
