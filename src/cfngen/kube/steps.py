"""The Kubernetes steps that both `cfngen manifests` and the deployer's hooks run.

Render and write an environment's manifests, apply them to the EKS cluster, and
clean up LoadBalancer Services before the stacks are deleted. Failures a user can
act on raise :class:`KubeError` with one line and an exit code; the commands turn it
into their own error, so this library never depends on the CLI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from cfngen.config import Config
from cfngen.contracts import NetworkOut
from cfngen.endpoints import is_loopback
from cfngen.kube import apply, cleanup, connect, render
from cfngen.kube.kubeconfig import ClusterError
from cfngen.kube.kubectl import KubectlError

EXIT_FAILED, EXIT_USAGE = 1, 2
Say = Callable[[str], None]


class KubeError(Exception):
    """A Kubernetes step failed; the message is one line for the user."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def write_manifests(
    cfg: Config,
    outputs: Mapping[str, str],
    source: str,
    base: Path | None,
    out: Path,
    say: Say = to_stderr,
) -> None:
    """Render the base for ``cfg`` with the stack outputs and write it to ``out``."""
    try:
        manifests = render.render(cfg, outputs, source, base=base)
        render.write(manifests, out)
    except render.RenderError as exc:
        raise KubeError(str(exc)) from None
    except OSError as exc:
        raise KubeError(f"cannot write {out}: {exc.strerror}", EXIT_FAILED) from None
    say(f"wrote {out}/ for {cfg.prefix} (image {manifests.image}, from {source})")


def apply_rendered(
    cfg: Config,
    outputs: Mapping[str, str],
    out: Path,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    say: Say = to_stderr,
) -> None:
    """Kubeconfig beside ``out``, then apply its rendered.yaml and wait for the rollout.

    A local endpoint (the emulator) has EKS API objects but no Kubernetes API server:
    one line says so and nothing is attempted, as ``destroy`` does for its clean-up.
    """
    if is_loopback(endpoint_url or os.environ.get("AWS_ENDPOINT_URL")):
        say(
            "kubernetes: local endpoint, no Kubernetes API to apply to (skipped; the "
            f"manifests are in {out}/)"
        )
        return
    try:
        kubectl = connect.connect(cfg, outputs, out.parent, profile, region, endpoint_url)
        say(f"wrote {kubectl.kubeconfig} (mode 0600; tokens from `aws eks get-token`)")
        apply.apply(kubectl, out / render.RENDERED_FILE, cfg.kube_namespace, say)
    except KubectlError as exc:
        raise KubeError(str(exc), exc.exit_code) from None
    except ClusterError as exc:
        raise KubeError(str(exc), EXIT_FAILED) from None
    except (BotoCoreError, ClientError) as exc:
        raise KubeError(f"cannot describe the EKS cluster: {exc}", EXIT_FAILED) from None


def before_destroy(
    cfg: Config,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    outputs: Mapping[str, str] | None = None,
    say: Say = to_stderr,
    output_root: Path = render.OUTPUT_ROOT,
) -> bool:
    """Before `cfngen destroy` deletes the stacks: remove LoadBalancer Services (and LBs).

    Reads outputs.json when present for the cluster name and VPC ID, and writes the
    kubeconfig, in ``<output_root>/<environment>/`` (the command's ``--output-dir``);
    never raises for an unreachable cluster (it prints what may be left behind instead).
    """
    out_dir = render.output_dir(cfg, output_root)
    if not outputs:
        try:
            outputs = render.read_outputs(out_dir / render.OUTPUTS_FILE)
        except render.RenderError:
            outputs = {}
    found = outputs
    return cleanup.before_destroy(
        lambda: connect.connect(cfg, found, out_dir, profile, region, endpoint_url),
        connect.cluster_name(cfg, found),
        region or cfg.region,
        found.get(NetworkOut.VPC_ID, ""),
        say,
    )
