"""What a cost estimate is made of: charges, merged line items, the estimate, the context.

Charges of the same kind in the same stack are merged into one line item, so "3 NAT
gateways" is one line and a plan can say "NAT gateways 1 -> 3".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cfngen.preview.prices import RegionPrices
from cfngen.preview.templates import TemplateSet
from cfngen.preview.usage import Usage

HOURLY, MONTHLY, PER_GB = "h", "month", "GB"


@dataclass(frozen=True)
class Charge:
    """One priced quantity: ``quantity`` units at ``price`` per ``per`` (h, month, GB)."""

    stack: str
    item: str
    quantity: float
    unit: str
    price: float
    per: str
    note: str = ""
    usage_based: bool = False
    estimated: bool = True


@dataclass(frozen=True)
class Item:
    stack: str
    item: str
    quantity: float
    unit: str
    price: float
    per: str
    monthly: float
    note: str = ""
    usage_based: bool = False
    estimated: bool = True

    def basis(self, hours: float) -> str:
        """How the figure comes about: ``3 gateways x $0.045/h x 730 h``."""
        if not self.estimated:
            return f"${number_text(self.price)} per {self.per}"
        text = f"{number_text(self.quantity)} {self.unit} x ${number_text(self.price)}/{self.per}"
        return f"{text} x {number_text(hours)} h" if self.per == HOURLY else text

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "item": self.item,
            "quantity": round(self.quantity, 4),
            "unit": self.unit,
            "unit_price_usd": self.price,
            "per": self.per,
            "monthly_usd": round(self.monthly, 2),
            "usage_based": self.usage_based,
            "estimated": self.estimated,
            "note": self.note,
        }


@dataclass(frozen=True)
class Estimate:
    region: str
    items: tuple[Item, ...]
    hours: float
    prices_as_of: str
    prices_source: str
    usage: Usage
    warnings: tuple[str, ...] = field(default=())

    @property
    def total(self) -> float:
        return sum(i.monthly for i in self.items)

    def by_stack(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for i in self.items:
            out[i.stack] = out.get(i.stack, 0.0) + i.monthly
        return out

    def quantities(self) -> dict[tuple[str, str], tuple[float, float]]:
        """(stack, item) -> (quantity, monthly) of the estimated lines: what a plan compares."""
        out: dict[tuple[str, str], tuple[float, float]] = {}
        for i in self.items:
            if i.estimated:
                q, m = out.get((i.stack, i.item), (0.0, 0.0))
                out[(i.stack, i.item)] = (q + i.quantity, m + i.monthly)
        return out


@dataclass(frozen=True)
class Context:
    """What every rule needs besides the templates."""

    templates: TemplateSet
    prices: RegionPrices
    usage: Usage
    as_of: date
    eks_support_end: Mapping[str, date]


def merge(charges: Iterable[Charge], hours: float) -> tuple[Item, ...]:
    """One line per (stack, item, price, per), quantities added; order of first appearance."""
    merged: dict[tuple[str, str, float, str, bool], Charge] = {}
    for c in charges:
        key = (c.stack, c.item, c.price, c.per, c.estimated)
        prev = merged.get(key)
        merged[key] = c if prev is None else _add(prev, c)
    items = []
    for c in merged.values():
        factor = hours if c.per == HOURLY else 1.0
        monthly = c.quantity * c.price * factor if c.estimated else 0.0
        items.append(
            Item(
                c.stack,
                c.item,
                c.quantity,
                c.unit,
                c.price,
                c.per,
                monthly,
                c.note,
                c.usage_based,
                c.estimated,
            )
        )
    return tuple(items)


def _add(a: Charge, b: Charge) -> Charge:
    notes = [n for n in dict.fromkeys((a.note, b.note)) if n]
    return Charge(
        a.stack,
        a.item,
        a.quantity + b.quantity,
        a.unit,
        a.price,
        a.per,
        "; ".join(notes),
        a.usage_based,
        a.estimated,
    )


def number_text(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"
