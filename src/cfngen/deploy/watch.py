"""Follow a stack operation live: the root's events and every nested stack's, one line each.

Polling starts quick and backs off while nothing happens (1 s up to 10 s), and a
nested stack is no longer polled once it reached a final state, so even a large
tree stays far below CloudFormation's DescribeStackEvents throttling. A wait with no
new event prints a heartbeat every :data:`HEARTBEAT` seconds naming what is still in
progress, so a 15-minute EKS cluster never looks like a hang. Losing the endpoint
while watching raises :class:`ConnectionLost` (the operation goes on in
CloudFormation; the caller says how to resume). When the operation failed,
:func:`root_cause` walks down into the nested stack that failed and returns the
first failed resource and its reason.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import takewhile
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from cfngen.deploy.progress import Progress
    from cfngen.deploy.rollouts import Rollouts

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError

from cfngen.deploy.status import failed, in_progress, terminal

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.type_defs import StackEventTypeDef

NESTED_TYPE = "AWS::CloudFormation::Stack"
MIN_DELAY, MAX_DELAY = 1.0, 10.0
EPOCH = datetime.min.replace(tzinfo=UTC)  # before any event (events carry aware times)
HEARTBEAT = 30.0  # seconds without a new event before a "still waiting" line
LOST = (BotoConnectionError, HTTPClientError)  # the endpoint went away (after botocore's retries)
# ANSI colour of a status by the word in it (a substring of a status, not a status)
COLOURS = {"FAILED": "31", "ROLLBACK": "33", "COMPLETE": "32", "IN_PROGRESS": "36"}
CANCELLED = ("Resource creation cancelled", "Resource update cancelled", "cancelled")


class Stopped(Exception):
    """Watching stopped while operations went on in CloudFormation.

    For a plan of several top-level stacks, ``running`` names the stacks whose operation
    goes on and ``pending`` those of the plan that had not started (running the command
    again does them); both empty for one stack.
    """

    def __init__(
        self, message: str = "", running: Sequence[str] = (), pending: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.running, self.pending = tuple(running), tuple(pending)

    def naming(self, running: Sequence[str], pending: Sequence[str] = ()) -> Stopped:
        """The same stop (same type and message), naming the plan's stacks."""
        return type(self)(str(self), running, pending)

    def running_as(self, names: Mapping[str, str]) -> list[str]:
        """The running jobs' labels as stack names (a label without a name kept)."""
        return [names.get(label, label) for label in self.running]


class Interrupted(Stopped):
    """Ctrl-C while watching: the operation goes on in CloudFormation."""


class ConnectionLost(Stopped):
    """The endpoint stopped answering while an operation ran: it goes on in CloudFormation."""


@dataclass
class Printer:
    """Progress lines: elapsed time (and the ETA while a deploy runs), colour on a terminal.

    ``clock`` and ``sleep`` are injectable so the elapsed/ETA column, the heartbeat and the
    final duration are tested without the wall clock. :meth:`restart` sets the clock's zero
    when the operation starts, so time spent reading the plan at the prompt is not counted.
    """

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    colour: bool | None = None
    clock: Callable[[], float] = time.monotonic
    start: float | None = None
    progress: Progress | None = None
    sleep: Callable[[float], None] = time.sleep
    heartbeat: float = HEARTBEAT

    def __post_init__(self) -> None:
        if self.colour is None:
            self.colour = bool(getattr(self.stream, "isatty", lambda: False)())
        if self.start is None:
            self.start = self.clock()

    def elapsed(self) -> float:
        return self.clock() - (self.start or 0.0)

    def restart(self) -> None:
        """Zero the elapsed clock: the operation starts now."""
        self.start = self.clock()

    def finished(self, what: str, status: str) -> None:
        """The closing line: ``stack cfngen-dev: UPDATE_COMPLETE in 3m41s``."""
        self.say(f"{what}: {self.paint(status)} in {duration(self.elapsed())}")

    def still(self, waiting: str) -> None:
        self.say(f"{_mmss(self.elapsed())}  ... {waiting}")

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def paint(self, status: str) -> str:
        if not self.colour:
            return status
        for key, code in COLOURS.items():
            if key in status:
                return f"\033[{code}m{status}\033[0m"
        return status

    def event(self, stack_label: str, ev: StackEventTypeDef) -> None:
        elapsed = self.elapsed()
        clock = _mmss(elapsed)
        if self.progress is not None:
            self.progress.observe(stack_label, ev, elapsed)
            clock += f"/~{_mmss(self.progress.total(elapsed))}"  # one column: elapsed/ETA
        reason = ev.get("ResourceStatusReason") or ""
        line = (
            f"{clock}  {stack_label:<10} "
            f"{self.paint(str(ev.get('ResourceStatus', ''))):<30} "
            f"{ev.get('LogicalResourceId', '')} ({ev.get('ResourceType', '')})"
        )
        self.say(f"{line}  {reason}".rstrip())

    def note(self, stack_label: str, text: str) -> None:
        """A line among the event lines that is not an event (a rollout's phase)."""
        self.say(f"{_mmss(self.elapsed())}  {stack_label:<10} {text}")


