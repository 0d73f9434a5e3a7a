"""`cfngen validate`: check a config and report every problem, writing nothing."""

from __future__ import annotations

import argparse

from cfngen.commands.common import Command, add_config_arg, info, load_config, plural


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    info(
        f"{args.config}: valid ({cfg.prefix}, {plural(cfg.az_count(), 'AZ')}, "
        f"{plural(len(cfg.ecs.services), 'ECS service')}, "
        f"{f'EKS {cfg.eks.version}' if cfg.eks.enabled else 'no EKS'})"
    )
    return 0


COMMAND = Command(
    "validate",
    help="check a config file and list every problem",
    description="Load and validate a config; exit 2 with one line per problem.",
    arguments=add_config_arg,
    run=run,
)
