"""`cfngen validate`: check a config and report every problem, writing nothing."""

from __future__ import annotations

import argparse

from cfngen.commands.common import (
    Command,
    add_config_arg,
    info,
    load_rendered,
    plural,
    top_level_line,
)


def run(args: argparse.Namespace) -> int:
    from cfngen.config import notes, placement
    from cfngen.stacks import operations

    cfg, rendered = load_rendered(args.config)
    info(
        f"{args.config}: valid ({cfg.prefix}, {plural(cfg.az_count(), 'AZ')}, "
        f"{plural(len(cfg.ecs.services), 'ECS service')}, "
        f"{f'EKS {cfg.eks.version}' if cfg.eks.enabled else 'no EKS'})"
    )
    split = top_level_line(rendered)
    if split:
        info(split)
    flips = [*placement.flip_warnings(cfg), operations.flip_warning(cfg, rendered.resources)]
    for warning in filter(None, flips):
        info(f"warning: {warning}")
    for note in notes(cfg):
        info(f"note: {note}")
    return 0


COMMAND = Command(
    "validate",
    help="check a config file and list every problem",
    description=(
        "Load and validate a config: its YAML (UTF-8, no duplicate keys, at most 1 MiB and "
        "100,000 values), every key's type and value, what AWS accepts (regions, AZs, EKS "
        "versions, names, tags) and, by building the templates, every CloudFormation and "
        "ALB quota. Exit 2 with one line per problem, file:line:col first; nothing is "
        "written."
    ),
    arguments=add_config_arg,
    run=run,
)