def duration(seconds: float) -> str:
    """``3m41s``, ``42s``, ``1h02m``: how long an operation took, for people."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _mmss(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def _events_since(
    cfn: CloudFormationClient, stack_id: str, since: datetime, seen: set[str]
) -> list[StackEventTypeDef]:
    """New events of one stack, oldest first (pages until it reaches known ground)."""
    fresh: list[StackEventTypeDef] = []
    pages = cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id)
    for page in pages:  # newest first; a page is fetched only when the one before was all new
        events = page["StackEvents"]
        new = list(
            takewhile(lambda e: e["EventId"] not in seen and e["Timestamp"] >= since, events)
        )
        fresh.extend(new)
        if len(new) < len(events):
            break
    for ev in fresh:
        seen.add(ev["EventId"])
    return fresh[::-1]


def latest_event(cfn: CloudFormationClient, stack_id: str) -> tuple[datetime | None, set[str]]:
    """Newest event time and ids of a stack's first page: the watcher starts after these."""
    events = cfn.describe_stack_events(StackName=stack_id).get("StackEvents", [])
    if not events:
        return None, set()
    return events[0]["Timestamp"], {e["EventId"] for e in events}


@dataclass
class Watch:
    cfn: CloudFormationClient
    root_id: str
    root_name: str
    printer: Printer
    since: datetime
    seen: set[str] = field(default_factory=set)
    sleep: Callable[[float], None] | None = None  # default: the printer's
    events: list[StackEventTypeDef] = field(default_factory=list)  # every event shown
    running: dict[str, str] = field(default_factory=dict)  # "stack/logical id" -> status
    rollouts: Rollouts | None = None  # ECS blue/green rollouts followed alongside

    def run(self) -> str:
        """Print events until the root stack reaches a final state; return that state."""
        labels = {self.root_id: "root"}
        active = [self.root_id]
        delay = MIN_DELAY
        final = ""
        quiet_since = self.printer.elapsed()
        sleep = self.sleep or self.printer.sleep
        try:
            while True:
                batch = [
                    (stack_id, ev)
                    for stack_id in list(active)
                    for ev in _events_since(self.cfn, stack_id, self.since, self.seen)
                ]
                batch.sort(key=lambda item: item[1]["Timestamp"])
                known = len(labels)
                for stack_id, ev in batch:
                    self._show(labels, active, stack_id, ev)
                    if self._is_stack_event(ev, stack_id) and terminal(ev["ResourceStatus"]):
                        if stack_id == self.root_id:
                            final = ev["ResourceStatus"]
                        elif stack_id in active:
                            active.remove(stack_id)
                if self.rollouts is not None:
                    self.rollouts.poll(stack_done=bool(final))
                    if final and len(labels) == known and self.rollouts.busy():
                        continue  # the stack is done; read its rollouts to their end
                if final and len(labels) == known:
                    return final  # and every nested stack found so far has been drained
                if batch:
                    quiet_since = self.printer.elapsed()
                elif self.printer.elapsed() - quiet_since >= self.printer.heartbeat:
                    self.printer.still(self.waiting_on())
                    quiet_since = self.printer.elapsed()
                if not final:
                    sleep(delay)
                    delay = MIN_DELAY if batch else min(delay * 1.5, MAX_DELAY)
        except KeyboardInterrupt:
            raise Interrupted() from None
        except LOST as exc:
            raise ConnectionLost(str(exc)) from None

    def waiting_on(self) -> str:
        """What the operation is busy with: the resources started and not yet finished."""
        busy = sorted(k for k, v in self.running.items() if in_progress(v))
        if not busy:
            return f"still waiting for {self.root_name}"
        shown = ", ".join(busy[:4]) + (f" and {len(busy) - 4} more" if len(busy) > 4 else "")
        return f"still in progress: {shown}"

    @staticmethod
    def _is_stack_event(ev: StackEventTypeDef, stack_id: str) -> bool:
        return ev.get("PhysicalResourceId") == stack_id or (
            ev.get("ResourceType") == NESTED_TYPE
            and ev.get("StackId") == stack_id
            and ev.get("LogicalResourceId") == ev.get("StackName")
        )

    def _show(
        self, labels: dict[str, str], active: list[str], stack_id: str, ev: StackEventTypeDef
    ) -> None:
        self.events.append(ev)
        self.printer.event(labels[stack_id], ev)
        lid = str(ev.get("LogicalResourceId", ""))
        if lid != ev.get("StackName"):
            key = lid if labels[stack_id] == "root" else f"{labels[stack_id]}/{lid}"
            self.running[key] = str(ev.get("ResourceStatus", ""))
        if self.rollouts is not None:
            self.rollouts.see(labels[stack_id], ev)
        physical = ev.get("PhysicalResourceId") or ""
        if (
            ev.get("ResourceType") == NESTED_TYPE
            and physical.startswith("arn:")
            and physical != stack_id
            and physical not in labels
        ):
            parent = labels[stack_id]
            labels[physical] = lid if parent == "root" else f"{parent}/{lid}"
            active.append(physical)


