"""Arguments and error reporting shared by subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CONFIG = Path("config/default.yaml")


class UserError(Exception):
    """An error the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help=f"YAML config file (default: {DEFAULT_CONFIG})",
    )


def add_aws_args(parser: argparse.ArgumentParser) -> None:
    """The common AWS flags; unset ones fall back to AWS_* variables and the config."""
    group = parser.add_argument_group("AWS connection")
    group.add_argument("--profile", help="named profile from ~/.aws (default: AWS_PROFILE)")
    group.add_argument("--region", help="AWS region (default: the config's region)")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="send API calls to this endpoint instead of AWS, e.g. http://127.0.0.1:4566 "
        "(default: AWS_ENDPOINT_URL)",
    )


def load_config(path: Path):  # -> Config (import kept lazy for start-up time)
    """Load a config or raise UserError with every problem, one per line."""
    from cfngen.config import ConfigError, load

    try:
        return load(path)
    except ConfigError as exc:
        count = len(exc.problems)
        lines = "\n".join(f"  {exc.source}: {p}" for p in exc.problems)
        noun = "problem" if count == 1 else "problems"
        raise UserError(f"invalid config, {count} {noun}:\n{lines}") from None


def info(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(message, file=sys.stderr)
