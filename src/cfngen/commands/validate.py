"""`cfngen validate`: check a config and report every problem, writing nothing."""

from __future__ import annotations

import argparse

from cfngen.commands.common import add_config_arg, info, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a config file and list every problem",
        description="Load and validate a config; exit 2 with one line per problem.",
    )
    add_config_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    info(
        f"{args.config}: valid ({cfg.prefix}, {cfg.az_count()} AZs, "
        f"{len(cfg.ecs.services)} ECS services, EKS {cfg.eks.version})"
    )
    return 0
