"""`cfngen diff`: what a deploy would change, property by property; nothing is changed.

Against AWS (or the local endpoint) it is the deploy's own plan: preflight, the change
set with nested stacks and property values, then the change set is deleted. With
``--against DIR`` it compares the templates the config generates with a template set in
DIR (e.g. what ``main`` generated), offline, with the same replacement rules, the same
monthly cost change and the same deploy-time estimate.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cfngen.commands import deploy
from cfngen.commands.aws_command import add_output_arg, add_wait_arg
from cfngen.commands.common import Command, UserError, add_aws_args, add_config_arg, load_config

EXIT_CHANGES = 3


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)
    add_wait_arg(p)
    p.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 3 when there are changes (0 when there are none), for CI gates",
    )
    p.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="compare with the generated templates in DIR instead of the deployed stack "
        "(offline: no credentials, no calls)",
    )


def run(args: argparse.Namespace) -> int:
    if args.against is None:
        return deploy.run(args)
    from cfngen.deploy import offline, plan_cost, timings, topology
    from cfngen.deploy import plan_view as view
    from cfngen.deploy.progress import Part, plan_deploy, plan_waves
    from cfngen.deploy.stack import today
    from cfngen.render import render

    cfg = load_config(args.config)
    try:
        old = offline.read_dir(args.against)
    except offline.TemplateSetError as exc:
        raise UserError(str(exc)) from None
    files = render(cfg, ("json",)).files
    region = args.region or cfg.region
    tops = topology.tops(cfg)
    changes = offline.plan(old, offline.from_files(files), region, [t.key for t in tops])
    if not changes:
        print(f"no changes: {args.config} generates what {args.against} holds")
        return 0
    print(f"changes from {args.against} to {args.config} ({cfg.stack_name}):")
    print(view.table(changes))
    print(view.summary(changes))
    replaced = view.replacements(changes)
    if replaced:
        print("replacements (a new resource is created and the old one deleted):")
        print("\n".join(replaced))
    names = {k: f"{cfg.stack_name}-{k}" for k in old if topology.GROUP_KEY.fullmatch(k)}
    names |= {t.key: t.name for t in tops}
    print("\n".join(plan_cost.offline_lines(old, files, region, today(), names)))
    history = timings.load(timings.path(args.output_dir, cfg.environment))
    if len(tops) == 1:
        print("\n".join(plan_deploy(files, region, changes, history)[1]))
        return EXIT_CHANGES if args.exit_code else 0
    # each stack's tree and changes on its own (a stack only DIR has is not timed)
    waves = [
        [
            Part(
                t.name,
                t.key,
                topology.subtree(files, t.key, as_root=True),
                None if t.key not in old else topology.local(changes, t.key),
            )
            for t in wave
        ]
        for wave in topology.waves(tops)
    ]
    gone = [names[k] for k in old if k in names and k not in {t.key for t in tops}]
    print("\n".join(plan_waves(waves, region, history, gone)))
    return EXIT_CHANGES if args.exit_code else 0


COMMAND = Command(
    "diff",
    help="show what a deploy would change, property by property, without changing anything",
    description=(
        "Run the preflight checks, package the templates (uploads only what is new), create "
        "a change set with nested stacks included, print every change per stack with each "
        "changed property's value before and after and whether it forces a replacement, "
        "then delete the change set (and the placeholder stack when the stack does not "
        "exist yet). --against DIR compares with a generated template set instead, offline."
    ),
    epilog=(
        "Exit codes: 0 no changes (or changes without --exit-code), 1 failed, 2 bad input, "
        "3 changes (with --exit-code)."
    ),
    arguments=_arguments,
    run=run,
    defaults={"preview_only": True, "yes": True},
)
