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
def deploy_errors(resume: str) -> Iterator[None]:
    """DeployError (or a hook's KubeError) -> UserError with its exit code; Ctrl-C while
    watching -> how to resume."""
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
            f"lost the connection to the endpoint while watching ({exc}); an operation that "
            f"was started goes on in CloudFormation. Resume watching with: {resume}",
            EXIT_FAILED,
        ) from None
    except Interrupted:
        raise UserError(
            "stopped watching; the operation goes on in CloudFormation. "
            f"Resume watching with: {resume}",
            EXIT_INTERRUPTED,
        ) from None


def resume_command(args: argparse.Namespace) -> str:
    parts = ["cfngen", "watch", "--config", str(args.config)]
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
    with deploy_errors(resume_command(args)):
        return body(aws, cfg)
