"""`cfngen deploy` / `diff` of a split platform: several top-level stacks as one plan.

The root (the shared platform) is planned as a single-stack deploy plans it; each
service group ``services-GG`` gets its own change set whose parameters are the root's
current outputs. A group whose root does not exist yet, or lacks an output the group
takes, is previewed from its template (every resource listed as Add) and gets its change
set once the root has run. One combined plan and summary, one confirmation; then group
stacks the config no longer generates are deleted (their services go back into the
root), the root runs, then every group at once, each in its own thread with its own
clients. A group whose parameters the root's run changed is planned again, and asked
about again unless ``--yes``. A failed group is reported with its root cause and leaves
the others alone; the run exits 1 if any stack failed. A single-stack platform never
comes here (:mod:`cfngen.deploy.flow`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cfngen.config import Config
from cfngen.deploy import (
    changeset,
    concurrency,
    flow,
    offline,
    operator,
    outputs,
    plan_cost,
    preflight,
    timings,
    topology,
)
from cfngen.deploy import plan_view as view
from cfngen.deploy.changeset import Change
from cfngen.deploy.flow import (
    EXIT_CHANGES,
    ChangeSetPlan,
    finish,
    still_as_planned,
)
from cfngen.deploy.package import upload_templates, write_packaged
from cfngen.deploy.parallel import in_parallel, own_aws
from cfngen.deploy.preflight_base import Finding
from cfngen.deploy.preflight_moves import between_top_level
from cfngen.deploy.progress import Part, plan_waves
from cfngen.deploy.session import EXIT_FAILED, EXIT_USAGE, Aws, DeployError
from cfngen.deploy.stack import (
    DeployOptions,
    capabilities,
    describe,
    failure,
    settle,
    stack_tags,
    start_and_watch,
    today,
)
from cfngen.deploy.status import ChangeSetStatus, ChangeSetType, OnStackFailure, StackStatus
from cfngen.deploy.topology import Top, key_of, local, parameters, relabel, subtree, waves
from cfngen.deploy.watch import Interrupted, Printer, Stopped, latest_event
from cfngen.render import Rendered, render

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient


@dataclass
class Member:
    """One top-level stack in this run: its clients, live state, plan and outcome."""

    top: Top
    aws: Aws  # its own session clients (a group runs in its own thread)
    stack: dict[str, Any] | None = None
    plan: ChangeSetPlan | None = None
    values: dict[str, str] = field(default_factory=dict)  # parameters the plan was made with
    changes: list[Change] = field(default_factory=list)
    deferred: bool = False  # previewed from the template; change set made after the root
    result: str = ""  # final status, "no changes", or "" when not run
    error: str = ""

    @property
    def cfn(self) -> CloudFormationClient:
        return self.aws.client("cloudformation")

    @property
    def new(self) -> bool:
        return self.stack is None or self.stack["StackStatus"] == StackStatus.REVIEW_IN_PROGRESS

    @property
    def changed(self) -> bool:
        return self.deferred or self.plan is not None


def run(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    preview_only: bool = False,
) -> int:
    """Deploy (or preview) the platform: one stack as always, or the split plan.

    A platform of one top-level stack with no group stacks left from a split takes the
    single-stack flow unchanged.
    """
    rendered = render(cfg, ("json",))
    stacks = topology.tops(cfg, rendered)
    stale = topology.stale(aws.client("cloudformation"), cfg, stacks)
    if len(stacks) == 1 and not stale:
        return flow.deploy(aws, cfg, opts, printer, confirm, preview_only, rendered)
    return deploy(aws, cfg, opts, printer, confirm, stacks, stale, preview_only, rendered)


def deploy(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    stacks: Sequence[Top],
    stale: Sequence[Mapping[str, Any]],
    preview_only: bool = False,
    rendered: Rendered | None = None,
) -> int:
    """The whole flow over several top-level stacks; the exit code, or DeployError."""
    rendered = rendered or render(cfg, ("json",))
    members = [Member(t, aws if t.is_root else own_aws(aws)) for t in stacks]
    family = [m.top.name for m in members] + [str(s["StackName"]) for s in stale]
    adopted = _preflight(aws, cfg, rendered, members, printer, family)
    for m in members:
        m.stack = settle(m.cfn, m.top.name, describe(m.cfn, m.top.name), opts, printer)
        if not preview_only:
            concurrency.check_no_other(m.cfn, m.top.name)
    packaged = upload_templates(aws, cfg, rendered, tops=[m.top.key for m in members[1:]])
    path = write_packaged(packaged, opts.out_dir, cfg.environment)
    printer.say(
        f"templates: {len(packaged.uploaded)} uploaded, "
        f"{len(packaged.urls) - len(packaged.uploaded)} unchanged in s3://{packaged.bucket} "
        f"(packaged root: {path}; {len(members)} top-level stacks)"
    )
    urls = {"root": packaged.root_url, **packaged.tops}
    try:
        _plan(cfg, opts, rendered, members, urls, adopted)
        code = _review(aws, cfg, opts, printer, confirm, preview_only, rendered, members, stale)
    except KeyboardInterrupt:
        _discard(members)
        raise DeployError(
            "interrupted before executing: change sets deleted, nothing changed", 130
        ) from None
    if code is not None:
        return code
    try:
        with _resumable(members) as current:
            return _run(aws, cfg, opts, printer, confirm, rendered, members, stale, urls, current)
    except KeyboardInterrupt:  # between operations: what started goes on in CloudFormation
        _discard([m for m in members if not m.result])
        waiting = [m.top.name for m in members if m.changed and not m.result and not m.error]
        raise Interrupted(pending=waiting) from None
    finally:
        for m in members[1:]:
            m.aws.close()


def _preflight(
    aws: Aws,
    cfg: Config,
    rendered: Rendered,
    members: Sequence[Member],
    printer: Printer,
    family: Sequence[str],
) -> dict[str, frozenset[tuple[str, str]]]:
    """The read-only checks over each top-level stack's tree; every finding stops the run."""
    findings: list[Finding] = []
    adopted: dict[str, frozenset[tuple[str, str]]] = {}
    for m in members:
        files = Rendered(subtree(rendered.files, m.top.key))
        others = [n for n in family if n != m.top.name]
        result = preflight.run(aws, cfg, files, m.top.name, others)
        for note in result.notes:
            printer.say(note if m.top.is_root else f"{note} ({m.top.name})")
        findings.extend(result.findings)
        adopted[m.top.key] = result.adopted
    live = {m.top.key: describe(m.cfn, m.top.name) for m in members}
    ids = {k: str(s["StackId"]) for k, s in live.items() if s and _settled(s)}
    findings += between_top_level(aws.client("cloudformation"), aws.region, ids, rendered.files)
    if findings:
        raise DeployError(preflight.report(findings), EXIT_USAGE)
    return adopted


