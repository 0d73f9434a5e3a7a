"""The monthly cost change of a pending deploy: deployed templates vs the new ones.

Printed under the change-set table by ``cfngen diff`` and the deploy preview. It is a
preview only: a price table without the region, or a deployed template that cannot be
read, is said in one line and never stops a deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from cfngen.deploy import offline
from cfngen.deploy.deployed import deployed_templates
from cfngen.preview import cost, cost_report, prices, usage
from cfngen.preview.templates import TemplateSet


def lines(
    cfn: Any, stack_id: str | None, files: Mapping[str, bytes], region: str, today: date
) -> list[str]:
    """``monthly cost: $A -> $B (+$C/month ...)`` and one line per changed item."""
    if stack_id is None:
        return _lines(files, region, today, None)
    return _lines(files, region, today, lambda: deployed_templates(cfn, stack_id, region))


def offline_lines(
    old: Mapping[str, Mapping[str, Any]], files: Mapping[str, bytes], region: str, today: date
) -> list[str]:
    """The same, with a folder's templates (``diff --against DIR``) standing for the stack."""
    return _lines(files, region, today, lambda: offline.template_set(old, region))


def _lines(
    files: Mapping[str, bytes],
    region: str,
    today: date,
    running: Callable[[], TemplateSet | None] | None,
) -> list[str]:
    try:
        table = prices.load()
        table.region(region)
    except prices.PriceError as exc:
        return [f"monthly cost: not estimated ({str(exc).splitlines()[0]})"]
    assumptions = usage.defaults()
    after = cost.estimate(TemplateSet.from_files(files, region), table, assumptions, today)
    if running is None:
        return cost_report.plan_lines(None, after)
    deployed = running()
    if deployed is None:
        return [
            f"monthly cost after this deploy: {cost_report.money(after.total)} "
            "(the deployed templates could not be read to compare)"
        ]
    before = cost.estimate(deployed, table, assumptions, today)
    return cost_report.plan_lines(before, after)
