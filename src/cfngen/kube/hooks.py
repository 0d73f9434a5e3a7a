"""The deployer's hooks for Kubernetes: clean up before destroy, apply after deploy.

``register()`` is called once by ``cfngen deploy``/``cfngen destroy``; it
imports the deployer's registry lazily so that rendering never needs it. A failed
step raises :class:`cfngen.kube.steps.KubeError`, which stops the command.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from cfngen.endpoints import is_loopback

if TYPE_CHECKING:
    from cfngen.deploy.hooks import HookContext

WITH_MANIFESTS = "with_manifests"  # the option ``deploy --with-manifests`` sets


def _profile(ctx: HookContext) -> str | None:
    profile = ctx.options.get("profile") or getattr(ctx.session, "profile_name", None)
    return None if profile in (None, "default") else str(profile)


def pre_delete(ctx: HookContext) -> None:
    """Delete LoadBalancer Services (their LBs block the VPC) or say what may be left."""
    if not ctx.cfg.eks.enabled:
        return  # no cluster, no Services
    if is_loopback(ctx.endpoint_url):
        ctx.say("kubernetes: local endpoint, no Kubernetes API to clean up (skipped)")
        return
    from cfngen.kube import render, steps

    ctx.say("kubernetes: deleting Services of type LoadBalancer before the stacks")
    steps.before_destroy(
        ctx.cfg,
        _profile(ctx),
        ctx.region,
        ctx.endpoint_url,
        ctx.outputs,
        output_root=Path(ctx.options.get("output_dir") or render.OUTPUT_ROOT),
    )


def post_deploy(ctx: HookContext) -> None:
    """``deploy --with-manifests``: render from the fresh stack outputs, apply, wait."""
    if not ctx.options.get(WITH_MANIFESTS):
        return
    from cfngen.kube import render, steps

    ctx.say("kubernetes: rendering and applying the manifests (--with-manifests)")
    out = _environment_dir(ctx) / render.MANIFESTS_DIR
    base = ctx.options.get("base")
    source = f"stack {ctx.stack_name}"
    steps.write_manifests(ctx.cfg, ctx.outputs, source, Path(base) if base else None, out)
    steps.apply_rendered(ctx.cfg, ctx.outputs, out, _profile(ctx), ctx.region, ctx.endpoint_url)


def post_delete(ctx: HookContext) -> None:
    """The stacks are gone: drop the manifests and kubeconfig rendered for them."""
    from cfngen.kube.kubeconfig import FILE_NAME
    from cfngen.kube.render import MANIFESTS_DIR

    env_dir = _environment_dir(ctx)
    removed = []
    if (env_dir / MANIFESTS_DIR).is_dir():
        shutil.rmtree(env_dir / MANIFESTS_DIR)
        removed.append(f"{env_dir / MANIFESTS_DIR}/")
    if (env_dir / FILE_NAME).is_file():
        (env_dir / FILE_NAME).unlink()
        removed.append(str(env_dir / FILE_NAME))
    if removed:
        ctx.say(f"kubernetes: removed {' and '.join(removed)} (rendered for the deleted stacks)")


def _environment_dir(ctx: HookContext) -> Path:
    """<output-dir>/<environment>, where the command's --output-dir points (default output)."""
    from cfngen.kube import render

    return render.output_dir(ctx.cfg, Path(ctx.options.get("output_dir") or render.OUTPUT_ROOT))


def register() -> None:
    from cfngen.deploy import hooks

    hooks.register_pre_delete(pre_delete, "kubernetes: delete LoadBalancer Services")
    hooks.register_post_deploy(post_deploy, "kubernetes: apply manifests (--with-manifests)")
    hooks.register_post_delete(post_delete, "kubernetes: remove rendered manifests")
