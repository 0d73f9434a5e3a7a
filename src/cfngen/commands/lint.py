"""`cfngen lint`: cfn-lint in-process on a config's templates and on template folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from cfngen.commands.common import DEFAULT_CONFIG, Command, UserError, info, load_config

DEFAULT_REGION = "us-east-1"  # cfn-lint's own default, for files that name no region


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="template files or folders of templates (e.g. templates/) to lint as they are",
    )
    p.add_argument(
        "--config",
        "-c",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="lint the templates this config generates, in its region (repeatable; "
        f"default when no PATH is given: {DEFAULT_CONFIG})",
    )
    p.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help=f"region(s) to check PATHs against (repeatable; default: {DEFAULT_REGION})",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")


def run(args: argparse.Namespace) -> int:
    from cfngen.lint import LintInputError, lint

    configs = args.config or ([] if args.paths else [DEFAULT_CONFIG])
    loaded = [(path.stem, load_config(path)) for path in configs]  # all valid, or exit 2
    try:
        report = lint(loaded, args.paths, args.region or [DEFAULT_REGION])
    except LintInputError as exc:
        raise UserError(str(exc)) from None
    for finding in report.findings:
        print(finding)
    if report.findings:
        count = len(report.findings)
        info(f"cfn-lint: {count} findings in {report.templates} templates", args.quiet)
        return 1
    info(f"cfn-lint: no findings in {report.templates} templates", args.quiet)
    return 0


COMMAND = Command(
    "lint",
    help="run cfn-lint on the templates of a config (generated in memory) or on template files",
    description=(
        "Generate the templates of each --config in memory and lint them with cfn-lint in its "
        "region; lint template files and folders (PATH) as they are. One line per finding: "
        "FILE:LINE: RULE message. Nothing is written."
    ),
    epilog="Exit codes: 0 no findings, 1 findings, 2 bad input (invalid config, no templates).",
    arguments=_arguments,
    run=run,
)
