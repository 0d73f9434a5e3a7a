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
from cfngen.deploy.session import Aws, DeployError
from cfngen.deploy.stack import describe
from cfngen.deploy.status import in_progress
from cfngen.deploy.watch import Printer, wait_until_idle


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
    if not destroy_set.confirmed(
        opts, printer, ask, name, f"Delete stack {name} and everything in it?"
    ):
        return 1
    context = destroy_set.hook_context(aws, cfg, opts, printer, stack)
    hooks.run(hooks.pre_delete_hooks(), context)
    kept: list[retained.Kept] = []
    destroy_set.delete_one(aws, stack, printer, "root", kept, restart=True)
    outputs.path_for(opts.out_dir, cfg.environment).unlink(missing_ok=True)
    hooks.run(hooks.post_delete_hooks(), context)
    for line in retained.lines(kept, aws.region, aws.endpoint_url):
        printer.say(line)
    printer.say(f"deleted {name}")
    return 0
