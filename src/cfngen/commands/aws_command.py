"""Glue shared by the AWS subcommands: flags, connection, error and Ctrl-C handling."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cfngen.commands.common import DIRECTORY, UserError, completes

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws
    from cfngen.deploy.watch import Stopped

EXIT_FAILED, EXIT_INTERRUPTED = 1, 130


def add_output_arg(parser: argparse.ArgumentParser) -> None:
    completes(
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path("output"),
            metavar="DIR",
            help="where per-environment artifacts go: DIR/<environment>/ (default: output)",
        ),
        DIRECTORY,
    )


def add_wait_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail at once when the stack is busy instead of waiting for it",
    )


def connect(args: argparse.Namespace, cfg: Config) -> Aws:
    from cfngen.deploy.session import DeployError
    from cfngen.deploy.session import connect as _connect

    try:
        return _connect(args.profile, args.region, args.endpoint_url, cfg.region)
    except DeployError as exc:
        raise UserError(str(exc), exc.exit_code) from None


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        return ""


def confirm(prompt: str) -> bool:
    return ask(prompt).strip().lower() in ("y", "yes")


@contextmanager
def deploy_errors(resume: str, again: str = "") -> Iterator[None]:
    """DeployError (or a hook's KubeError) -> UserError with its exit code; Ctrl-C while
    watching, or a lost endpoint -> which stacks go on, how to resume, what to run after."""
    from cfngen.deploy.session import DeployError, aws_errors
    from cfngen.deploy.watch import ConnectionLost, Interrupted
    from cfngen.kube.steps import KubeError

    try:
        with aws_errors():
            yield
    except (DeployError, KubeError) as exc:
        raise UserError(str(exc), exc.exit_code) from None
    except ConnectionLost as exc:
        raise UserError(
            f"lost the connection to the endpoint while watching ({exc}); "
            + _going_on(exc, "an operation that was started goes on in CloudFormation")
            + _resume(exc, resume, again),
            EXIT_FAILED,
        ) from None
    except Interrupted as exc:
        raise UserError(
            "stopped watching; "
            + _going_on(exc, "the operation goes on in CloudFormation")
            + _resume(exc, resume, again),
            EXIT_INTERRUPTED,
        ) from None


def _going_on(exc: Stopped, one: str) -> str:
    if not exc.running:
        return one
    return f"the operations go on in CloudFormation (in progress: {', '.join(exc.running)})"


def _resume(exc: Stopped, resume: str, again: str) -> str:
    text = f". Resume watching with: {resume}"
    if exc.pending:
        text += (
            f"\nnot started: {', '.join(exc.pending)}; once the operations above are "
            f"complete, run again: {again}"
        )
    return text


def resume_command(args: argparse.Namespace) -> str:
    return _command(args, "watch")


def again_command(args: argparse.Namespace) -> str:
    """The command that was run, to run again (what it had not started)."""
    text = _command(args, str(getattr(args, "command", "deploy")))
    out_dir = getattr(args, "output_dir", None)
    return text if out_dir in (None, Path("output")) else f"{text} --output-dir {out_dir}"


def _command(args: argparse.Namespace, name: str) -> str:
    parts = ["cfngen", name, "--config", str(args.config)]
    for flag in ("profile", "region", "endpoint_url"):
        value = getattr(args, flag, None)
        if value:
            parts += [f"--{flag.replace('_', '-')}", str(value)]
    return " ".join(parts)


def register_hooks() -> None:
    """Hooks other parts of cfngen add to deploy/destroy (Kubernetes clean-up and apply)."""
    try:
        from cfngen.kube import hooks as kube_hooks
    except ImportError:
        return
    kube_hooks.register()


def run_with(args: argparse.Namespace, body: Callable[[Aws, Config], int]) -> int:
    """Load the config, connect, run ``body(aws, cfg)`` with errors mapped."""
    from cfngen.commands.common import load_config

    cfg = load_config(args.config)
    aws = connect(args, cfg)
    with deploy_errors(resume_command(args), again_command(args)):
        return body(aws, cfg)
