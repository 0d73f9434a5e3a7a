"""`cfngen destroy`: confirm by stack name, run pre-delete hooks, delete, watch, report.

Termination protection is respected unless the user asks to lift it; hooks run
after confirmation and before DeleteStack, so out-of-band resources (Kubernetes
load balancers) are gone before CloudFormation tries to delete the VPC. The run ends
with what the delete kept (DeletionPolicy Retain / RetainExceptOnCreate: type and
name or ARN) and the AWS CLI command that removes each (:mod:`cfngen.deploy.retained`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfngen.config import Config
from cfngen.deploy import destroy_set, hooks, outputs, retained, topology
from cfngen.deploy.session import EXIT_USAGE, Aws, DeployError
from cfngen.deploy.stack import describe, failure, start_and_watch, token
from cfngen.deploy.status import StackStatus, in_progress
from cfngen.deploy.watch import Printer, latest_event, wait_until_idle


@dataclass(frozen=True)
class DestroyOptions:
    yes: bool = False
    interactive: bool = False
    no_wait: bool = False
    disable_termination_protection: bool = False
    out_dir: Path = Path("output")
    hook_options: dict[str, Any] | None = None


def destroy(
    aws: Aws, cfg: Config, opts: DestroyOptions, printer: Printer, ask: Callable[[str], str]
) -> int:
    cfn = aws.client("cloudformation")
    name = cfg.stack_name
    stack = describe(cfn, name)
    groups = topology.live_groups(cfn, cfg)
    if groups:  # a split platform (or what is left of one): groups first, then the root
        return destroy_set.destroy(aws, cfg, opts, printer, ask, stack, groups)
    if stack is None:
        printer.say(f"stack {name} does not exist: nothing to delete")
        return 0
    if in_progress(stack["StackStatus"]):
        if opts.no_wait:
            raise DeployError(f"stack {name} is busy ({stack['StackStatus']}); try again later")
        wait_until_idle(cfn, stack["StackId"], printer)
        stack = describe(cfn, name)
        if stack is None:
            printer.say(f"stack {name} is gone")
            return 0
    if stack.get("EnableTerminationProtection") and not opts.disable_termination_protection:
        raise DeployError(
            f"stack {name} has termination protection on; pass "
            "--disable-termination-protection to turn it off and delete"
        )
    if not opts.yes:
        if not opts.interactive:
            raise DeployError("no terminal to confirm on: pass --yes to destroy", EXIT_USAGE)
        typed = ask(f"Delete stack {name} and everything in it? Type its name to confirm: ")
        if typed.strip() != name:
            printer.say("not deleted")
            return 1
    context = hooks.HookContext(
        cfg=cfg,
        session=aws.session,
        region=aws.region,
        endpoint_url=aws.endpoint_url,
        stack_name=name,
        outputs=outputs.from_stack(stack),
        say=printer.say,
        options={"output_dir": opts.out_dir, **(opts.hook_options or {})},
    )
    hooks.run(hooks.pre_delete_hooks(), context)
    if stack.get("EnableTerminationProtection"):
        cfn.update_termination_protection(
            StackName=stack["StackId"], EnableTerminationProtection=False
        )
        printer.say("termination protection turned off")
    kept = retained.collect(cfn, stack["StackId"])  # read before the stacks are gone
    since, _ = latest_event(cfn, stack["StackId"])
    printer.restart()  # the time spent at the prompt and in the hooks is not the delete's
    final = start_and_watch(
        cfn,
        stack,
        printer,
        lambda: cfn.delete_stack(StackName=stack["StackId"], ClientRequestToken=token("destroy")),
    )
    printer.finished(f"stack {name}", final)
    if final != StackStatus.DELETE_COMPLETE:
        raise failure(cfn, stack, final, since, "fix the cause and run destroy again")
    outputs.path_for(opts.out_dir, cfg.environment).unlink(missing_ok=True)
    hooks.run(hooks.post_delete_hooks(), context)
    for line in retained.lines(kept, aws.region, aws.endpoint_url):
        printer.say(line)
    printer.say(f"deleted {name}")
    return 0
