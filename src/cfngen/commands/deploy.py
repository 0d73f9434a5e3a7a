"""`cfngen deploy`: package, preview the change set, confirm, execute, watch, save outputs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import (
    add_output_arg,
    add_wait_arg,
    confirm,
    interactive,
    register_hooks,
    run_with,
)
from cfngen.commands.common import Command, UserError, add_aws_args, add_config_arg

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _tags(values: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in values:
        for pair in item.split(","):
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise UserError(f"--tags: {pair!r} is not KEY=VALUE")
            tags[key.strip()] = value.strip()
    return tags


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)
    add_wait_arg(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask before executing")
    p.add_argument("--role-arn", metavar="ARN", help="IAM role CloudFormation acts as")
    p.add_argument(
        "--tags",
        action="append",
        default=[],
        metavar="K=V[,K=V]",
        help="extra stack tags (repeatable); added to the config's tags",
    )
    p.add_argument(
        "--replace-failed",
        action="store_true",
        help="if the first create failed and left CREATE_FAILED or ROLLBACK_FAILED, delete "
        "that stack and create it again (only stacks cfngen created; an empty "
        "ROLLBACK_COMPLETE stack is replaced without this flag)",
    )
    p.add_argument(
        "--delete-on-failure",
        action="store_true",
        help="on a first create, delete the stack if it fails (OnStackFailure=DELETE)",
    )
    p.add_argument(
        "--continue-rollback",
        action="store_true",
        help="finish a rollback that failed (UPDATE_ROLLBACK_FAILED) before deploying",
    )
    p.add_argument(
        "--with-manifests",
        action="store_true",
        help="after a successful deploy, render and apply the Kubernetes manifests",
    )


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy.plan_set import run as deploy
    from cfngen.deploy.stack import DeployOptions
    from cfngen.deploy.watch import Printer

    register_hooks()
    extra_tags = _tags(args.tags) if getattr(args, "tags", None) else {}

    def body(aws: Aws, cfg: Config) -> int:
        if getattr(args, "with_manifests", False) and not cfg.eks.enabled:
            raise UserError(
                f"--with-manifests: {args.config} has eks.enabled: false, so there is no "
                "cluster to apply manifests to"
            )
        opts = DeployOptions(
            yes=getattr(args, "yes", False),
            interactive=interactive(),
            no_wait=args.no_wait,
            replace_failed=getattr(args, "replace_failed", False),
            delete_on_failure=getattr(args, "delete_on_failure", False),
            continue_rollback=getattr(args, "continue_rollback", False),
            role_arn=getattr(args, "role_arn", None),
            tags=extra_tags,
            out_dir=args.output_dir,
            hook_options=vars(args),
            exit_code=getattr(args, "exit_code", False),
        )
        return deploy(aws, cfg, opts, Printer(), confirm, preview_only=args.preview_only)

    return run_with(args, body)


COMMAND = Command(
    "deploy",
    help="deploy the stacks through a change set (preview, confirm, execute, watch)",
    description=(
        "Run the preflight checks (read-only: region, AZs, certificate, EKS version, "
        "instance types, names taken, quotas; exit 2 on a finding, nothing created), "
        "package the templates, create a change set on the root stack with nested stacks "
        "included (adopting resources an earlier stack kept), show every change per stack "
        "with each changed property's before and after value, ask before executing "
        "(unless --yes), check that nobody changed the stack meanwhile, follow the events "
        "of the root and nested stacks, then print and save outputs to "
        "DIR/<environment>/outputs.json. No changes: exit 0, change set deleted."
    ),
    epilog=(
        "Exit codes: 0 deployed or no change, 1 deployment failed (or another deploy got in "
        "the way), 2 bad input, usage or a preflight finding, 130 interrupted."
    ),
    arguments=_arguments,
    run=run,
    defaults={"preview_only": False},
)
