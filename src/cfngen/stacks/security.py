"""Resource policies shared by the builders: checkov suppressions with reasons, Retain.

A suppression is data on the resource (``Metadata.checkov.skip``) with the reason a
reviewer reads, so the template itself explains every accepted finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from troposphere import AWSObject

R = TypeVar("R", bound=AWSObject)


def suppress(res: R, reasons: Mapping[str, str]) -> R:
    """Add checkov skips ``{check id: reason}`` to the resource's Metadata (sorted, merged)."""
    if not reasons:
        return res
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