def _settled(stack: Mapping[str, Any]) -> bool:
    """A stack that holds resources (not a create's placeholder, not gone)."""
    return stack["StackStatus"] not in (StackStatus.REVIEW_IN_PROGRESS, "DELETE_COMPLETE")


def _make(cfg: Config, opts: DeployOptions, rendered: Rendered, m: Member, url: str) -> None:
    """Create the member's change set (with its parameter values) and remember it."""
    cs = changeset.create(
        m.cfn,
        stack_name=m.top.name,
        template_url=url,
        change_set_type=ChangeSetType.CREATE if m.new else ChangeSetType.UPDATE,
        capabilities=capabilities(subtree(rendered.files, m.top.key)),
        tags=stack_tags(cfg, opts.tags),
        role_arn=opts.role_arn,
        on_failure=OnStackFailure.DELETE if opts.delete_on_failure else None,
        who=operator.current("deploy"),
        parameters=m.values or None,
    )
    m.plan = ChangeSetPlan(m.cfn, cs["Id"], cs["StackId"], m.stack is None)


def _read(rendered: Rendered, m: Member, adopted: frozenset[tuple[str, str]]) -> None:
    """Wait for the member's change set and read its changes (or drop it when empty)."""
    assert m.plan is not None
    desc = changeset.wait(m.cfn, m.plan.cs_id)
    if changeset.is_empty(desc):
        changeset.delete(m.cfn, m.plan.cs_id)
        m.plan, m.changes = None, []
        return
    if desc["Status"] == ChangeSetStatus.FAILED:
        m.plan.discard()
        m.plan = None
        raise DeployError(f"change set for {m.top.name} failed: {desc.get('StatusReason', '')}")
    files = subtree(rendered.files, m.top.key)
    top = json.loads(files[f"{m.top.key}.json"])
    children = changeset.children_from_rendered(files, top)
    found = changeset.collect(m.cfn, desc, children, adopted=adopted)
    m.changes = found if m.top.is_root else relabel(found, m.top.key)


