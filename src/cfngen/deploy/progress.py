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
from cfngen.preview.duration import Key, Plan, plan, projected_finish, summary, typical
from cfngen.preview.templates import TemplateSet


def plan_deploy(
    files: Mapping[str, bytes],
    region: str,
    changes: Sequence[Change] | None,
    history: History,
) -> tuple[Plan, list[str]]:
    """The plan of a create (``changes`` None) or update, and the lines that preview it."""
    ts = TemplateSet.from_files(files, region)
    recorded = history.get("CREATE" if changes is None else "UPDATE", {})
    changed = None if changes is None else {(c.stack, c.logical_id) for c in changes}
    p = plan(ts, typical(recorded), changed, frozenset(t for t, v in recorded.items() if v))
    return p, summary(p, lambda path: ts.label(path) if path in ts.stacks else path)


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
