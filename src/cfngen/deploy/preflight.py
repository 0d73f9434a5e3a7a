"""Preflight: read-only calls that find, before anything is created, what a deploy would hit.

CloudFormation finds a missing certificate, an AZ the region lacks, an EKS version or
instance type not offered, a name already taken or a quota exceeded only minutes into a
deploy, and then rolls everything back. These calls ask the services first: only
Describe/Get/List, nothing created (not even the template bucket). Each finding is one
line naming the config key, the problem and the fix; any finding stops ``deploy`` and
``diff`` with exit 2. A check whose API does not answer here (no permission, an endpoint
that lacks it) is skipped with a note, never guessed.

The checks read the rendered templates of one stack tree (certificate ARNs, EKS
versions, instance types, fixed names, counts of VPCs, NAT gateways and ALBs), so a
plan made of several stacks runs :func:`run` once per stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from cfngen.config import Config
from cfngen.deploy import (
    preflight_eks,
    preflight_moves,
    preflight_names,
    preflight_quotas,
    preflight_region,
)
from cfngen.deploy.preflight_base import UNANSWERED, Check, Context, Finding, templates_of
from cfngen.deploy.session import Aws, error_code, error_message
from cfngen.render import Rendered

CHECKS: tuple[tuple[str, Check], ...] = (
    ("region", preflight_region.enabled),
    ("availability zones", preflight_region.azs),
    ("certificates", preflight_region.certificates),
    ("EKS versions", preflight_eks.versions),
    ("instance types", preflight_eks.instance_types),
    ("names already taken", preflight_names.taken),
    ("moves between nested stacks", preflight_moves.moved),
    ("service quotas", preflight_quotas.exceeded),
)


@dataclass(frozen=True)
class Result:
    findings: list[Finding]
    notes: list[str]  # checks skipped, resources the deploy will adopt
    adopted: frozenset[tuple[str, str]]  # (type, name) that ImportExistingResources takes


def run(
    aws: Aws,
    cfg: Config,
    rendered: Rendered,
    stack_name: str | None = None,
    family: Sequence[str] = (),
) -> Result:
    """Every check over one stack tree; ``family`` names the platform's other top-level
    stacks, whose resources this stack may take over."""
    ctx = Context(
        aws, cfg, templates_of(rendered), stack_name or cfg.stack_name, family=tuple(family)
    )
    findings: list[Finding] = []
    for label, check in CHECKS:
        try:
            findings.extend(check(ctx))
        except ClientError as exc:
            if error_code(exc) not in UNANSWERED:
                raise
            op = getattr(exc, "operation_name", "its API")
            text = (
                error_message(exc).splitlines()[0][:80]
                if error_code(exc) not in ("404", "500", "501")
                else f"HTTP {error_code(exc)}"
            )
            ctx.notes.append(f"preflight: {label} not checked ({op}: {text})")
        except EndpointConnectionError:
            raise
        except BotoCoreError as exc:
            ctx.notes.append(f"preflight: {label} not checked ({exc})")
        if label == "region" and findings:
            break  # nothing else can be asked of a region that is not enabled
    return Result(findings, ctx.notes, frozenset(ctx.adopted))


def report(findings: list[Finding]) -> str:
    count = len(findings)
    head = f"preflight found {count} problem{'s' if count != 1 else ''}; nothing was created:"
    return "\n".join([head, *(f"  {f}" for f in findings)])
