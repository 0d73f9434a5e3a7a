"""Cost estimates as people read them: a table, JSON for scripts, and the change of a plan."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from cfngen.preview.cost_model import Estimate, Item


def money(value: float, sign: bool = False) -> str:
    text = f"${abs(value):,.2f}"
    if sign:
        return ("-" if value < -0.004 else "+") + text
    return "-" + text if value < -0.004 else text


def table(est: Estimate, title: str, tops: Mapping[str, float] | None = None) -> str:
    """Monthly figures per stack and line item, total, what is not estimated, sources."""
    rows = [("STACK", "ITEM", "BASIS", "MONTHLY")]
    priced = [i for i in est.items if i.estimated]
    for stack in _stack_order(priced):
        for i in (i for i in priced if i.stack == stack):
            rows.append((i.stack, i.item, i.basis(est.hours), money(i.monthly)))
    rows.append(("", "total", "", money(est.total)))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [f"{title}: {money(est.total)}/month in {est.region} (on-demand list prices)", ""]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2])]
        lines.append(("  " + "  ".join(cells) + "  " + r[3].rjust(widths[3])).rstrip())
    lines.append("")
    lines.append("per stack: " + ", ".join(f"{s} {money(v)}" for s, v in _stacks(est).items()))
    if tops and len(tops) > 1:
        shown = ", ".join(f"{name} {money(v)}" for name, v in tops.items())
        lines.append(f"per top-level stack (each its own operation): {shown}")
    open_items = [i for i in est.items if not i.estimated]
    if open_items:
        lines.append("usage-based, not estimated (0 in the total):")
        lines += [f"  {i.item}: {i.basis(est.hours)} ({i.note})" for i in open_items]
    assumed = [i for i in priced if i.usage_based]
    if assumed:
        lines.append(
            "from usage assumptions (override with --usage FILE): "
            + ", ".join(sorted({i.item for i in assumed}))
        )
    lines += [f"warning: {w}" for w in est.warnings]
    lines.append(f"prices as of {est.prices_as_of}: {est.prices_source}")
    return "\n".join(lines)


def as_json(est: Estimate, stack_name: str, tops: Mapping[str, float] | None = None) -> str:
    """``tops``: stack name -> monthly total of each top-level stack (a split platform)."""
    data: dict[str, Any] = {
        "stack_name": stack_name,
        "region": est.region,
        "currency": "USD",
        "hours_per_month": est.hours,
        "total_monthly_usd": round(est.total, 2),
        "stacks": {k: round(v, 2) for k, v in _stacks(est).items()},
        "top_level_stacks": {k: round(v, 2) for k, v in (tops or {stack_name: est.total}).items()},
        "items": [i.as_json() for i in est.items],
        "warnings": list(est.warnings),
        "usage": asdict(est.usage),
        "prices": {"as_of": est.prices_as_of, "source": est.prices_source},
    }
    return json.dumps(data, indent=2) + "\n"


def by_top(est: Estimate, owner: Callable[[str], str]) -> dict[str, float]:
    """Monthly total per top-level stack, ``owner(stack label)`` naming each line's one."""
    out: dict[str, float] = {}
    for i in est.items:
        out[owner(i.stack)] = out.get(owner(i.stack), 0.0) + i.monthly
    return out


def _stacks(est: Estimate) -> dict[str, float]:
    totals = est.by_stack()
    return {s: totals[s] for s in _stack_order([i for i in est.items if i.estimated])}


def _stack_order(items: list[Item]) -> list[str]:
    return list(dict.fromkeys(i.stack for i in items))


# --------------------------------------------------------------------------- plans


def changes(before: Estimate | None, after: Estimate) -> list[tuple[float, str]]:
    """(monthly delta, text) per line item that changed, biggest change first."""
    old = before.quantities() if before else {}
    new = after.quantities()
    out: list[tuple[float, str]] = []
    for key in dict.fromkeys([*old, *new]):
        q0, m0 = old.get(key, (0.0, 0.0))
        q1, m1 = new.get(key, (0.0, 0.0))
        delta = m1 - m0
        if abs(delta) < 0.005:
            continue
        stack, item = key
        out.append((delta, f"{item} {_qty(q0)} -> {_qty(q1)} ({stack})"))
    out.sort(key=lambda pair: (-abs(pair[0]), pair[1]))
    return out


def plan_lines(before: Estimate | None, after: Estimate) -> list[str]:
    """What a deploy changes in the monthly bill, for the diff / deploy preview."""
    old_total = before.total if before else 0.0
    delta = after.total - old_total
    lines = [
        f"monthly cost: {money(old_total)} -> {money(after.total)} "
        f"({money(delta, sign=True)}/month, on-demand list prices in {after.region})"
    ]
    rows = changes(before, after)
    lines += [f"  {money(d, sign=True)}/month: {text}" for d, text in rows]
    if not rows:
        lines.append("  no change to the estimated line items")
    return lines


def _qty(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def top_level_lines(
    before: Mapping[str, float], after: Mapping[str, float], order: list[str]
) -> list[str]:
    """Each top-level stack's monthly total before and after a plan, in ``order``."""
    width = max(len(name) for name in order)
    figures = [(before.get(n, 0.0), after.get(n, 0.0)) for n in order]
    left = max(len(money(old)) for old, _ in figures)
    right = max(len(money(new)) for _, new in figures)
    out = ["  by top-level stack:"]
    for name, (old, new) in zip(order, figures, strict=True):
        change = "no change" if abs(new - old) < 0.005 else f"{money(new - old, sign=True)}/month"
        if name not in after:
            change += ", deleted"
        elif name not in before:
            change += ", new"
        out.append(
            f"    {name.ljust(width)}  {money(old).rjust(left)} -> {money(new).rjust(right)}"
            f"  ({change})"
        )
    return out
