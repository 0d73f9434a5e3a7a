"""Resource policies shared by the builders: scanner suppressions with reasons, Retain.

A suppression is data on the resource with the reason a reviewer reads, so the template
itself explains every accepted finding, in each scanner's own convention:
``Metadata.checkov.skip`` (checkov), ``Metadata.cfn_nag.rules_to_suppress`` (cfn_nag),
``Metadata.guard.SuppressedRules`` (cfn-guard rule sets; the reasons under
``Metadata.guard.Reasons``) and ``Metadata.cfripper`` (rule name: reason; cfripper reads
it through the filter in ``scripts/cfripper_filters/``). A checkov skip carries its AWS
Control Tower twin (the control that checks the same property) with the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from troposphere import AWSObject

R = TypeVar("R", bound=AWSObject)


PUBLIC_ADDRESSES = (
    "No network.private_subnets (so no NAT): tasks and nodes run in the public subnets, whose "
    "route to the internet gateway is the design, and need a public address to pull images "
    "and reach AWS APIs; with private subnets nothing here gets one."
)


# checkov check -> the AWS Control Tower proactive controls (cfn-guard) that check the same
# property, so that one reason suppresses both.
GUARD_TWINS: Mapping[str, tuple[str, ...]] = {
    "CKV_AWS_2": ("CT.ELASTICLOADBALANCING.PR.1",),  # HTTP listener
    "CKV_AWS_18": ("CT.S3.PR.2",),  # server access logging
    "CKV_AWS_58": ("CT.EKS.PR.2",),  # secrets encryption
    "CKV_AWS_65": ("CT.ECS.PR.2",),  # Container Insights
    "CKV_AWS_91": ("CT.ELASTICLOADBALANCING.PR.6",),  # load balancer access logs
    "CKV_AWS_117": ("CT.LAMBDA.PR.3",),  # function in a VPC
    "CKV_AWS_158": ("CT.CLOUDWATCH.PR.3",),  # log group KMS key
}


def suppress(res: R, reasons: Mapping[str, str]) -> R:
    """Add checkov skips ``{check id: reason}`` to the resource's Metadata (sorted, merged),
    and their Control Tower twins (:data:`GUARD_TWINS`) with the same reasons."""
    if not reasons:
        return res
    suppress_guard(res, {ct: why for ck, why in reasons.items() for ct in GUARD_TWINS.get(ck, ())})
    meta = dict(res.resource.get("Metadata", {}))
    checkov = dict(meta.get("checkov", {}))
    skips = {s["id"]: s["comment"] for s in checkov.get("skip", [])}
    skips.update(reasons)
    checkov["skip"] = [{"id": k, "comment": skips[k]} for k in sorted(skips)]
    meta["checkov"] = checkov
    res.Metadata = meta
    return res


def suppress_cfn_nag(res: R, reasons: Mapping[str, str]) -> R:
    """Add cfn_nag suppressions ``{rule id: reason}`` (``Metadata.cfn_nag.rules_to_suppress``)."""
    if not reasons:
        return res
    meta = dict(res.resource.get("Metadata", {}))
    nag = dict(meta.get("cfn_nag", {}))
    rules = {r["id"]: r["reason"] for r in nag.get("rules_to_suppress", [])}
    rules.update(reasons)
    nag["rules_to_suppress"] = [{"id": k, "reason": rules[k]} for k in sorted(rules)]
    meta["cfn_nag"] = nag
    res.Metadata = meta
    return res


def suppress_guard(res: R, reasons: Mapping[str, str]) -> R:
    """Add cfn-guard suppressions ``{control id: reason}`` (``Metadata.guard``)."""
    if not reasons:
        return res
    meta = dict(res.resource.get("Metadata", {}))
    guard = dict(meta.get("guard", {}))
    why = {**guard.get("Reasons", {}), **reasons}
    guard["SuppressedRules"] = sorted(why)
    guard["Reasons"] = {k: why[k] for k in sorted(why)}
    meta["guard"] = guard
    res.Metadata = meta
    return res


def suppress_cfripper(res: R, reasons: Mapping[str, str]) -> R:
    """Add cfripper allowances ``{rule name: reason}`` (``Metadata.cfripper``)."""
    meta = dict(res.resource.get("Metadata", {}))
    meta["cfripper"] = {**meta.get("cfripper", {}), **reasons}
    res.Metadata = meta
    return res


def skipped_checks(res: AWSObject) -> dict[str, str]:
    """The checkov suppressions on a resource, for tests and reports."""
    skips = res.resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    return {s["id"]: s["comment"] for s in skips}


def retain(res: R, keep: bool) -> R:
    """Keep a stateful resource on stack delete and on replacement unless opted out.

    ``RetainExceptOnCreate``: kept when the stack is deleted or the resource removed,
    but deleted when the operation that created it rolls back (a failed first create,
    nested stacks included), so a retry finds no leftover with its fixed name. A
    deploy after a destroy adopts what was kept (ImportExistingResources needs Retain
    or RetainExceptOnCreate). ``UpdateReplacePolicy`` does not accept that value:
    ``Retain`` keeps the old resource when a change replaces it.
    """
    res.DeletionPolicy = "RetainExceptOnCreate" if keep else "Delete"
    res.UpdateReplacePolicy = "Retain" if keep else "Delete"
    return res