def _plan(
    cfg: Config,
    opts: DeployOptions,
    rendered: Rendered,
    members: Sequence[Member],
    urls: Mapping[str, str],
    adopted: Mapping[str, frozenset[tuple[str, str]]],
) -> None:
    """Every member's change set, or its template preview when its inputs do not exist yet."""
    root = members[0]
    _make(cfg, opts, rendered, root, urls[root.top.key])
    root_outputs = {} if root.new else outputs.from_stack(root.stack or {})
    for m in members[1:]:
        m.values, missing = parameters(m.top, root_outputs)
        if root.new or m.new or missing:  # a new group: nothing to compare, made after root
            m.deferred = True
            # What creating it adds: its templates diffed against nothing, as diff --against.
            new = offline.from_files(rendered.files)
            m.changes = offline.plan({}, new, m.aws.region, (m.top.key,))
        else:
            _make(cfg, opts, rendered, m, urls[m.top.key])
    for m in members:
        if m.plan is not None:
            _read(rendered, m, adopted.get(m.top.key, frozenset()))


def _review(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    preview_only: bool,
    rendered: Rendered,
    members: Sequence[Member],
    stale: Sequence[Mapping[str, Any]],
) -> int | None:
    """Print the combined plan and ask once; an exit code when the run ends here."""
    root = members[0]
    if not stale and not any(m.changed for m in members):
        printer.say(
            f"no changes: {root.top.name} and its {len(members) - 1} service group stacks "
            "are up to date (change sets deleted)"
        )
        if not preview_only and not root.new:
            finish(aws, cfg, opts, printer, _all_outputs(members))
        return 0
    for m in members:
        _describe(printer, m, root.top.name)
    for s in stale:
        printer.say(
            f"stack {s['StackName']} is deleted first: this config no longer generates it "
            f"(its services move to the stacks above)"
        )
    everything = [c for m in members for c in m.changes]
    printer.say(view.summary(everything) + _stale_note(stale))
    replaced = view.replacements(everything)
    if replaced:
        printer.say("replacements (a new resource is created and the old one deleted):")
        for line in replaced:
            printer.say(line)
    for line in _cost_and_duration(aws, cfg, opts, rendered, members, stale):
        printer.say(line)
    if preview_only:
        _discard(members)
        printer.say("change sets deleted (preview only)")
        return EXIT_CHANGES if opts.exit_code else 0
    if not opts.yes:
        if not opts.interactive:
            _discard(members)
            raise DeployError("no terminal to confirm on: pass --yes to deploy", EXIT_USAGE)
        others = sum(1 for m in members[1:] if m.changed) + len(stale)
        if not confirm(
            f"Execute these changes to {root.top.name} and {others} service group "
            f"stack{'s' if others != 1 else ''}? [y/N] "
        ):
            _discard(members)
            printer.say("not executed; change sets deleted")
            return EXIT_FAILED
    for m in members:
        if m.plan is not None:
            still_as_planned(m.cfn, m.plan, m.stack)
    return None


def _cost_and_duration(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    rendered: Rendered,
    members: Sequence[Member],
    stale: Sequence[Mapping[str, Any]],
) -> list[str]:
    """The monthly cost change of every top-level stack the plan touches, and the time
    of the run: the root first, then the groups at once."""
    root = members[0]
    gone = {key_of(cfg, str(s["StackName"])): s for s in stale}
    names = {m.top.key: m.top.name for m in members} | {
        k: str(s["StackName"]) for k, s in gone.items()
    }
    live = {m.top.key: str(m.stack["StackId"]) for m in members if m.stack and not m.new}
    live |= {k: str(s["StackId"]) for k, s in gone.items()}
    out = [
        f"cost and duration of the whole plan ({root.top.name} first, then "
        f"{len(members) - 1} service group stacks at once):"
    ]
    out += plan_cost.platform_lines(root.cfn, live, rendered.files, aws.region, today(), names)
    parts = {
        m.top.key: Part(
            m.top.name,
            m.top.key,
            subtree(rendered.files, m.top.key, as_root=True),
            None if m.new or m.deferred else local(m.changes, m.top.key),
        )
        for m in members
        if m.changed
    }
    order = [
        [parts[t.key] for t in wave if t.key in parts] for wave in waves([m.top for m in members])
    ]
    history = timings.load(timings.path(opts.out_dir, cfg.environment))
    return out + plan_waves(order, aws.region, history, [str(s["StackName"]) for s in stale])


