"""`cfngen destroy`: confirm by typing the stack name, run pre-delete hooks, delete, watch."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import (
    add_output_arg,
    add_wait_arg,
    ask,
    interactive,
    register_hooks,
    run_with,
)
from cfngen.commands.common import Command, add_aws_args, add_config_arg

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)
    add_wait_arg(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for the stack name")
    p.add_argument(
        "--disable-termination-protection",
        action="store_true",
        help="turn termination protection off first instead of refusing",
    )


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy.destroy import DestroyOptions, destroy
    from cfngen.deploy.watch import Printer

    register_hooks()

    def body(aws: Aws, cfg: Config) -> int:
        opts = DestroyOptions(
            yes=args.yes,
            interactive=interactive(),
            no_wait=args.no_wait,
            disable_termination_protection=args.disable_termination_protection,
            out_dir=args.output_dir,
            hook_options=vars(args),
        )
        return destroy(aws, cfg, opts, Printer(), ask)

    return run_with(args, body)


COMMAND = Command(
    "destroy",
    help="delete the root stack and everything in it",
    description=(
        "Ask for the stack name (unless --yes), run the pre-delete hooks (e.g. removing "
        "Kubernetes LoadBalancer Services), delete the root stack and follow the events "
        "of it and its nested stacks. Refuses while termination protection is on."
    ),
    epilog="Exit codes: 0 deleted or nothing to delete, 1 failed or declined, 2 usage.",
    arguments=_arguments,
    run=run,
)
