"""Operation preferences: config ``stackset.preferences`` overlaid by flags, in API shape.

A count and a percentage of the same setting are one key (``3`` or ``'25%'``), so
the API's "count or percentage, not both" cannot be violated.
"""

from __future__ import annotations

from typing import Any

from cfngen.config import StackSetPreferences
from cfngen.config.validate_stackset import parse_amount


def to_api(prefs: StackSetPreferences, regions: tuple[str, ...]) -> dict[str, Any]:
    """``OperationPreferences`` for CreateStackInstances/UpdateStackSet/DeleteStackInstances."""
    out: dict[str, Any] = {
        "RegionConcurrencyType": prefs.region_concurrency,
        "ConcurrencyMode": prefs.concurrency_mode,
    }
    order = [r for r in prefs.region_order if r in regions]
    if prefs.region_concurrency == "SEQUENTIAL" and order:
        out["RegionOrder"] = order + [r for r in regions if r not in order]
    for value, count_key, pct_key in (
        (prefs.max_concurrent, "MaxConcurrentCount", "MaxConcurrentPercentage"),
        (prefs.failure_tolerance, "FailureToleranceCount", "FailureTolerancePercentage"),
    ):
        parsed = parse_amount(value)
        if parsed is not None:
            out[pct_key if parsed[1] else count_key] = parsed[0]
    return out
