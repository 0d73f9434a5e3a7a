"""`cfngen destroy` of a split platform: the service groups first, at once, then the root.

A group takes the root's outputs (its cluster, listeners, subnets) as parameters, so the
root goes last, and only when every group is gone: a group whose delete fails is
reported with its root cause, the others are still deleted, and the root is kept (exit 1)
so that nothing a remaining group uses disappears under it. One confirmation (the root's
name) covers every stack; what the deletes keep is reported as for one stack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cfngen.config import Config
from cfngen.deploy import hooks, outputs, retained
from cfngen.deploy.parallel import in_parallel, own_aws
from cfngen.deploy.session import EXIT_USAGE, Aws, DeployError
from cfngen.deploy.stack import describe, failure, start_and_watch, token
from cfngen.deploy.status import StackStatus, in_progress
from cfngen.deploy.topology import key_of
from cfngen.deploy.watch import Printer, Stopped, latest_event, wait_until_idle


def _idle(
    aws: Aws, stack: dict[str, Any], no_wait: bool, printer: Printer
) -> dict[str, Any] | None:
    """The stack once no operation runs on it (None when that operation deleted it)."""
    if not in_progress(stack["StackStatus"]):
        return stack
    name = stack["StackName"]
    if no_wait:
        raise DeployError(f"stack {name} is busy ({stack['StackStatus']}); try again later")
    cfn = aws.client("cloudformation")
    wait_until_idle(cfn, stack["StackId"], printer)
    return describe(cfn, name)


def delete_one(
    aws: Aws,
    stack: Mapping[str, Any],
    printer: Printer,
    label: str,
    kept: list[retained.Kept],
    restart: bool = False,
) -> None:
    """Delete one top-level stack and follow it; what it keeps is added to ``kept``.

    ``restart``: the clock starts with this delete (not at the prompt or in the hooks).
    """
    cfn = aws.client("cloudformation")
    if stack.get("EnableTerminationProtection"):
        cfn.update_termination_protection(
            StackName=stack["StackId"], EnableTerminationProtection=False
        )
        of = "" if label == "root" else f" of {stack['StackName']}"
        printer.say(f"termination protection{of} turned off")
    found = retained.collect(cfn, stack["StackId"], label)  # read before the stack is gone
    since, _ = latest_event(cfn, stack["StackId"])
    if restart:
        printer.restart()
    final = start_and_watch(
        cfn,
        stack,
        printer,
        lambda: cfn.delete_stack(StackName=stack["StackId"], ClientRequestToken=token("destroy")),
    )
    printer.finished(f"stack {stack['StackName']}", final)
    if final != StackStatus.DELETE_COMPLETE:
        raise failure(cfn, stack, final, since, "fix the cause and run destroy again")
    kept.extend(found)


def confirmed(
    opts: Any, printer: Printer, ask: Callable[[str], str], name: str, question: str
) -> bool:
    """``--yes``, or the stack name typed at the prompt; no terminal and no --yes: exit 2."""
    if opts.yes:
        return True
    if not opts.interactive:
        raise DeployError("no terminal to confirm on: pass --yes to destroy", EXIT_USAGE)
    if ask(f"{question} Type its name to confirm: ").strip() != name:
        printer.say("not deleted")
        return False
    return True


def hook_context(
    aws: Aws, cfg: Config, opts: Any, printer: Printer, root: Mapping[str, Any]
) -> hooks.HookContext:
    """What the delete hooks see: the root's outputs, the command's options."""
    return hooks.HookContext(
        cfg=cfg,
        session=aws.session,
        region=aws.region,
        endpoint_url=aws.endpoint_url,
        stack_name=cfg.stack_name,
        outputs=outputs.from_stack(root),
        say=printer.say,
        options={"output_dir": opts.out_dir, **(opts.hook_options or {})},
    )


def destroy(
    aws: Aws,
    cfg: Config,
    opts: Any,
    printer: Printer,
    ask: Callable[[str], str],
    root: dict[str, Any] | None,
    groups: Sequence[dict[str, Any]],
) -> int:
    """Delete the groups (in parallel), then the root; ``opts`` is a DestroyOptions."""
    name = cfg.stack_name
    root = _idle(aws, root, opts.no_wait, printer) if root is not None else None
    live = [g for g in (_idle(aws, g, opts.no_wait, printer) for g in groups) if g]
    everything = [*live, *([root] if root else [])]
    protected = [s["StackName"] for s in everything if s.get("EnableTerminationProtection")]
    if protected and not opts.disable_termination_protection:
        raise DeployError(
            f"termination protection is on for {', '.join(protected)}; pass "
            "--disable-termination-protection to turn it off and delete"
        )
    listed = ", ".join(s["StackName"] for s in live)
    question = f"Delete stack {name}, its service group stacks ({listed}) and everything in them?"
    if not confirmed(opts, printer, ask, name, question):
        return 1
    context = hook_context(aws, cfg, opts, printer, root or {})
    if root is not None:
        hooks.run(hooks.pre_delete_hooks(), context)
    printer.restart()
    printer.say(f"deleting {len(live)} service group stacks first, at once: {listed}")
    kept: list[retained.Kept] = []
    labels = {key_of(cfg, g["StackName"]): str(g["StackName"]) for g in live}
    jobs = [_job(aws, g, label, kept) for label, g in zip(labels, live, strict=True)]
    try:
        results = in_parallel(jobs, printer, threading.Lock())
    except Stopped as exc:  # the root waits for the groups: a destroy run again deletes it
        raise exc.naming(exc.running_as(labels), [name] if root is not None else []) from None
    failed = [err for _, err in results.values() if err]
    if failed:
        raise DeployError(
            f"{len(failed)} of {len(live)} service group stacks could not be deleted; "
            f"{name} is kept (the groups use it):\n" + "\n".join(failed)
        )
    if root is not None:
        try:
            delete_one(aws, root, printer, "root", kept)
        except Stopped as exc:
            raise exc.naming([name]) from None
    outputs.path_for(opts.out_dir, cfg.environment).unlink(missing_ok=True)
    if root is not None:
        hooks.run(hooks.post_delete_hooks(), context)
    for line in retained.lines(kept, aws.region, aws.endpoint_url):
        printer.say(line)
    printer.say(f"deleted {name} and {len(live)} service group stacks")
    return 0


def _job(
    aws: Aws, stack: dict[str, Any], label: str, kept: list[retained.Kept]
) -> tuple[str, Callable[[Printer], None]]:
    """A thread's work: delete one group with clients of its own."""
    own = own_aws(aws)

    def job(printer: Printer) -> None:
        try:
            delete_one(own, stack, printer, label, kept)
        finally:
            own.close()

    return label, job
