"""`cfngen watch`: follow an operation already running on the root stack (e.g. after Ctrl-C)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import run_with
from cfngen.commands.common import Command, add_aws_args, add_config_arg

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy.session import DeployError
    from cfngen.deploy.stack import describe
    from cfngen.deploy.status import in_progress, succeeded
    from cfngen.deploy.watch import Printer, root_cause, wait_until_idle

    def body(aws: Aws, cfg: Config) -> int:
        cfn = aws.client("cloudformation")
        stack = describe(cfn, cfg.stack_name)
        if stack is None:
            raise DeployError(f"stack {cfg.stack_name} does not exist")
        printer = Printer()
        if not in_progress(stack["StackStatus"]):
            printer.say(f"stack {cfg.stack_name} is {stack['StackStatus']}: nothing running")
            return 0 if succeeded(stack["StackStatus"]) else 1
        final = wait_until_idle(cfn, stack["StackId"], printer)
        printer.say(f"stack {cfg.stack_name}: {final}")
        if succeeded(final):
            return 0
        cause = root_cause(
            cfn, stack["StackId"], stack.get("LastUpdatedTime") or stack["CreationTime"]
        )
        raise DeployError(
            f"stack {cfg.stack_name} ended in {final}" + (f"; cause: {cause}" if cause else "")
        )

    return run_with(args, body)


COMMAND = Command(
    "watch",
    help="follow the events of an operation running on the stack until it ends",
    description="Print the events of the running operation; exit 0 if it succeeds, else 1.",
    arguments=_arguments,
    run=run,
)
