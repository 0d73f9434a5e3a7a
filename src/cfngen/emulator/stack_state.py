"""What every patched stack operation shares: the lock, the request, failures, events, status.

moto emits only stack-level events and derives no status from what is going
on; the engine keeps both here so that, seen through the API, every resource
gets ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events carrying the
caller's ``ClientRequestToken``, and a stack reports a busy or held status
(``busy`` and ``hold`` faults, see :mod:`cfngen.emulator.faults`) with the
final event of a held operation hidden until the test releases the hold. The
request context carries what an API call says that moto's backend methods never
receive (``OnStackFailure``, ``IncludeNestedStacks``, ``StackName`` of a change set).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAULTS
from cfngen.emulator.moto_adapter import CloudFormationBackend, Event, Request, ResourceMap, Stack

LOCK = threading.RLock()
STACK_TYPE = "AWS::CloudFormation::Stack"


class RequestContext(threading.local):
    """The parameters of the API call this thread serves that moto's backend never sees."""

    include_nested: bool = False
    on_failure: str | None = None
    capabilities: tuple[str, ...] = ()
    stack_name: str | None = None
    token: str | None = None
    import_existing: bool = False


REQUEST = RequestContext()


def remember_request(req: Request) -> None:
    """CreateStack / CreateChangeSet: keep what moto's handler drops."""
    REQUEST.include_nested = req.flag("IncludeNestedStacks")
    on_failure = req.param("OnStackFailure") or req.param("OnFailure")
    REQUEST.on_failure = "DO_NOTHING" if req.flag("DisableRollback") else on_failure
    REQUEST.capabilities = tuple(req.param("Capabilities", []) or [])
    REQUEST.import_existing = req.flag("ImportExistingResources")
    REQUEST.stack_name = req.param("StackName")
    REQUEST.token = req.param("ClientRequestToken") or req.param("ClientToken")


def remember_stack_name(req: Request) -> None:
    """Change-set calls: a change set name is looked up within the stack the call names."""
    REQUEST.stack_name = req.param("StackName")
    REQUEST.token = req.param("ClientRequestToken")


class ResourceFailed(BaseException):
    """A resource failed; BaseException so moto's retry loops do not swallow it."""

    def __init__(self, logical_id: str, reason: str, physical_id: str | None = None) -> None:
        super().__init__(f"{logical_id}: {reason}")
        self.logical_id = logical_id
        self.reason = reason
        self.physical_id = physical_id


class StackFailed(Exception):
    def __init__(self, stack: Stack, reason: str) -> None:
        super().__init__(reason)
        self.stack = stack
        self.reason = reason


@dataclass
class StackExtra:
    """What the engine knows of a stack that moto's model does not hold."""

    status: str = ""
    token: str | None = None  # ClientRequestToken of the operation running on it
    parent_id: str | None = None  # nested stacks: shown as ParentId / RootId
    root_id: str | None = None


EXTRA: WeakKeyDictionary[Stack, StackExtra] = WeakKeyDictionary()


def extra(stack: Stack) -> StackExtra:
    found = EXTRA.get(stack)
    if found is None:
        found = EXTRA[stack] = StackExtra()
    return found


def reason_of(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(text).strip()


def stack_of(rmap: ResourceMap) -> Stack | None:
    backend = moto.cloudformation(*moto.location(rmap))
    return backend.stacks.get(rmap.stack_id) or backend.deleted_stacks.get(rmap.stack_id)


def event(
    stack: Stack | None,
    logical_id: str,
    physical_id: str,
    resource_type: str,
    status: str,
    reason: str | None = None,
) -> Event | None:
    if stack is None:
        return None
    ev = moto.new_event(
        stack, logical_id, physical_id, resource_type, status, reason, extra(stack).token
    )
    stack.events.append(ev)
    return ev


def stack_event(stack: Stack, status: str, reason: str | None = None) -> Event | None:
    stack.status = status
    return event(stack, stack.name, stack.stack_id, STACK_TYPE, status, reason)


def live(backend: CloudFormationBackend, name_or_id: str) -> Stack | None:
    if name_or_id in backend.stacks:
        return backend.stacks[name_or_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_id), None)


def apply_hold(stack: Stack, status: str, final: Event | None) -> None:
    """A waiting ``hold`` fault: the stack reports ``status`` and hides ``final`` until released."""
    hold = FAULTS.engage_hold(stack.name, stack.stack_id, status)
    if hold is not None and final is not None:
        FAULTS.hide_event(hold, str(final.event_id))


def describe_stack_events(self: CloudFormationBackend, stack_name: str) -> list[Event]:
    events = self.get_stack(stack_name).events
    return [e for e in events if not FAULTS.hidden(str(e.event_id))]


def _status_get(self: Stack) -> str:
    return FAULTS.shown_status(self.name, self.stack_id) or extra(self).status


def _status_set(self: Stack, value: str) -> None:
    extra(self).status = value


STATUS = property(_status_get, _status_set)
