"""Fault injection and call accounting, shared by the WSGI layer and the CloudFormation engine.

Tests and benchmarks drive failure paths through the endpoint itself (never by
mocking cfngen): they POST a fault to ``/_cfngen/faults`` and read the calls the
endpoint received from ``/_cfngen/calls``. Everything is process-local and
guarded by one lock because the server handles requests on several threads.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

THROTTLE = "throttle"  # answer the next `count` calls of `action` with a Throttling error
FAIL_RESOURCE = "fail_resource"  # creating/updating resources of `type` (or `logical_id`) fails
FAIL_CHANGE_SET = "fail_change_set"  # the next change set ends FAILED with `reason`
FAIL_ROLLBACK = "fail_rollback"  # a failed update ends UPDATE_ROLLBACK_FAILED
BUSY = "busy"  # stack `stack` reports `status` for `seconds` from now
HOLD = "hold"  # the next operation on `stack` stays in progress for `seconds`
KINDS = (THROTTLE, FAIL_RESOURCE, FAIL_CHANGE_SET, FAIL_ROLLBACK, BUSY, HOLD)


@dataclass
class Faults:
    """Active faults (plain dicts as posted) and the calls seen, per service and action."""

    active: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: dict[str, Any]) -> None:
        if fault.get("kind") not in KINDS:
            raise ValueError(f"unknown fault kind {fault.get('kind')!r}; use one of {KINDS}")
        with self.lock:
            if fault["kind"] == BUSY:
                fault = {**fault, "until": time.time() + float(fault.get("seconds", 5))}
            self.active.append(dict(fault))

    def clear(self) -> None:
        with self.lock:
            self.active.clear()

    def record(self, call: str) -> None:
        with self.lock:
            self.calls[call] += 1

    def take_throttle(self, action: str) -> bool:
        """True (and one use consumed) if this call must be throttled."""
        with self.lock:
            for f in self.active:
                if f["kind"] == THROTTLE and f.get("action") == action and f.get("count", 1) > 0:
                    f["count"] = f.get("count", 1) - 1
                    return True
        return False

    def resource_failure(self, resource_type: str, logical_id: str) -> str | None:
        """The injected failure reason for this resource, if any."""
        with self.lock:
            for f in self.active:
                if f["kind"] != FAIL_RESOURCE:
                    continue
                if f.get("type") in (None, resource_type) and f.get("logical_id") in (
                    None,
                    logical_id,
                ):
                    return str(f.get("reason", "Resource creation failed (injected fault)"))
        return None

    def pop(self, kind: str, stack: str | None = None) -> dict[str, Any] | None:
        """Remove and return the first fault of ``kind`` (for ``stack`` if it names one)."""
        with self.lock:
            for f in self.active:
                if f["kind"] == kind and f.get("stack") in (None, stack):
                    self.active.remove(f)
                    return f
        return None

    def has(self, kind: str) -> bool:
        with self.lock:
            return any(f["kind"] == kind for f in self.active)

    def busy_status(self, stack_name: str) -> str | None:
        now = time.time()
        with self.lock:
            for f in self.active:
                if f["kind"] == BUSY and f.get("stack") == stack_name and f["until"] > now:
                    return str(f.get("status", "UPDATE_IN_PROGRESS"))
        return None


FAULTS = Faults()
