"""`cfngen generate`: config in, templates and parameter files out."""

from __future__ import annotations

import argparse
from pathlib import Path

from cfngen.commands.common import (
    DIRECTORY,
    Command,
    UserError,
    add_config_arg,
    completes,
    info,
    load_rendered,
    plural,
    top_level_line,
)

FORMATS = {"json": ("json",), "yaml": ("yaml",), "both": ("json", "yaml")}


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    out = p.add_argument(
        "--out",
        "-o",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="output folder (default: templates)",
    )
    completes(out, DIRECTORY)
    p.add_argument(
        "--format",
        "-f",
        choices=sorted(FORMATS),
        default="both",
        help="template format (default: both)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    from cfngen.render import OutputError, write

    # Rendered in every format, as validate does (each one is measured against the quotas),
    # written in the chosen ones.
    cfg, everything = load_rendered(args.config)
    rendered = everything.only(FORMATS[args.format])
    try:
        write(rendered, args.out)
    except OutputError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror}", exit_code=1) from None
    info(f"wrote {plural(len(rendered.files), 'file')} for {cfg.prefix} to {args.out}/", args.quiet)
    split = top_level_line(rendered)
    if split:
        info(split, args.quiet)
    return 0


COMMAND = Command(
    "generate",
    help="write the root and nested templates for a config",
    description=(
        "Validate the config, build the root and nested templates and write them, with "
        "a CloudFormation parameter file per template that has parameters, into --out. "
        "Nothing is written when the config is invalid; the folder is replaced atomically."
    ),
    arguments=_arguments,
    run=run,
)