def _stale_note(stale: Sequence[Mapping[str, Any]]) -> str:
    return f"; {len(stale)} group stacks to delete" if stale else ""


def _describe(printer: Printer, m: Member, root_name: str) -> None:
    if not m.changed:
        printer.say(f"no changes: {m.top.name} is up to date")
        return
    if m.deferred:
        printer.say(
            f"changes to {m.top.name} ({'create' if m.new else 'update'}, planned from its "
            f"template: its change set is made after {root_name} has run, with {root_name}'s "
            "outputs as parameters):"
        )
    else:
        printer.say(f"changes to {m.top.name} ({'create' if m.new else 'update'}):")
    printer.say(view.table(m.changes))


def _discard(members: Sequence[Member]) -> None:
    for m in members:
        if m.plan is not None:
            m.plan.discard()
            m.plan = None


def _all_outputs(members: Sequence[Member]) -> dict[str, str]:
    """Root's outputs, then each group's (distinct names), as ``outputs.json`` holds them."""
    merged: dict[str, str] = {}
    for m in members:
        live = describe(m.cfn, m.top.name)
        for k, v in outputs.from_stack(live or {}).items():
            merged.setdefault(k, v)
    return merged


@contextmanager
def _resumable(members: Sequence[Member]) -> Iterator[list[str]]:
    """Stopped watching (Ctrl-C, a lost endpoint): the error names the stacks whose
    operation goes on (the list yielded, kept naming the stacks being run) and those not
    started (their change sets deleted: a deploy run again makes them)."""
    current: list[str] = []
    try:
        yield current
    except Stopped as exc:
        names = {m.top.key: m.top.name for m in members}
        running = exc.running_as(names) or current
        waiting = [m for m in members if m.changed and not m.result and not m.error]
        waiting = [m for m in waiting if m.top.name not in running]
        _discard(waiting)
        raise exc.naming(running, [m.top.name for m in waiting]) from None


def _run(
    aws: Aws,
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    rendered: Rendered,
    members: list[Member],
    stale: Sequence[Mapping[str, Any]],
    urls: Mapping[str, str],
    current: list[str],
) -> int:
    printer.restart()
    lock = threading.Lock()
    by_key = {m.top.key: m for m in members}
    current[:] = [str(s["StackName"]) for s in stale]
    stale_results = in_parallel([_deletion(aws, s) for s in stale], printer, lock)
    if any(err for _, err in stale_results.values()):
        _discard(members)
        for m in members:
            m.error = f"stack {m.top.name}: not started: a group stack to delete is still there"
        return _summary(printer, members, stale_results)
    root = members[0]
    if stale and root.plan is not None:
        # what the deleted groups kept (log groups) is adopted by a change set made now
        root.plan.discard()
        root.stack = describe(root.cfn, root.top.name)
        _make(cfg, opts, rendered, root, urls[root.top.key])
        _read(rendered, root, frozenset())
        printer.say(f"{root.top.name}: change set made again now that the groups are gone")
    for wave in waves([m.top for m in members]):
        ready = [by_key[t.key] for t in wave]
        blocked = [m for m in ready if any(by_key[a].error for a in m.top.after if a in by_key)]
        for m in blocked:
            if m.plan is not None:
                m.plan.discard()
            m.error = (
                f"stack {m.top.name}: not started: "
                + ", ".join(by_key[a].top.name for a in m.top.after if by_key[a].error)
                + " failed"
            )
        ready = [m for m in ready if m not in blocked]
        if any(not m.top.is_root for m in ready):
            _replan(cfg, opts, printer, confirm, rendered, members[0], ready, urls)
        jobs = [(m.top.key, lambda p, m=m: _execute(cfg, p, m)) for m in ready]
        current[:] = [m.top.name for m in ready if m.plan is not None and not m.error]
        if len(jobs) == 1 and ready[0].top.is_root:
            _execute(cfg, printer, ready[0])
            continue
        for key, (_, err) in in_parallel(jobs, printer, lock).items():
            if err and not by_key[key].error:  # escaped _execute: an AWS or connection error
                by_key[key].error = f"stack {by_key[key].top.name}: {err}"
    code = _summary(printer, members, stale_results)
    finish(aws, cfg, opts, printer, _all_outputs(members))
    return code


