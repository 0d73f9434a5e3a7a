"""The deploy-time estimate in the deploy flow: plan it before confirming, ETA while it runs.

The plan comes from :mod:`cfngen.preview.duration` over the rendered templates, with the
resource types' medians from this environment's recorded deploys
(:mod:`cfngen.deploy.timings`). While the events stream in, :class:`Progress` notes what
started and finished (on the printer's clock) and re-plans for the ETA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfngen.deploy.changeset import Change
from cfngen.deploy.timings import History
from cfngen.preview.duration import (
    Key,
    Plan,
    chain,
    minutes,
    plan,
    projected_finish,
    source,
    summary,
    typical,
)
from cfngen.preview.templates import ROOT, TemplateSet


def plan_deploy(
    files: Mapping[str, bytes],
    region: str,
    changes: Sequence[Change] | None,
    history: History,
) -> tuple[Plan, list[str]]:
    """The plan of a create (``changes`` None) or update, and the lines that preview it."""
    p, ts = _plan(files, region, changes, history)
    return p, summary(p, lambda path: ts.label(path) if path in ts.stacks else path)


def _plan(
    files: Mapping[str, bytes],
    region: str,
    changes: Sequence[Change] | None,
    history: History,
) -> tuple[Plan, TemplateSet]:
    ts = TemplateSet.from_files(files, region)
    recorded = history.get("CREATE" if changes is None else "UPDATE", {})
    changed = None if changes is None else {(c.stack, c.logical_id) for c in changes}
    p = plan(ts, typical(recorded), changed, frozenset(t for t, v in recorded.items() if v))
    return p, ts


@dataclass(frozen=True)
class Part:
    """One top-level stack of a split plan, for the estimate over all of them."""

    name: str  # its stack name
    key: str  # ``root`` or ``services-01``
    files: Mapping[str, bytes]  # its tree, its own top filed as ``root.json``
    changes: Sequence[Change] | None  # None: created; else its changes, paths in its tree


def plan_waves(
    waves: Sequence[Sequence[Part]],
    region: str,
    history: History,
    deleted: Sequence[str] = (),
) -> list[str]:
    """The estimate of stacks run wave after wave, the stacks of one wave at once: each
    wave takes as long as its longest stack, the run the sum of its waves. ``deleted``:
    stacks deleted first, whose time is not estimated (said so)."""
    stages: list[tuple[float, Part, Plan, TemplateSet, int]] = []
    measured: frozenset[str] = frozenset()
    for wave in waves:
        planned = []
        for part in wave:
            p, ts = _plan(part.files, region, part.changes, history)
            measured |= p.measured
            if p.total > 0:
                planned.append((p.total, part, p, ts))
        if planned:
            longest = max(planned, key=lambda item: (item[0], item[1].name))
            stages.append((*longest, len(planned)))
    total = sum(stage[0] for stage in stages)
    first = f"deleting {', '.join(deleted)} first (not estimated)" if deleted else ""
    if total <= 0:
        return [f"estimated duration: {first or 'no resource changes'}"]
    said = [first] if first else []
    for seconds, part, _, _, count in stages:
        if count == 1:
            said.append(f"{part.name} {minutes(seconds)}")
        else:
            said.append(f"{count} stacks at once {minutes(seconds)}, the longest {part.name}")
    paths = []
    for _, part, p, ts, _ in stages:

        def label(path: str, ts: TemplateSet = ts, key: str = part.key) -> str:
            inner = ts.label(path) if path in ts.stacks else path
            return inner if key == ROOT else (key if inner == ROOT else f"{key}/{inner}")

        paths.append(chain(p, label))
    return [
        f"estimated duration: {minutes(total)} ({', then '.join(said)}; {source(measured)})",
        f"  critical path: {' -> '.join(c for c in paths if c)}",
    ]


@dataclass
class Progress:
    """What has started and finished of a running deploy, for its ETA."""

    plan: Plan
    began: float  # the printer's elapsed seconds when the operation was started
    done: dict[Key, float] = field(default_factory=dict)
    started: dict[Key, float] = field(default_factory=dict)

    def observe(self, stack_label: str, ev: Mapping[str, Any], elapsed: float) -> None:
        key = (stack_label, str(ev.get("LogicalResourceId", "")))
        if key not in self.plan.steps:
            return  # a stack's own status line, or a resource the plan does not know
        status = str(ev.get("ResourceStatus", ""))
        at = max(0.0, elapsed - self.began)
        if status.endswith("_IN_PROGRESS"):
            self.started.setdefault(key, at)
        elif status.endswith("_COMPLETE"):
            self.done[key] = at

    def total(self, elapsed: float) -> float:
        """The operation's expected end, on the same clock as ``elapsed``."""
        now = max(0.0, elapsed - self.began)
        return self.began + projected_finish(self.plan, self.done, self.started, now)
