"""The monthly cost change of a pending deploy: deployed templates vs the new ones.

Printed under the change-set table by ``cfngen diff`` and the deploy preview. A split
platform is priced whole: every top-level stack it runs now (and group stacks the plan
deletes) against every one the config generates, with each top-level stack's monthly
total before and after. It is a preview only: a price table without the region, or a
deployed template that cannot be read, is said in one line and never stops a deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from cfngen.deploy import offline
from cfngen.deploy.deployed import deployed_templates
from cfngen.deploy.topology import GROUP_KEY
from cfngen.preview import cost, cost_report, prices, usage
from cfngen.preview.templates import ROOT, TemplateSet


def lines(
    cfn: Any, stack_id: str | None, files: Mapping[str, bytes], region: str, today: date
) -> list[str]:
    """``monthly cost: $A -> $B (+$C/month ...)`` and one line per changed item."""
    after = TemplateSet.from_files(files, region)
    if stack_id is None:
        return _lines(after, region, today, None)
    return _lines(after, region, today, lambda: deployed_templates(cfn, stack_id, region))


def platform_lines(
    cfn: Any,
    live: Mapping[str, str],
    files: Mapping[str, bytes],
    region: str,
    today: date,
    names: Mapping[str, str],
) -> list[str]:
    """The same over every top-level stack of a split platform, and each one's total.

    ``live``: top-level key -> stack id of each that exists now (a group the plan deletes
    too); ``names``: key -> stack name of every one of them and of every generated one.
    """
    after = TemplateSet.platform(files, region)
    if ROOT not in live:
        return _lines(after, region, today, None, names)

    def running() -> TemplateSet | None:
        trees = {k: deployed_templates(cfn, sid, region) for k, sid in live.items()}
        root = trees.pop(ROOT)
        if root is None or any(t is None for t in trees.values()):
            return None
        return TemplateSet.joined(root, {k: t for k, t in trees.items() if t is not None})

    return _lines(after, region, today, running, names)


def offline_lines(
    old: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, bytes],
    region: str,
    today: date,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """The same, with a folder's templates (``diff --against DIR``) standing for the
    stacks: its root tree and each service group's it holds."""
    after = TemplateSet.platform(files, region)

    def running() -> TemplateSet:
        groups = {k: offline.template_set(old, region, k) for k in old if GROUP_KEY.fullmatch(k)}
        return TemplateSet.joined(offline.template_set(old, region), groups)

    split = after.tops or any(GROUP_KEY.fullmatch(k) for k in old)
    return _lines(after, region, today, running, names if split else None)


def _lines(
    after_set: TemplateSet,
    region: str,
    today: date,
    running: Callable[[], TemplateSet | None] | None,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    try:
        table = prices.load()
        table.region(region)
    except prices.PriceError as exc:
        return [f"monthly cost: not estimated ({str(exc).splitlines()[0]})"]
    assumptions = usage.defaults()
    after = cost.estimate(after_set, table, assumptions, today)
    before_set = None
    if running is not None:
        before_set = running()
        if before_set is None:
            return [
                f"monthly cost after this deploy: {cost_report.money(after.total)} "
                "(the deployed templates could not be read to compare)"
            ]
    before = None if before_set is None else cost.estimate(before_set, table, assumptions, today)
    out = cost_report.plan_lines(before, after)
    if names is None:
        return out
    new = cost.per_top_level(after, after_set, names)
    old = (
        {}
        if before is None or before_set is None
        else cost.per_top_level(before, before_set, names)
    )
    order = list(dict.fromkeys([*new, *old]))
    return out + cost_report.top_level_lines(old, new, order)
