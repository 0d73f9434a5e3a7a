"""Monthly cost of a template tree: line items per stack, from resource types and properties.

The rules in :mod:`cfngen.preview.cost_rules` turn resources into charges (a NAT gateway
is an hourly charge plus, through its Elastic IP, a public IPv4 address); they are
merged into line items (:mod:`cfngen.preview.cost_model`). Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cfngen.preview import cost_rules
from cfngen.preview.cost_model import Context, Estimate, Item, merge
from cfngen.preview.prices import PriceTable
from cfngen.preview.templates import ROOT, TemplateSet
from cfngen.preview.usage import Usage

__all__ = ["Estimate", "Item", "estimate", "per_top_level"]


def estimate(
    templates: TemplateSet,
    table: PriceTable,
    usage: Usage,
    as_of: date,
    manifests: Sequence[Mapping[str, Any]] = (),
) -> Estimate:
    """Price every resource of the tree (and the Kubernetes objects, when given)."""
    ctx = Context(
        templates, table.region(templates.region), usage, as_of, table.eks_standard_support_end
    )
    charges = list(cost_rules.template_charges(ctx))
    charges += cost_rules.kubernetes_charges(ctx, manifests)
    charges += cost_rules.unestimated(ctx)
    items = merge(charges, usage.hours_per_month)
    warnings = tuple(cost_rules.warnings(ctx))
    return Estimate(
        templates.region,
        items,
        usage.hours_per_month,
        table.as_of,
        table.source,
        usage,
        warnings,
    )


def per_top_level(
    est: Estimate, templates: TemplateSet, names: Mapping[str, str]
) -> dict[str, float]:
    """Monthly total per top-level stack (``names``: key -> stack name), root first.

    Each line item belongs to the top-level stack its stack is deployed with; a line of no
    stack of the tree (usage, Kubernetes) to the root, which the platform is named after.
    """
    from cfngen.preview.cost_report import by_top

    owners = templates.owners()
    totals = by_top(est, lambda label: owners.get(label, ROOT))
    keys = [ROOT, *sorted(k for k in totals if k != ROOT)]
    return {names.get(k, k): totals.get(k, 0.0) for k in keys}