def wait_until_idle(
    cfn: CloudFormationClient,
    stack_id: str,
    printer: Printer,
    sleep: Callable[[float], None] | None = None,
) -> str:
    """Wait for an operation someone else started; print its events; return the final state."""
    sleep = sleep or printer.sleep
    try:
        since, seen = latest_event(cfn, stack_id)
        stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        if not in_progress(stack["StackStatus"]):
            return str(stack["StackStatus"])
        printer.say(
            f"stack {stack['StackName']} is busy ({stack['StackStatus']})"
            f"{started_by(cfn, stack_id)}; waiting for it"
        )
        delay = MIN_DELAY
        quiet_since = printer.elapsed()
        while True:
            fresh = _events_since(cfn, stack_id, since or EPOCH, seen)
            for ev in fresh:
                printer.event("root", ev)
            status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
            if not in_progress(status):
                return str(status)
            if fresh:
                quiet_since = printer.elapsed()
            elif printer.elapsed() - quiet_since >= printer.heartbeat:
                printer.still(f"still {status}")
                quiet_since = printer.elapsed()
            sleep(delay)
            delay = min(delay * 1.5, MAX_DELAY)
    except KeyboardInterrupt:
        raise Interrupted() from None
    except LOST as exc:
        raise ConnectionLost(str(exc)) from None


def started_by(cfn: CloudFormationClient, stack_id: str) -> str:
    """``, started by cfngen deploy of alice@build-7 at 12:03:04Z`` when our token says so."""
    from cfngen.deploy.operator import describe_token

    events = cfn.describe_stack_events(StackName=stack_id).get("StackEvents", [])
    for ev in events:  # newest first: the stack's own latest status line
        if ev.get("LogicalResourceId") == ev.get("StackName"):
            if not in_progress(str(ev.get("ResourceStatus", ""))):
                return ""  # the last operation ended: whatever is busy, it is not its own
            who = describe_token(str(ev.get("ClientRequestToken") or ""))
            return f", started by {who}" if who else ""
    return ""


@dataclass(frozen=True)
class Cause:
    stack: str
    logical_id: str
    resource_type: str
    reason: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.logical_id} ({self.resource_type}): {self.reason}"


def root_cause(
    cfn: CloudFormationClient, stack_id: str, since: datetime, label: str = "root"
) -> Cause | None:
    """The first failed resource of this operation, followed down into nested stacks."""
    events = _events_since(cfn, stack_id, since, set())
    for ev in events:
        status = str(ev.get("ResourceStatus", ""))
        reason = str(ev.get("ResourceStatusReason") or "")
        if not failed(status) or any(c in reason for c in CANCELLED):
            continue
        if ev.get("LogicalResourceId") == ev.get("StackName"):
            continue  # the stack's own status line, not a resource
        physical = str(ev.get("PhysicalResourceId") or "")
        if ev.get("ResourceType") == NESTED_TYPE and physical.startswith("arn:"):
            lid = str(ev["LogicalResourceId"])
            deeper = root_cause(cfn, physical, since, lid if label == "root" else f"{label}/{lid}")
            if deeper:
                return deeper
        return Cause(label, str(ev["LogicalResourceId"]), str(ev.get("ResourceType", "")), reason)
    return None
