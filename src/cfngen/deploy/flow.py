"""`cfngen deploy` / `cfngen diff`: settle, preflight, package, plan, confirm, execute, watch.

The plan is the root change set with nested stacks included, read with every changed
property's before and after value. Nothing changes before the user confirms except the
template uploads a change set needs; a plan that is declined, interrupted (Ctrl-C at
the prompt) or only previewed (``diff``) deletes its change set and, for a stack that
did not exist, the placeholder stack CloudFormation made for it. Right before executing,
the stack must be as it was when the plan was made and no other cfngen deploy may be
pending (:mod:`cfngen.deploy.concurrency`). The clock starts when the operation does,
not while the plan is read, and the run ends with "UPDATE_COMPLETE in 3m41s".
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.config import Config
from cfngen.deploy import changeset, concurrency, hooks, operator, outputs, plan_cost, timings
from cfngen.deploy import plan_view as view
from cfngen.deploy.package import upload_templates, write_packaged
from cfngen.deploy.progress import Progress, plan_deploy
from cfngen.deploy.rollouts import Rollouts
from cfngen.deploy.session import EXIT_FAILED, EXIT_USAGE, Aws, DeployError
from cfngen.deploy.stack import (
    DeployOptions,
    capabilities,
    describe,
    failure,
    hint,
    settle,
    stack_tags,
    start_and_watch,
    today,
)
from cfngen.deploy.status import (
    ChangeSetStatus,
    ChangeSetType,
    OnStackFailure,
    StackStatus,
)
from cfngen.deploy.watch import Printer, latest_event, started_by
from cfngen.render import Rendered, render

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import StackEventTypeDef

EXIT_CHANGES = 3  # diff --exit-code: there are changes
EXIT_INTERRUPTED = 130
SUCCESS = (StackStatus.CREATE_COMPLETE, StackStatus.UPDATE_COMPLETE)


class ChangeSetPlan:
    """The change set made for this run, and how to leave nothing of it behind."""

    def __init__(self, cfn: CloudFormationClient, cs_id: str, stack_id: str, new: bool) -> None:
        self.cfn, self.cs_id, self.stack_id, self.new = cfn, cs_id, stack_id, new

    def discard(self) -> None:
        """Delete the change set and, when the stack did not exist, the placeholder stack."""
        with contextlib.suppress(ClientError):  # already gone (executed elsewhere, deleted)
            changeset.delete(self.cfn, self.cs_id)
        if self.new:
            stack = describe(self.cfn, self.stack_id)
            if stack is not None and stack["StackStatus"] == StackStatus.REVIEW_IN_PROGRESS:
                self.cfn.delete_stack(StackName=self.stack_id)


def deploy(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    preview_only: bool = False,
    rendered: Rendered | None = None,
) -> int:
    """The whole flow; returns the exit code or raises DeployError."""
    cfn = aws.client("cloudformation")
    name = cfg.stack_name
    who = operator.current("diff" if preview_only else "deploy")
    rendered = rendered or render(cfg, ("json",))
    adopted = _preflight(aws, cfg, rendered, printer)  # read-only, before any change
    stack = settle(cfn, name, describe(cfn, name), opts, printer)
    if not preview_only:
        concurrency.check_no_other(cfn, name)
    new = stack is None or stack["StackStatus"] == StackStatus.REVIEW_IN_PROGRESS
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
        who=who,
    )
    plan = ChangeSetPlan(cfn, cs["Id"], cs["StackId"], stack is None)
    try:
        return _review_and_run(
            aws, cfg, opts, printer, confirm, preview_only, plan, stack, rendered, adopted
        )
    except KeyboardInterrupt:
        plan.discard()
        raise DeployError(
            "interrupted before executing: change set deleted, nothing changed", EXIT_INTERRUPTED
        ) from None


def _review_and_run(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    preview_only: bool,
    plan: ChangeSetPlan,
    stack: dict[str, Any] | None,
    rendered: Rendered,
    adopted: frozenset[tuple[str, str]] = frozenset(),
) -> int:
    cfn, name, new = plan.cfn, cfg.stack_name, plan.new or _reviewing(stack)
    desc = changeset.wait(cfn, plan.cs_id)
    if changeset.is_empty(desc):
        changeset.delete(cfn, plan.cs_id)
        printer.say(f"no changes: {name} is up to date (change set deleted)")
        if not preview_only and stack is not None:
            finish(aws, cfg, opts, printer, outputs.from_stack(stack))
        return 0
    if desc["Status"] == ChangeSetStatus.FAILED:
        plan.discard()
        raise DeployError(f"change set for {name} failed: {desc.get('StatusReason', '')}")
    children = changeset.children_from_rendered(
        rendered.files, json.loads(rendered.files["root.json"])
    )
    changes = changeset.collect(cfn, desc, children, adopted=adopted)
    printer.say(f"changes to {name} ({'create' if new else 'update'}):")
    printer.say(view.table(changes))
    printer.say(view.summary(changes))
    replaced = view.replacements(changes)
    if replaced:
        printer.say("replacements (a new resource is created and the old one deleted):")
        for line in replaced:
            printer.say(line)
    for line in plan_cost.lines(
        cfn, None if new else plan.stack_id, rendered.files, aws.region, today()
    ):
        printer.say(line)
    history_file = timings.path(opts.out_dir, cfg.environment)
    estimate, lines = plan_deploy(
        rendered.files, aws.region, None if new else changes, timings.load(history_file)
    )
    for line in lines:
        printer.say(line)
    if preview_only:
        plan.discard()
        printer.say("change set deleted (preview only)")
        return EXIT_CHANGES if opts.exit_code else 0
    if not opts.yes:
        if not opts.interactive:
            plan.discard()
            raise DeployError("no terminal to confirm on: pass --yes to deploy", EXIT_USAGE)
        if not confirm(f"Execute these changes to {name}? [y/N] "):
            plan.discard()
            printer.say("not executed; change set deleted")
            return EXIT_FAILED
    still_as_planned(cfn, plan, stack)
    return _execute(aws, cfg, opts, printer, plan, estimate, history_file, new)


def _reviewing(stack: Mapping[str, Any] | None) -> bool:
    return stack is not None and stack["StackStatus"] == StackStatus.REVIEW_IN_PROGRESS


def still_as_planned(
    cfn: CloudFormationClient, plan: ChangeSetPlan, seen: Mapping[str, Any] | None
) -> None:
    """Right before executing: the stack is as planned and no other cfngen deploy waits."""
    name = str(seen["StackName"]) if seen else plan.stack_id
    why = concurrency.changed_since(cfn, None if plan.new else seen, describe(cfn, plan.stack_id))
    other = concurrency.other_deploy(cfn, plan.stack_id, mine=_name_of(plan.cs_id))
    if why or other:
        plan.discard()
        reason = f"stack {name} changed since this plan was made: {why}" if why else str(other)
        raise DeployError(
            f"{reason}; not executed (change set deleted); {concurrency.RETRY}", EXIT_FAILED
        )


def _name_of(change_set_id: str) -> str:
    """The change-set name inside its ARN (``...:changeSet/<name>/<uuid>``)."""
    return change_set_id.split(":changeSet/")[-1].split("/")[0]


def _execute(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    plan: ChangeSetPlan,
    estimate: Any,
    history_file: Any,
    new: bool,
) -> int:
    printer.restart()  # the time spent reading the plan is not the deploy's
    printer.progress = Progress(estimate, printer.elapsed())

    def record(events: list[StackEventTypeDef]) -> None:
        printer.progress = None
        timings.record(history_file, events)  # what finished counts, even if others failed

    rollouts = None if new else Rollouts(aws.client("ecs"), printer.note)
    run_plan(cfg, printer, plan, cfg.stack_name, new, rollouts, record)
    after = describe(plan.cfn, plan.stack_id) or {}
    finish(aws, cfg, opts, printer, outputs.from_stack(after))
    return 0


def run_plan(
    cfg: Config,
    printer: Printer,
    plan: ChangeSetPlan,
    name: str,
    new: bool,
    rollouts: Rollouts | None = None,
    watched: Callable[[list[StackEventTypeDef]], None] | None = None,
) -> str:
    """Execute a confirmed change set, follow it, and check the outcome: the final status,
    or DeployError with the root cause. ``watched`` gets the events seen, even on failure."""
    cfn = plan.cfn
    live = {"StackId": plan.stack_id, "StackName": name}
    since, _ = latest_event(cfn, plan.stack_id)
    events: list[StackEventTypeDef] = []

    def start() -> None:
        try:
            cfn.execute_change_set(
                ChangeSetName=plan.cs_id, ClientRequestToken=operator.current("deploy").name
            )
        except ClientError as exc:
            raise concurrency.refused(exc, name, started_by(cfn, plan.stack_id)) from None

    try:
        final = start_and_watch(cfn, live, printer, start, events, rollouts)
    finally:
        if watched is not None:
            watched(events)
    printer.finished(f"stack {name}", final)
    if final not in SUCCESS:
        raise failure(cfn, live, final, since, hint(final))
    _check_complete(cfn, plan.stack_id, name, final, events)
    if new and cfg.deploy.termination_protection:
        cfn.update_termination_protection(StackName=plan.stack_id, EnableTerminationProtection=True)
        printer.say("termination protection turned on")
    return final


def _check_complete(
    cfn: CloudFormationClient,
    stack_id: str,
    name: str,
    final: str,
    events: list[StackEventTypeDef],
) -> None:
    """A success the engine reports must be one: every nested stack done, outputs present.

    An engine that reports a nested stack's failure without its physical id could end the
    root in CREATE_COMPLETE with nothing behind it; a deploy never exits 0 on that.
    """
    failed = [
        f"{e.get('LogicalResourceId')} ({e.get('ResourceType')}): "
        f"{e.get('ResourceStatus')} {e.get('ResourceStatusReason') or ''}".strip()
        for e in events
        if str(e.get("ResourceStatus", "")).endswith("_FAILED")
    ]
    template: Any = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    body: Mapping[str, Any] = json.loads(template) if isinstance(template, str) else template
    stack = describe(cfn, stack_id) or {}
    have = {o["OutputKey"] for o in stack.get("Outputs") or []}
    want = {k for k, v in (body.get("Outputs") or {}).items() if "Condition" not in v}
    missing = sorted(want - have)
    if not failed and not missing:
        return
    parts = [f"stack {name} reports {final}, but the operation is not complete:"]
    if failed:
        parts.append(
            f"  failed: {failed[0]}" + (f" (+{len(failed) - 1} more)" if failed[1:] else "")
        )
    if missing:
        parts.append(f"  outputs missing: {', '.join(missing)}")
    parts.append(
        "  the engine's state is inconsistent; inspect the stack events, then run deploy again"
    )
    raise DeployError("\n".join(parts), EXIT_FAILED)


def _preflight(
    aws: Aws, cfg: Config, rendered: Rendered, printer: Printer
) -> frozenset[tuple[str, str]]:
    """Read-only checks before anything is created; what the change set will adopt."""
    from cfngen.deploy import preflight

    result = preflight.run(aws, cfg, rendered)
    for note in result.notes:
        printer.say(note)
    if result.findings:
        raise DeployError(preflight.report(result.findings), EXIT_USAGE)
    return result.adopted


def finish(
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