def _replan(
    cfg: Config,
    opts: DeployOptions,
    printer: Printer,
    confirm: Callable[[str], bool],
    rendered: Rendered,
    root: Member,
    ready: Sequence[Member],
    urls: Mapping[str, str],
) -> None:
    """Make the groups' change sets whose parameters the root's run gave or changed."""
    root_outputs = outputs.from_stack(describe(root.cfn, root.top.name) or {})
    again: list[Member] = []
    for m in ready:
        values, missing = parameters(m.top, root_outputs)
        if missing:
            m.error = (
                f"stack {m.top.name}: not started: {root.top.name} lacks the outputs it "
                f"takes: {', '.join(missing)}"
            )
            continue
        if not m.deferred and values == m.values:
            continue
        if m.plan is not None:
            m.plan.discard()
        if not m.deferred:  # confirmed with other values: this is a new plan
            changed = sorted(p for p, v in values.items() if m.values.get(p) != v)
            printer.say(
                f"{m.top.name}: planned again: {root.top.name}'s run changed outputs it "
                f"takes ({', '.join(changed)})"
            )
            again.append(m)
        m.values, m.deferred = values, False
        m.stack = describe(m.cfn, m.top.name)
        _make(cfg, opts, rendered, m, urls[m.top.key])
        _read(rendered, m, frozenset())
    again = [m for m in again if m.plan is not None]
    for m in again:
        _describe(printer, m, root.top.name)
    if again and not opts.yes:
        names = ", ".join(m.top.name for m in again)
        if not opts.interactive or not confirm(
            f"{root.top.name}'s outputs these groups take changed; execute the new plan "
            f"for {names}? [y/N] "
        ):
            for m in again:
                if m.plan is not None:
                    m.plan.discard()
                m.error = (
                    f"stack {m.top.name}: not executed: its parameters changed and the new "
                    "plan was declined"
                )


def _execute(cfg: Config, printer: Printer, m: Member) -> None:
    """Execute one member's change set and follow it; the outcome goes into ``m``."""
    if m.error:
        return
    if m.plan is None:
        m.result = "no changes"
        return
    try:
        m.result = flow.run_plan(cfg, printer, m.plan, m.top.name, m.plan.new)
    except DeployError as exc:
        m.error = str(exc)


def _deletion(aws: Aws, stack: Mapping[str, Any]) -> tuple[str, Callable[[Printer], None]]:
    """A job for :func:`in_parallel` deleting ``stack`` with clients of its own."""
    own = own_aws(aws)

    def job(printer: Printer) -> None:
        try:
            _delete(own, stack, printer)
        finally:
            own.close()

    return str(stack["StackName"]), job


def _delete(aws: Aws, stack: Mapping[str, Any], printer: Printer) -> None:
    """Delete a group stack the config no longer generates (its services go to the root)."""
    from cfngen.deploy.stack import token

    cfn = aws.client("cloudformation")
    if stack.get("EnableTerminationProtection"):
        raise DeployError(
            f"stack {stack['StackName']} is no longer generated but has termination "
            "protection on; turn it off (aws cloudformation update-termination-protection "
            f"--no-enable-termination-protection --stack-name {stack['StackName']}) and "
            "deploy again"
        )
    since, _ = latest_event(cfn, stack["StackId"])
    final = start_and_watch(
        cfn,
        stack,
        printer,
        lambda: cfn.delete_stack(StackName=stack["StackId"], ClientRequestToken=token()),
    )
    printer.finished(f"stack {stack['StackName']}", final)
    if final != StackStatus.DELETE_COMPLETE:
        raise failure(cfn, stack, final, since, "fix the cause and run deploy again")


def _summary(
    printer: Printer, members: Sequence[Member], stale: Mapping[str, tuple[str, str]]
) -> int:
    """One line per stack and the total time; the failures with their causes raise (exit 1)."""
    printer.say("summary:")
    for name, (state, _) in stale.items():
        printer.say(f"  {name}: {'DELETE_COMPLETE' if state == 'done' else 'delete failed'}")
    for m in members:
        state = "failed" if m.error else m.result or "no changes"
        printer.say(f"  {m.top.name}: {printer.paint(state)}")
    failed = [f"stack {name}: {err}" for name, (_, err) in stale.items() if err] + [
        m.error for m in members if m.error
    ]
    total = len(members) + len(stale)
    if not failed:
        printer.finished(f"{total} top-level stacks", "done")
        return 0
    printer.finished(f"{total} top-level stacks", f"{len(failed)} failed")
    raise DeployError(
        f"{len(failed)} of {total} top-level stacks failed (the others were not touched "
        "by it):\n" + "\n".join(failed),
        EXIT_FAILED,
    )
