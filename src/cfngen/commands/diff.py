"""`cfngen diff`: the change set preview of a deploy, then the change set is deleted."""

from __future__ import annotations

import argparse

from cfngen.commands import deploy
from cfngen.commands.aws_command import add_output_arg, add_wait_arg
from cfngen.commands.common import Command, add_aws_args, add_config_arg


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)
    add_wait_arg(p)


COMMAND = Command(
    "diff",
    help="show what a deploy would change, per stack, without changing anything",
    description=(
        "Package the templates (uploads only what is new), create a change set with "
        "nested stacks included, print every change per stack, then delete the change "
        "set (and the placeholder stack when the stack does not exist yet)."
    ),
    arguments=_arguments,
    run=deploy.run,
    defaults={"preview_only": True, "yes": True},
)
