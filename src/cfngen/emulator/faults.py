"""Fault injection and call accounting, shared by the WSGI layer and the CloudFormation engine.

Tests and benchmarks drive failure paths through the endpoint itself (never by
mocking cfngen): they POST a fault to ``/_cfngen/faults`` and read the calls the
endpoint received from ``/_cfngen/calls``. No fault ever ends on wall-clock
time: a fault lasts until the test releases it (``DELETE /_cfngen/faults/<id>``)
or until it has been used ``count`` times, so a test decides exactly when a
busy stack turns idle or a held operation finishes. Everything is process-local
and guarded by one lock because the server handles requests on several threads.

Kinds and their keys (``count`` is optional where listed):

* ``throttle``: ``action`` (e.g. ``CreateChangeSet``), ``count`` (default 1) -
  the next ``count`` calls of that action get a Throttling error;
* ``fail_resource``: ``type`` and/or ``logical_id``, ``reason``, ``count`` -
  creating or updating a matching resource fails, until released;
* ``fail_change_set``: ``stack``, ``reason`` - the next change set ends FAILED;
* ``fail_rollback``: ``stack`` - the next failed update ends UPDATE_ROLLBACK_FAILED;
* ``busy``: ``stack`` (required), ``status`` (default ``UPDATE_IN_PROGRESS``),
  ``count`` - the stack reports ``status`` until released, or to the next
  ``count`` DescribeStacks calls;
* ``lose_nested_failure``: (no keys) - the next nested stack that fails to create is
  reported as an engine with that bug does: its parent gets a CREATE_FAILED event without
  a physical id, and the parent carries on as if it existed (the root can end
  CREATE_COMPLETE with outputs missing);
* ``hold``: ``stack`` (required), ``count`` - the next operation on the stack
  reports its ``*_IN_PROGRESS`` status and hides its final event until released,
  or until ``count`` DescribeStacks calls have seen it in progress;
* ``fail_rollout``: ``service`` (required: part of the ECS service's name, like its
  logical id ``WebService``), ``stage`` (default ``POST_TEST_TRAFFIC_SHIFT``),
  ``reason``, ``count`` - the next blue/green deployment of that service fails at
  that lifecycle stage (as when a lifecycle hook answers FAILED) and rolls back to
  blue; CloudFormation then fails the service's update.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

THROTTLE: Final = "throttle"
FAIL_RESOURCE: Final = "fail_resource"
FAIL_CHANGE_SET: Final = "fail_change_set"
FAIL_ROLLBACK: Final = "fail_rollback"
BUSY: Final = "busy"
HOLD: Final = "hold"
LOSE_NESTED_FAILURE: Final = "lose_nested_failure"
FAIL_ROLLOUT: Final = "fail_rollout"

# kind -> (keys it accepts, keys it requires)
KEYS: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    THROTTLE: (frozenset({"action", "count"}), frozenset({"action"})),
    FAIL_RESOURCE: (frozenset({"type", "logical_id", "reason", "count"}), frozenset()),
    FAIL_CHANGE_SET: (frozenset({"stack", "reason"}), frozenset()),
    FAIL_ROLLBACK: (frozenset({"stack"}), frozenset()),
    BUSY: (frozenset({"stack", "status", "count"}), frozenset({"stack"})),
    HOLD: (frozenset({"stack", "count"}), frozenset({"stack"})),
    LOSE_NESTED_FAILURE: (frozenset(), frozenset()),
    FAIL_ROLLOUT: (frozenset({"service", "stage", "reason", "count"}), frozenset({"service"})),
}
KINDS: Final = tuple(KEYS)
# count defaults to 1
ONE_SHOT: Final = frozenset(
    {THROTTLE, FAIL_CHANGE_SET, FAIL_ROLLBACK, LOSE_NESTED_FAILURE, FAIL_ROLLOUT}
)
DESCRIBE_STACKS: Final = "DescribeStacks"


class FaultError(ValueError):
    """A fault spec the control API refuses (answered 400 with this message)."""


@dataclass
class Fault:
    """One injected fault: the spec as posted, its id, and how often it took effect."""

    id: str
    kind: str
    spec: dict[str, Any]
    remaining: int | None  # uses left; None = until released
    hits: int = 0
    held_stack: str | None = None  # hold: the stack id whose operation it holds
    held_status: str = ""
    hidden_events: set[str] = field(default_factory=set)
    last_request: int = 0  # busy with a count: the DescribeStacks call that last used it

    @property
    def stack(self) -> str | None:
        value = self.spec.get("stack")
        return None if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        out = {**self.spec, "id": self.id, "kind": self.kind, "hits": self.hits}
        if self.remaining is not None:
            out["remaining"] = self.remaining
        if self.held_stack:
            out["holding"] = self.held_stack
        return out


def parse(spec: Any, fault_id: str) -> Fault:
    """Check a posted spec: known kind, known keys, required keys, a positive count."""
    if not isinstance(spec, dict):
        raise FaultError("a fault is a JSON object with a 'kind'")
    kind = spec.get("kind")
    if kind not in KEYS:
        raise FaultError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
    body = {k: v for k, v in spec.items() if k != "kind"}
    if "seconds" in body:
        raise FaultError(
            f"{kind}: faults do not expire on time; release it with DELETE /_cfngen/faults/<id>"
            + (" or give a count" if "count" in KEYS[kind][0] else "")
        )
    allowed, required = KEYS[kind]
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise FaultError(f"{kind}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    missing = sorted(required - set(body))
    if missing:
        raise FaultError(f"{kind}: missing key(s) {missing}")
    remaining: int | None = 1 if kind in ONE_SHOT else None
    if "count" in body:
        count = body["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise FaultError(f"{kind}: count must be a whole number >= 1, got {count!r}")
        remaining = count
    return Fault(fault_id, str(kind), body, remaining)


@dataclass
class Faults:
    """Active faults and the calls seen, per service and action."""

    active: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _request: threading.local = field(default_factory=threading.local)

    # ------------------------------------------------------------------ control API

    def add(self, spec: Any) -> Fault:
        with self.lock:
            fault = parse(spec, f"f{next(self._ids)}")
            self.active.append(fault)
            return fault

    def release(self, fault_id: str) -> bool:
        """Remove one fault: a held operation finishes, a busy stack turns idle."""
        with self.lock:
            for fault in self.active:
                if fault.id == fault_id:
                    self.active.remove(fault)
                    return True
        return False

    def clear(self) -> None:
        with self.lock:
            self.active.clear()

    def listed(self) -> list[dict[str, Any]]:
        with self.lock:
            return [f.to_dict() for f in self.active]

    def counted(self) -> dict[str, int]:
        with self.lock:
            return dict(self.calls)

    def clear_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    # ------------------------------------------------------------------ the request side

    def begin_request(self, service: str, action: str) -> None:
        """Count a call and remember, for this request's thread, which call it is."""
        with self.lock:
            self.calls[f"{service}:{action}"] += 1
            self._request.action = action
            self._request.number = next(self._numbers)

    def _use(self, fault: Fault) -> None:
        fault.hits += 1
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.active.remove(fault)

    def take_throttle(self, action: str) -> bool:
        """True (and one use consumed) if this call must be throttled."""
        with self.lock:
            for f in self.active:
                if f.kind == THROTTLE and f.spec.get("action") == action:
                    self._use(f)
                    return True
        return False

    def resource_failure(self, resource_type: str, logical_id: str) -> str | None:
        """The injected failure reason for this resource, if any (one use consumed)."""
        with self.lock:
            for f in self.active:
                if f.kind != FAIL_RESOURCE:
                    continue
                if f.spec.get("type") in (None, resource_type) and f.spec.get("logical_id") in (
                    None,
                    logical_id,
                ):
                    self._use(f)
                    return str(f.spec.get("reason", "Resource creation failed (injected fault)"))
        return None

    def rollout_failure(self, service_name: str) -> Fault | None:
        """The fail_rollout fault for this ECS service, if any (one use consumed)."""
        with self.lock:
            for f in self.active:
                if f.kind == FAIL_ROLLOUT and str(f.spec["service"]) in service_name:
                    self._use(f)
                    return f
        return None

    def take(self, kind: str, stack: str | None = None) -> Fault | None:
        """Use the first fault of ``kind`` for ``stack`` (or naming no stack), if any."""
        with self.lock:
            for f in self.active:
                if f.kind == kind and f.stack in (None, stack):
                    self._use(f)
                    return f
        return None

    def engage_hold(self, stack_name: str, stack_id: str, status: str) -> Fault | None:
        """An operation on ``stack_name`` starts: if a hold waits for it, it now holds it."""
        with self.lock:
            for f in self.active:
                if f.kind == HOLD and f.stack == stack_name and f.held_stack is None:
                    f.held_stack, f.held_status = stack_id, status
                    return f
        return None

    def hide_event(self, hold: Fault, event_id: str) -> None:
        """The held operation's final event stays hidden until the hold is released."""
        with self.lock:
            hold.hidden_events.add(event_id)

    def hidden(self, event_id: str) -> bool:
        with self.lock:
            return any(event_id in f.hidden_events for f in self.active)

    def shown_status(self, stack_name: str, stack_id: str) -> str | None:
        """The status a busy or held stack reports instead of its own, if any."""
        with self.lock:
            for f in list(self.active):
                if f.kind == HOLD and f.held_stack == stack_id and self._lasts(f):
                    return f.held_status
                if f.kind == BUSY and f.stack == stack_name and self._lasts(f):
                    return str(f.spec.get("status", "UPDATE_IN_PROGRESS"))
        return None

    def _lasts(self, fault: Fault) -> bool:
        """Busy or held: each DescribeStacks call that reads the stack uses one of ``count``.

        Other calls (and further reads within the same DescribeStacks call) see it
        busy while uses remain; once none remain the fault is gone.
        """
        number = int(getattr(self._request, "number", 0))
        describe = getattr(self._request, "action", "") == DESCRIBE_STACKS
        if describe and number == fault.last_request:
            return True  # this call was counted already
        if fault.remaining == 0:
            self.active.remove(fault)
            return False
        if describe:
            fault.last_request = number
            fault.hits += 1
            if fault.remaining is not None:
                fault.remaining -= 1
        return True


FAULTS = Faults()
