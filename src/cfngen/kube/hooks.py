"""The deployer's hooks for Kubernetes: clean up before destroy, apply after deploy.

``register()`` is called once by ``cfngen deploy``/``cfngen destroy``; it
imports the deployer's registry lazily so that rendering never needs it. A failed
step raises :class:`cfngen.kube.steps.KubeError`, which stops the command.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from cfngen.deploy.hooks import HookContext

WITH_MANIFESTS = "with_manifests"  # the option ``deploy --with-manifests`` sets


def _profile(ctx: HookContext) -> str | None:
    profile = ctx.options.get("profile") or getattr(ctx.session, "profile_name", None)
    return None if profile in (None, "default") else str(profile)


def is_loopback(endpoint_url: str | None) -> bool:
    """True for the local endpoint (`cfngen emulator`): its EKS clusters have no Kubernetes API."""
    host = urlparse(endpoint_url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def pre_delete(ctx: HookContext) -> None:
    """Delete LoadBalancer Services (their LBs block the VPC) or say what may be left."""
    if is_loopback(ctx.endpoint_url):
        ctx.say("kubernetes: local endpoint, no Kubernetes API to clean up (skipped)")
        return
    from cfngen.kube import steps

    ctx.say("kubernetes: deleting Services of type LoadBalancer before the stacks")
    steps.before_destroy(ctx.cfg, _profile(ctx), ctx.region, ctx.endpoint_url, ctx.outputs)


def post_deploy(ctx: HookContext) -> None:
    """``deploy --with-manifests``: render from the fresh stack outputs, apply, wait."""
    if not ctx.options.get(WITH_MANIFESTS):
        return
    from cfngen.kube import render, steps

    ctx.say("kubernetes: rendering and applying the manifests (--with-manifests)")
    out = render.output_dir(ctx.cfg) / "manifests"
    base = Path(ctx.options.get("base", "manifests"))
    steps.write_manifests(ctx.cfg, ctx.outputs, f"stack {ctx.stack_name}", base, out)
    steps.apply_rendered(ctx.cfg, ctx.outputs, out, _profile(ctx), ctx.region, ctx.endpoint_url)


def register() -> None:
    from cfngen.deploy import hooks

    hooks.register_pre_delete(pre_delete, "kubernetes: delete LoadBalancer Services")
    hooks.register_post_deploy(post_deploy, "kubernetes: apply manifests (--with-manifests)")
