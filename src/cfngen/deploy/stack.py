"""`cfngen deploy` / `cfngen diff`: settle the stack's state, package, preview, execute, watch.

Each stack state that blocks a deploy gets its own message and way out:
busy (wait, or fail with --no-wait), ROLLBACK_COMPLETE after a failed first
create (--replace-failed, only for stacks cfngen created), UPDATE_ROLLBACK_FAILED
(--continue-rollback). An empty change set is deleted and reported as "no changes".
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.config import Config
from cfngen.contracts import MANAGED_BY_TAG
from cfngen.deploy import changeset, hooks, outputs, plan_cost, timings
from cfngen.deploy.package import upload_templates, write_packaged
from cfngen.deploy.progress import Progress, plan_deploy
from cfngen.deploy.session import EXIT_USAGE, Aws, DeployError, error_code, error_message
from cfngen.deploy.status import (
    FAILED_CREATE,
    Capability,
    ChangeSetStatus,
    ChangeSetType,
    OnStackFailure,
    StackStatus,
    in_progress,
)
from cfngen.deploy.watch import Printer, Watch, latest_event, root_cause, wait_until_idle
from cfngen.render import render

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


def today() -> date:
    return date.today()


def token() -> str:
    return f"cfngen-{uuid.uuid4()}"


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
) -> str:
    """Run ``start`` (the mutating call) and follow the events it causes (kept in ``events``)."""
    since, seen = latest_event(cfn, stack["StackId"])
    start()
    if since is None:
        from datetime import datetime

        since = datetime.min.replace(tzinfo=UTC)
    watch = Watch(cfn, stack["StackId"], stack["StackName"], printer, since, seen)
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
        raise failure(cfn, stack, final, since, _hint(final))
    return final


def _hint(final: str) -> str:
    if final == StackStatus.ROLLBACK_COMPLETE:
        return (
            "the first create failed and the stack holds nothing: fix the cause, then run "
            "deploy again with --replace-failed (or --delete-on-failure next time)"
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
                f"stack {name} is busy ({status}); run again when it is done, or drop "
                "--no-wait to wait for it"
            )
        wait_until_idle(cfn, stack["StackId"], printer)
        stack = describe(cfn, name)
        if stack is None:
            return None
        status = stack["StackStatus"]
    if status in FAILED_CREATE:
        if not opts.replace_failed:
            raise DeployError(
                f"stack {name} is in {status}: its first create failed and it holds no "
                "resources; run again with --replace-failed to delete and recreate it"
            )
        if not managed(stack):
            raise DeployError(
                f"refusing to replace stack {name}: it was not created by cfngen "
                f"(no {MANAGED_TAG[0]} tag); delete it yourself"
            )
        printer.say(f"deleting {name} ({status}) before creating it again")
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


def deploy(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    preview_only: bool = False,
) -> int:
    """The whole flow; returns the exit code or raises DeployError."""
    cfn = aws.client("cloudformation")
    name = cfg.stack_name
    stack = settle(cfn, name, describe(cfn, name), opts, printer)
    new = stack is None or stack["StackStatus"] == StackStatus.REVIEW_IN_PROGRESS
    rendered = render(cfg, ("json",))
    packaged = upload_templates(aws, cfg, rendered)
    path = write_packaged(packaged, opts.out_dir, cfg.environment)
    total = len(packaged.urls)
    printer.say(
        f"templates: {len(packaged.uploaded)} uploaded, {total - len(packaged.uploaded)} "
        f"unchanged in s3://{packaged.bucket} (packaged root: {path})"
    )
    cs = changeset.create(
        cfn,
        stack_name=name,
        template_url=packaged.root_url,
        change_set_type=ChangeSetType.CREATE if new else ChangeSetType.UPDATE,
        capabilities=capabilities(rendered.files),
        tags=stack_tags(cfg, opts.tags),
        role_arn=opts.role_arn,
        on_failure=OnStackFailure.DELETE if opts.delete_on_failure else None,
    )
    cs_id, stack_id = cs["Id"], cs["StackId"]

    def discard() -> None:
        changeset.delete(cfn, cs_id)
        if stack is None:  # we made the REVIEW_IN_PROGRESS placeholder: leave nothing behind
            cfn.delete_stack(StackName=stack_id)

    desc = changeset.wait(cfn, cs_id)
    if changeset.is_empty(desc):
        changeset.delete(cfn, cs_id)
        printer.say(f"no changes: {name} is up to date (change set deleted)")
        if not preview_only and stack is not None:
            _finish(aws, cfg, opts, printer, outputs.from_stack(stack))
        return 0
    if desc["Status"] == ChangeSetStatus.FAILED:
        discard()
        raise DeployError(f"change set for {name} failed: {desc.get('StatusReason', '')}")
    children = changeset.children_from_rendered(
        rendered.files, json.loads(rendered.files["root.json"])
    )
    changes = changeset.collect(cfn, desc, children)
    printer.say(f"changes to {name} ({'create' if new else 'update'}):")
    printer.say(changeset.table(changes))
    printer.say(changeset.summary(changes))
    for line in plan_cost.lines(
        cfn, None if new else stack_id, rendered.files, aws.region, today()
    ):
        printer.say(line)
    history_file = timings.path(opts.out_dir, cfg.environment)
    estimate, lines = plan_deploy(
        rendered.files, aws.region, None if new else changes, timings.load(history_file)
    )
    for line in lines:
        printer.say(line)
    if preview_only:
        discard()
        printer.say("change set deleted (preview only)")
        return 0
    if not opts.yes:
        if not opts.interactive:
            discard()
            raise DeployError("no terminal to confirm on: pass --yes to deploy", EXIT_USAGE)
        if not confirm(f"Execute these changes to {name}? [y/N] "):
            discard()
            printer.say("not executed; change set deleted")
            return 1
    live = {"StackId": stack_id, "StackName": name}
    since, _ = latest_event(cfn, stack_id)
    events: list[StackEventTypeDef] = []
    printer.progress = Progress(estimate, printer.elapsed())
    try:
        final = start_and_watch(
            cfn,
            live,
            printer,
            lambda: cfn.execute_change_set(ChangeSetName=cs_id, ClientRequestToken=token()),
            events,
        )
    finally:
        printer.progress = None
        timings.record(history_file, events)  # what finished counts, even if others failed
    if final not in (StackStatus.CREATE_COMPLETE, StackStatus.UPDATE_COMPLETE):
        raise failure(cfn, live, final, since, _hint(final))
    if new and cfg.deploy.termination_protection:
        cfn.update_termination_protection(StackName=stack_id, EnableTerminationProtection=True)
        printer.say("termination protection turned on")
    after = describe(cfn, stack_id) or {}
    _finish(aws, cfg, opts, printer, outputs.from_stack(after))
    return 0


def _finish(
    aws: Aws, cfg: Config, opts: DeployOptions, printer: Printer, values: dict[str, str]
) -> None:
    path = outputs.save(values, opts.out_dir, cfg.environment)
    printer.say(f"outputs ({path}):")
    printer.say(outputs.table(values))
    post = hooks.post_deploy_hooks()
    if post:
        ctx = hooks.HookContext(
            cfg=cfg,
            session=aws.session,
            region=aws.region,
            endpoint_url=aws.endpoint_url,
            stack_name=cfg.stack_name,
            outputs=values,
            say=printer.say,
            options=opts.hook_options,
        )
        hooks.run(post, ctx)
