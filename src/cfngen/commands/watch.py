"""`cfngen watch`: follow what runs on the platform's stacks (e.g. after Ctrl-C)."""

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
    from cfngen.deploy.watch import Printer
    from cfngen.deploy.watch_set import watch

    def body(aws: Aws, cfg: Config) -> int:
        return watch(aws, cfg, Printer())

    return run_with(args, body)


COMMAND = Command(
    "watch",
    help="follow the events of the operations running on the stacks until they end",
    description=(
        "Print the events of the operation running on the root stack and, for a split "
        "platform (ecs.operations), on every service group stack that is busy, at once; "
        "then one line per stack with its final status. Exit 0 if every operation "
        "succeeds (or nothing runs on stacks that are fine), else 1 with each failure's "
        "cause."
    ),
    arguments=_arguments,
    run=run,
)
