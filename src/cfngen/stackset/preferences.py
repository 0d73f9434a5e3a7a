"""Operation preferences: config ``stackset.preferences`` overlaid by flags, in API shape.

A count and a percentage of the same setting are one key (``3`` or ``'25%'``), so
the API's "count or percentage, not both" cannot be violated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cfngen.config import StackSetPreferences
from cfngen.config.validate_stackset import parse_amount

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation.type_defs import StackSetOperationPreferencesTypeDef


def to_api(
    prefs: StackSetPreferences, regions: tuple[str, ...]
) -> StackSetOperationPreferencesTypeDef:
    """``OperationPreferences`` for CreateStackInstances/UpdateStackSet/DeleteStackInstances."""
    out: StackSetOperationPreferencesTypeDef = {
        "RegionConcurrencyType": prefs.region_concurrency,
        "ConcurrencyMode": prefs.concurrency_mode,
    }
    order = [r for r in prefs.region_order if r in regions]
    if prefs.region_concurrency == "SEQUENTIAL" and order:
        out["RegionOrder"] = order + [r for r in regions if r not in order]
    concurrent = parse_amount(prefs.max_concurrent)
    if concurrent is not None:
        number, percent = concurrent
        if percent:
            out["MaxConcurrentPercentage"] = number
        else:
            out["MaxConcurrentCount"] = number
    tolerance = parse_amount(prefs.failure_tolerance)
    if tolerance is not None:
        number, percent = tolerance
        if percent:
            out["FailureTolerancePercentage"] = number
        else:
            out["FailureToleranceCount"] = number
    return out
