"""`cfngen manifests render|apply`: the Kubernetes app on the EKS cluster.

``render`` needs only the config and the stack outputs (outputs.json, or the
stack with --from-stack); ``apply`` renders, then talks to the cluster through
kubectl. The steps themselves live in :mod:`cfngen.kube.steps`, which the deployer's
hooks (``deploy --with-manifests``, ``destroy``) run as well.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import add_output_arg
from cfngen.commands.common import (
    Command,
    UserError,
    add_aws_args,
    add_config_arg,
    info,
    load_config,
)

if TYPE_CHECKING:
    from cfngen.config import Config


@contextmanager
def kube_errors() -> Iterator[None]:
    """A failed Kubernetes step -> UserError with the step's exit code."""
    from cfngen.kube.steps import KubeError

    try:
        yield
    except KubeError as exc:
        raise UserError(str(exc), exc.exit_code) from None


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_source_args(p)


def _render_arguments(p: argparse.ArgumentParser) -> None:
    _arguments(p)
    p.add_argument(
        "--rehearsal-dir",
        type=Path,
        metavar="DIR",
        help="when --output-dir holds no outputs.json for the environment, render from the "
        "outputs a rehearsal kept in DIR/<environment>/ and write the manifests there "
        "(`make manifests` passes build/rehearsal, where `make rehearse` keeps them)",
    )


def add_source_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("where the stack outputs come from")
    src = g.add_mutually_exclusive_group()
    src.add_argument(
        "--outputs",
        type=Path,
        metavar="FILE",
        help="stack outputs JSON (default: <output-dir>/<environment>/outputs.json)",
    )
    src.add_argument(
        "--from-stack",
        action="store_true",
        help="read the outputs from the deployed root stack instead (DescribeStacks)",
    )
    src.add_argument(
        "--placeholder",
        action="store_true",
        help="no deployment: use a placeholder registry (account 000000000000) to check the "
        "manifests; never apply this",
    )
    p.add_argument(
        "--base", type=Path, metavar="DIR",
        help="the kustomize base (default: ./manifests when there is one, else the base "
        "built into cfngen)",
    )  # fmt: skip
    add_output_arg(p)
    p.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output folder (default: <output-dir>/<environment>/manifests)",
    )  # fmt: skip


def _outputs(cfg: Config, args: argparse.Namespace) -> tuple[dict[str, str], str]:
    """The stack outputs and a name for where they came from (for messages)."""
    from cfngen.kube import aws, render

    if getattr(args, "placeholder", False):
        return render.placeholder_outputs(cfg), "placeholder"
    if getattr(args, "from_stack", False):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            cfn = aws.client("cloudformation", cfg, args.profile, args.region, args.endpoint_url)
            return aws.stack_outputs(cfn, cfg.stack_name), f"stack {cfg.stack_name}"
        except (BotoCoreError, ClientError) as exc:
            raise UserError(
                f"cannot read the outputs of stack {cfg.stack_name}: {exc}", 1
            ) from None
    path = args.outputs or _environment_dir(cfg, args) / render.OUTPUTS_FILE
    try:
        return render.read_outputs(path), str(path)
    except render.RenderError as exc:
        raise UserError(str(exc)) from None


def _environment_dir(cfg: Config, args: argparse.Namespace) -> Path:
    """<output-dir>/<env>, or the rehearsal's when only a rehearsal left outputs behind."""
    from cfngen.kube import render

    own = render.output_dir(cfg, args.output_dir)
    rehearsal = getattr(args, "rehearsal_dir", None)
    if rehearsal and not args.outputs and not (own / render.OUTPUTS_FILE).is_file():
        kept = render.output_dir(cfg, rehearsal)
        if (kept / render.OUTPUTS_FILE).is_file():
            return kept
    return own


def render_manifests(cfg: Config, args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    """Render and write; returns the output folder and the outputs used."""
    from cfngen.kube import render, steps

    outputs, source = _outputs(cfg, args)
    out = args.out or _environment_dir(cfg, args) / render.MANIFESTS_DIR
    with kube_errors():
        steps.write_manifests(cfg, outputs, source, args.base, out)
    return out, outputs


def run_render(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    out, _ = render_manifests(cfg, args)
    if args.rehearsal_dir and args.out is None and out.is_relative_to(args.rehearsal_dir):
        info(
            f"no deployment outputs in {args.output_dir}/{cfg.environment}/: rendered from the "
            "outputs the last rehearsal kept (deploy for real for the cluster's own)"
        )
    from cfngen.kube import render

    if args.placeholder and render.placeholder_outputs(cfg):
        info("placeholder image registry: for validation only, do not apply this")
    return 0


def apply_manifests(cfg: Config, args: argparse.Namespace) -> int:
    """Render, connect, apply, wait: ``cfngen manifests apply``."""
    if getattr(args, "placeholder", False):
        raise UserError("--placeholder renders for validation only; it cannot be applied")
    from cfngen.kube import steps

    out, outputs = render_manifests(cfg, args)
    with kube_errors():
        steps.apply_rendered(cfg, outputs, out, args.profile, args.region, args.endpoint_url)
    return 0


def run_apply(args: argparse.Namespace) -> int:
    return apply_manifests(load_config(args.config), args)


COMMAND = Command(
    "manifests",
    help="render or apply the Kubernetes manifests for the EKS cluster",
    description="Render the kustomize base in manifests/ for one environment, or apply it.",
    dest="verb",
    metavar="VERB",
    subcommands=(
        Command(
            "render",
            help="write output/<env>/manifests/ (overlay + rendered YAML); no cluster needed",
            description=(
                "Write an overlay for the environment (ECR image and tag, namespace, replicas, "
                "labels, resources) plus the fully rendered YAML into output/<env>/manifests/. "
                "Reads output/<env>/outputs.json; the overlay is resolved in Python, so neither "
                "a cluster nor kubectl is needed."
            ),
            arguments=_render_arguments,
            run=run_render,
        ),
        Command(
            "apply",
            help="render, write a kubeconfig, kubectl apply --server-side, wait for the rollout",
            description=(
                "Render, then write output/<env>/kubeconfig for the EKS cluster (aws eks "
                "get-token exec plugin), apply the rendered YAML with server-side apply, wait "
                "for the rollout and print the Service's load balancer hostname. Needs kubectl "
                "and the AWS CLI."
            ),
            arguments=_arguments,
            run=run_apply,
        ),
    ),
)
