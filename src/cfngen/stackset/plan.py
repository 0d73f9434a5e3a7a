"""Desired stack instances versus existing ones: what to add, update and remove.

A target is (account or OU, region). Instances that stay are updated when the
stack set itself changes (template, parameters, tags ...), when their parameter
overrides differ from the configured ones, or when they are not CURRENT (a
previous operation failed there). A second run with nothing changed is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cfngen.config import StackSetConfig
from cfngen.stackset.status import InstanceStatus, StackSetChange

Target = tuple[str, str]  # (account id or OU id, region)
Overrides = tuple[tuple[str, str], ...]  # sorted (parameter, value) pairs


def desired_targets(ss: StackSetConfig) -> list[Target]:
    owners = list(ss.accounts) + list(ss.organizational_units)
    return [(owner, region) for region in ss.regions for owner in owners]


def overrides_for(ss: StackSetConfig, target: Target) -> Overrides:
    """Parameter overrides of one target; later ``overrides`` entries win."""
    owner, region = target
    values: dict[str, str] = {}
    for ov in ss.overrides:
        if (not ov.accounts or owner in ov.accounts) and (not ov.regions or region in ov.regions):
            values.update(ov.parameters)
    return tuple(sorted(values.items()))


@dataclass(frozen=True)
class Existing:
    target: Target
    status: str
    overrides: Overrides


@dataclass
class Plan:
    stack_set: StackSetChange = StackSetChange.NONE
    stack_set_changes: list[str] = field(default_factory=list)
    add: list[Target] = field(default_factory=list)
    update: list[Target] = field(default_factory=list)
    remove: list[Target] = field(default_factory=list)
    reasons: dict[Target, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.stack_set or self.add or self.update or self.remove)

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.stack_set == StackSetChange.CREATE:
            out.append("  + stack set (new)")
        elif self.stack_set == StackSetChange.UPDATE:
            out.append(f"  ~ stack set: {', '.join(self.stack_set_changes)} changed")
        for sign, verb, targets in (
            ("+", "add", self.add),
            ("~", "update", self.update),
            ("-", "remove", self.remove),
        ):
            for owner, region in targets:
                why = self.reasons.get((owner, region))
                out.append(f"  {sign} {verb:<6} {owner} {region}" + (f" ({why})" if why else ""))
        return out

    def summary(self) -> str:
        return f"{len(self.add)} to add, {len(self.update)} to update, {len(self.remove)} to remove"


def make_plan(
    desired: Iterable[Target],
    wanted_overrides: Mapping[Target, Overrides],
    existing: Iterable[Existing],
    stack_set: StackSetChange,
    stack_set_changes: list[str],
) -> Plan:
    desired = list(desired)
    have = {e.target: e for e in existing}
    plan = Plan(stack_set=StackSetChange(stack_set), stack_set_changes=list(stack_set_changes))
    plan.add = [t for t in desired if t not in have]
    plan.remove = [t for t in have if t not in set(desired)]
    for target in desired:
        cur = have.get(target)
        if cur is None:
            continue
        if stack_set:
            plan.update.append(target)
            plan.reasons[target] = "stack set changed"
        elif cur.overrides != wanted_overrides.get(target, ()):
            plan.update.append(target)
            plan.reasons[target] = "parameter overrides changed"
        elif cur.status != InstanceStatus.CURRENT:
            plan.update.append(target)
            plan.reasons[target] = f"instance is {cur.status}"
    return plan


def grid(targets: Iterable[Target]) -> list[tuple[list[str], list[str]]]:
    """Group targets into (owners, regions) cross products, as the API takes them."""
    by_owner: dict[str, list[str]] = {}
    for owner, region in targets:
        by_owner.setdefault(owner, []).append(region)
    groups: dict[tuple[str, ...], list[str]] = {}
    for owner, regions in by_owner.items():
        groups.setdefault(tuple(regions), []).append(owner)
    return [(owners, list(regions)) for regions, owners in groups.items()]
