"""Command-line front end: parses arguments and hands over; no logic of its own.

Each subcommand lives in ``cfngen.commands.<name>`` as a ``COMMAND`` declaration
(:class:`cfngen.commands.common.Command`); adding one is one module plus one entry in
COMMANDS. Exit codes: 0 success (or
nothing to change), 1 the operation failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cfngen import __version__
from cfngen.commands import (
    completion,
    cost,
    deploy,
    destroy,
    diagram,
    diff,
    emulator,
    generate,
    init,
    lint,
    manifests,
    outputs,
    package,
    preflight,
    stackset,
    validate,
    watch,
)
from cfngen.commands.common import add_commands

COMMANDS = (
    init.COMMAND,
    generate.COMMAND,
    validate.COMMAND,
    lint.COMMAND,
    package.COMMAND,
    preflight.COMMAND,
    deploy.COMMAND,
    diff.COMMAND,
    cost.COMMAND,
    diagram.COMMAND,
    outputs.COMMAND,
    destroy.COMMAND,
    watch.COMMAND,
    emulator.COMMAND,
    manifests.COMMAND,
    stackset.COMMAND,
    completion.command(lambda: build_parser()),  # completes the parser built below
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cfngen",
        description=(
            "Turn one YAML config into nested CloudFormation templates (network, iam, ecr, "
            "ecs-alb, eks under a root stack) and deploy them."
        ),
        epilog="Exit codes: 0 success or no change, 1 operation failed, 2 bad input or usage.",
    )
    parser.add_argument(
        "--version", action="version", version=f"cfngen {__version__}", help="print the version"
    )
    add_commands(parser, COMMANDS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from cfngen.commands.common import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"cfngen: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cfngen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
