"""Extension points around deploy and destroy, for work that lives outside CloudFormation.

``register_pre_delete(fn)`` runs ``fn(ctx)`` in ``cfngen destroy`` after the user
confirmed and before DeleteStack (e.g. delete Kubernetes LoadBalancer Services
so their load balancers do not block the VPC). ``register_post_deploy(fn)`` runs
after a successful deploy (also when nothing changed), e.g. for
``deploy --with-manifests``. ``register_post_delete(fn)`` runs after the root
stack is gone, to remove local artifacts that described it (rendered manifests,
kubeconfig). A hook that raises stops the command with exit 1;
``ctx.options`` carries command-line switches a hook may look at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cfngen.config import Config


@dataclass(frozen=True)
class HookContext:
    cfg: Config
    session: Any  # boto3.Session, with region already chosen
    region: str
    endpoint_url: str | None
    stack_name: str
    outputs: Mapping[str, str]  # root stack OutputKey -> OutputValue (may be empty)
    say: Callable[[str], None]  # print one progress line
    options: Mapping[str, Any] = field(default_factory=dict)


Hook = Callable[[HookContext], None]
_PRE_DELETE: list[tuple[str, Hook]] = []
_POST_DEPLOY: list[tuple[str, Hook]] = []
_POST_DELETE: list[tuple[str, Hook]] = []


def _add(registry: list[tuple[str, Hook]], fn: Hook, name: str | None) -> Hook:
    label = name or str(getattr(fn, "__qualname__", repr(fn)))
    if all(existing is not fn for _, existing in registry):
        registry.append((label, fn))
    return fn


def register_pre_delete(fn: Hook, name: str | None = None) -> Hook:
    """Run ``fn`` before the root stack is deleted; usable as a decorator; idempotent."""
    return _add(_PRE_DELETE, fn, name)


def register_post_deploy(fn: Hook, name: str | None = None) -> Hook:
    """Run ``fn`` after a successful deploy; usable as a decorator; idempotent."""
    return _add(_POST_DEPLOY, fn, name)


def register_post_delete(fn: Hook, name: str | None = None) -> Hook:
    """Run ``fn`` after the root stack was deleted; usable as a decorator; idempotent."""
    return _add(_POST_DELETE, fn, name)


def pre_delete_hooks() -> list[tuple[str, Hook]]:
    return list(_PRE_DELETE)


def post_deploy_hooks() -> list[tuple[str, Hook]]:
    return list(_POST_DEPLOY)


def post_delete_hooks() -> list[tuple[str, Hook]]:
    return list(_POST_DELETE)


def unregister(fn: Hook) -> None:
    for registry in (_PRE_DELETE, _POST_DEPLOY, _POST_DELETE):
        registry[:] = [(n, f) for n, f in registry if f is not fn]


def run(hooks: list[tuple[str, Hook]], ctx: HookContext) -> None:
    """Run hooks in order; each says what it does when it acts (most act only on a flag)."""
    for _, fn in hooks:
        fn(ctx)
