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
    from cfngen.deploy.topology import tops

    def body(aws: Aws, cfg: Config) -> int:
        cfn = aws.client("cloudformation")
        values: dict[str, str] = {}
        stacks = tops(cfg)
        for top in stacks:
            stack = describe(cfn, top.name)
            if stack is None:
                raise DeployError(f"stack {top.name} does not exist; run cfngen deploy first")
            for key, value in outputs.from_stack(stack).items():
                values.setdefault(key, value)
        path = outputs.save(values, args.output_dir, cfg.environment)
        print(json.dumps(values, indent=2, sort_keys=True))
        more = f" (from {len(stacks)} top-level stacks)" if len(stacks) > 1 else ""
        info(f"saved {path}{more}")
        return 0

    return run_with(args, body)


COMMAND = Command(
    "outputs",
    help="print the stack outputs and save DIR/<environment>/outputs.json",
    description=(
        "Print the root stack's outputs as JSON and save them for `cfngen manifests`. A "
        "split platform prints one view: the root's outputs, then each service group's."
    ),
    arguments=_arguments,
    run=run,
)
