"""`cfngen outputs`: print the root stack's outputs and save them as outputs.json."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import add_output_arg, run_with
from cfngen.commands.common import Command, add_aws_args, add_config_arg, info

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy import outputs
    from cfngen.deploy.session import DeployError
    from cfngen.deploy.stack import describe

    def body(aws: Aws, cfg: Config) -> int:
        stack = describe(aws.client("cloudformation"), cfg.stack_name)
        if stack is None:
            raise DeployError(f"stack {cfg.stack_name} does not exist; run cfngen deploy first")
        values = outputs.from_stack(stack)
        path = outputs.save(values, args.output_dir, cfg.environment)
        print(json.dumps(values, indent=2, sort_keys=True))
        info(f"saved {path}")
        return 0

    return run_with(args, body)


COMMAND = Command(
    "outputs",
    help="print the stack outputs and save DIR/<environment>/outputs.json",
    description="Print the root stack's outputs as JSON and save them for `cfngen manifests`.",
    arguments=_arguments,
    run=run,
)
