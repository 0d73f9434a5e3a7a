"""What subcommands share: how one is declared and registered, common flags, errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.render import Rendered

DEFAULT_CONFIG = Path("config/default.yaml")
Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and texts, its flags, and the function that runs it.

    A command module declares one (``COMMAND``) and :func:`add_commands` turns a list of
    them into argparse subparsers, so the parser plumbing exists once. ``subcommands``
    makes a command with verbs (``manifests render|apply``); then ``dest`` and ``metavar``
    name the verb's slot in the parsed arguments and in the usage line.
    """

    name: str
    help: str
    run: Run | None = None
    description: str | None = None
    epilog: str | None = None
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    subcommands: Sequence[Command] = ()
    dest: str = ""
    metavar: str = ""


def add_commands(
    parser: argparse.ArgumentParser,
    commands: Sequence[Command],
    dest: str = "command",
    metavar: str = "COMMAND",
) -> None:
    """Add ``commands`` to ``parser`` as required subcommands, recursively."""
    sub = parser.add_subparsers(dest=dest, metavar=metavar, required=True)
    for command in commands:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=command.epilog,
        )
        if command.arguments is not None:
            command.arguments(p)
        if command.subcommands:
            add_commands(p, command.subcommands, command.dest, command.metavar)
        if command.run is not None or command.defaults:
            p.set_defaults(**({"func": command.run} if command.run else {}), **command.defaults)


class UserError(Exception):
    """An error the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# What shell completion runs for a path flag, per shell (shtab.FILE / shtab.DIRECTORY,
# spelled out so that building the parser never imports shtab).
FILE = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
DIRECTORY = {"bash": "_shtab_compgen_dirs", "zsh": "_files -/", "tcsh": "d"}


def completes(action: argparse.Action, what: Mapping[str, str]) -> argparse.Action:
    """Mark a flag as taking a file (:data:`FILE`) or a folder (:data:`DIRECTORY`)."""
    action.complete = dict(what)  # type: ignore[attr-defined]  # read by shtab
    return action


def add_config_arg(parser: argparse.ArgumentParser) -> None:
    completes(
        parser.add_argument(
            "--config",
            "-c",
            type=Path,
            default=DEFAULT_CONFIG,
            metavar="FILE",
            help=f"YAML config file (default: {DEFAULT_CONFIG})",
        ),
        FILE,
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


def load_config(path: Path) -> Config:
    """Load a config, check that its templates fit every quota, or raise UserError.

    A config is valid only if its templates can be built within CloudFormation's and
    the ALB's quotas, so every command refuses the same configs ``validate`` does.
    """
    return load_rendered(path)[0]


def load_rendered(path: Path, formats: Iterable[str] | None = None) -> tuple[Config, Rendered]:
    """:func:`load_config` that keeps what it rendered (``formats``: default all), so a
    command that writes or reports the templates does not build them twice."""
    from cfngen.config import ConfigError, read  # lazy: `cfngen --help` needs no config code
    from cfngen.render import FORMATS, QuotaError, render

    try:
        loaded = read(path)
        try:
            rendered = render(loaded.config, FORMATS if formats is None else formats)
        except QuotaError as exc:
            raise loaded.error(exc.problems) from None
    except ConfigError as exc:
        count = len(exc.problems)
        lines = "\n".join(f"  {line}" for line in exc.lines())
        raise UserError(f"invalid config, {plural(count, 'problem')}:\n{lines}") from None
    return loaded.config, rendered


def top_level_line(rendered: Rendered) -> str | None:
    """``3 top-level stacks: root, services-01, services-02 - deploy in this order``, for
    a split platform (``ecs.operations``); None for one stack."""
    keys = [top.key for top in rendered.top_level]
    if len(keys) < 2:
        return None
    return f"{len(keys)} top-level stacks: {', '.join(keys)} - deploy in this order"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 ECS service``, ``2 ECS services``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def info(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(message, file=sys.stderr)
