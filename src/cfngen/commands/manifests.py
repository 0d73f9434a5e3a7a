"""`cfngen manifests render|apply`: the Kubernetes app on the EKS cluster.

``render`` needs only the config and the stack outputs (outputs.json, or the
stack with --from-stack); ``apply`` renders, then talks to the cluster through
kubectl. :func:`apply_manifests` is also what ``cfngen deploy --with-manifests``
calls, and :func:`destroy_hook` what ``cfngen destroy`` runs before deleting.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cfngen.commands.common import UserError, add_aws_args, add_config_arg, info, load_config

if TYPE_CHECKING:
    from cfngen.config import Config

OUTPUT_ROOT = Path("output")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "manifests",
        help="render or apply the Kubernetes manifests for the EKS cluster",
        description="Render the kustomize base in manifests/ for one environment, or apply it.",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    render = verbs.add_parser(
        "render",
        help="write output/<env>/manifests/ (overlay + rendered YAML); no cluster needed",
        description=(
            "Write an overlay for the environment (ECR image and tag, namespace, replicas, "
            "labels, resources) plus the fully rendered YAML into output/<env>/manifests/. "
            "Reads output/<env>/outputs.json; the overlay is resolved in Python, so neither "
            "a cluster nor kubectl is needed."
        ),
    )
    apply = verbs.add_parser(
        "apply",
        help="render, write a kubeconfig, kubectl apply --server-side, wait for the rollout",
        description=(
            "Render, then write output/<env>/kubeconfig for the EKS cluster (aws eks get-token "
            "exec plugin), apply the rendered YAML with server-side apply, wait for the "
            "rollout and print the Service's load balancer hostname. Needs kubectl and the "
            "AWS CLI."
        ),
    )
    for q in (render, apply):
        add_config_arg(q)
        add_aws_args(q)
        add_source_args(q)
    render.set_defaults(func=run_render)
    apply.set_defaults(func=run_apply)


def add_source_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("where the stack outputs come from")
    src = g.add_mutually_exclusive_group()
    src.add_argument(
        "--outputs",
        type=Path,
        metavar="FILE",
        help="stack outputs JSON (default: output/<environment>/outputs.json)",
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
        "--base", type=Path, default=Path("manifests"), metavar="DIR",
        help="the kustomize base (default: manifests)",
    )  # fmt: skip
    p.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output folder (default: output/<environment>/manifests)",
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
    path = args.outputs or render.output_dir(cfg, OUTPUT_ROOT) / "outputs.json"
    try:
        return render.read_outputs(path), str(path)
    except render.RenderError as exc:
        raise UserError(str(exc)) from None


def render_manifests(cfg: Config, args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    """Render and write; returns the output folder and the outputs used."""
    from cfngen.kube import render

    outputs, source = _outputs(cfg, args)
    out = args.out or render.output_dir(cfg, OUTPUT_ROOT) / "manifests"
    write_manifests(cfg, outputs, source, args.base, out)
    return out, outputs


def write_manifests(
    cfg: Config, outputs: Mapping[str, str], source: str, base: Path, out: Path
) -> None:
    from cfngen.kube import render

    try:
        manifests = render.render(cfg, outputs, source, base=base)
        render.write(manifests, out)
    except render.RenderError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}", exit_code=1) from None
    info(f"wrote {out}/ for {cfg.prefix} (image {manifests.image}, from {source})")


def run_render(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    render_manifests(cfg, args)
    if args.placeholder:
        info("placeholder image registry: for validation only, do not apply this")
    return 0


def apply_manifests(cfg: Config, args: argparse.Namespace) -> int:
    """Render, connect, apply, wait: ``cfngen manifests apply``."""
    if getattr(args, "placeholder", False):
        raise UserError("--placeholder renders for validation only; it cannot be applied")
    out, outputs = render_manifests(cfg, args)
    apply_rendered(cfg, outputs, out, args.profile, args.region, args.endpoint_url)
    return 0


def apply_rendered(
    cfg: Config,
    outputs: Mapping[str, str],
    out: Path,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> None:
    """Kubeconfig beside ``out``, then apply its rendered.yaml and wait; UserError on failure."""
    from botocore.exceptions import BotoCoreError, ClientError

    from cfngen.kube import apply, connect, render
    from cfngen.kube.kubeconfig import ClusterError
    from cfngen.kube.kubectl import KubectlError

    try:
        kubectl = connect.connect(cfg, outputs, out.parent, profile, region, endpoint_url)
        info(f"wrote {kubectl.kubeconfig} (mode 0600; tokens from `aws eks get-token`)")
        apply.apply(kubectl, out / render.RENDERED_FILE, cfg.kube_namespace, info)
    except KubectlError as exc:
        raise UserError(str(exc), exc.exit_code) from None
    except ClusterError as exc:
        raise UserError(str(exc), 1) from None
    except (BotoCoreError, ClientError) as exc:
        raise UserError(f"cannot describe the EKS cluster: {exc}", 1) from None


def run_apply(args: argparse.Namespace) -> int:
    return apply_manifests(load_config(args.config), args)


def destroy_hook(
    cfg: Config,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    outputs: Mapping[str, str] | None = None,
) -> bool:
    """Before `cfngen destroy` deletes the stacks: remove LoadBalancer Services (and LBs).

    Reads outputs.json when present for the cluster name and VPC ID; never raises
    for an unreachable cluster (it prints what may be left behind instead).
    """
    from cfngen.contracts import NetworkOut
    from cfngen.kube import cleanup, connect, render

    out_dir = render.output_dir(cfg, OUTPUT_ROOT)
    if not outputs:
        try:
            outputs = render.read_outputs(out_dir / "outputs.json")
        except render.RenderError:
            outputs = {}
    return cleanup.before_destroy(
        lambda: connect.connect(cfg, outputs, out_dir, profile, region, endpoint_url),
        connect.cluster_name(cfg, outputs),
        region or cfg.region,
        outputs.get(NetworkOut.VPC_ID, ""),
        info,
    )
