"""`cfngen diff`: the change set preview of a deploy, then the change set is deleted."""

from __future__ import annotations

import argparse

from cfngen.commands import deploy
from cfngen.commands._aws import add_output_arg, add_wait_arg
from cfngen.commands.common import add_aws_args, add_config_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="show what a deploy would change, per stack, without changing anything",
        description=(
            "Package the templates (uploads only what is new), create a change set with "
            "nested stacks included, print every change per stack, then delete the change "
            "set (and the placeholder stack when the stack does not exist yet)."
        ),
    )
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)
    add_wait_arg(p)
    p.set_defaults(func=deploy.run, preview_only=True, yes=True)
