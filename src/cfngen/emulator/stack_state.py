"""What every patched stack operation shares: the lock, the request, failures, events, status.

moto emits only stack-level events and derives no status from what is going
on; the engine keeps both here so that, seen through the API, every resource
gets ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events carrying the
caller's ``ClientRequestToken``, and a stack reports a busy or held status
(``busy`` and ``hold`` faults, see :mod:`cfngen.emulator.faults`) with the
final event of a held operation hidden until the test releases the hold. The request context
carries what an API call says that moto's backend methods never receive
(``OnStackFailure``, ``IncludeNestedStacks``, ``StackName`` of a change set).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import (
    CloudFormationBackend,
    Event,
    Stack,
    cloudformation_backends,
)

from cfngen.emulator.faults import FAULTS

LOCK = threading.RLock()
_request = threading.local()


class ResourceFailed(BaseException):
    """A resource failed; BaseException so moto's retry loops do not swallow it."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(f"{logical_id}: {reason}")
        self.logical_id = logical_id
        self.reason = reason


class StackFailed(Exception):
    def __init__(self, stack: Stack, reason: str) -> None:
        super().__init__(reason)
        self.stack = stack
        self.reason = reason


def _backend(account_id: str, region_name: str) -> CloudFormationBackend:
    return cloudformation_backends[account_id][region_name]


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(text).strip()


def _stack_of(rmap: parsing.ResourceMap) -> Stack | None:
    backend = _backend(rmap._account_id, rmap._region_name)
    return backend.stacks.get(rmap.stack_id) or backend.deleted_stacks.get(rmap.stack_id)


def _event(
    stack: Stack | None,
    logical_id: str,
    physical_id: str,
    resource_type: str,
    status: str,
    reason: str | None = None,
) -> Event | None:
    if stack is None:
        return None
    ev = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id,
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    ev.client_request_token = getattr(stack, "_cfngen_token", None)
    stack.events.append(ev)
    return ev


def _stack_event(stack: Stack, status: str, reason: str | None = None) -> Event | None:
    stack.status = status
    return _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", status, reason)


def _live(backend: CloudFormationBackend, name_or_id: str) -> Stack | None:
    if name_or_id in backend.stacks:
        return backend.stacks[name_or_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_id), None)


def _apply_hold(stack: Stack, status: str, final: Event | None) -> None:
    """A waiting ``hold`` fault: the stack reports ``status`` and hides ``final`` until released."""
    hold = FAULTS.engage_hold(stack.name, stack.stack_id, status)
    if hold is not None and final is not None:
        FAULTS.hide_event(hold, str(final.event_id))


def describe_stack_events(self: CloudFormationBackend, stack_name: str) -> list[Event]:
    events = self.get_stack(stack_name).events
    return [e for e in events if not FAULTS.hidden(str(e.event_id))]


def _status_get(self: Stack) -> str:
    shown = FAULTS.shown_status(self.name, self.stack_id)
    if shown:
        return shown
    return str(self.__dict__.get("_cfngen_status", ""))


def _status_set(self: Stack, value: str) -> None:
    self.__dict__["_cfngen_status"] = value


def _with_request_params(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapper(self: Any) -> Any:
        _request.include_nested = self._get_bool_param("IncludeNestedStacks", False)
        on_failure = self._get_param("OnStackFailure") or self._get_param("OnFailure")
        if self._get_bool_param("DisableRollback", False):
            on_failure = "DO_NOTHING"
        _request.on_failure = on_failure
        _request.capabilities = self._get_param("Capabilities", [])
        _request.stack_name = self._get_param("StackName")
        _request.token = self._get_param("ClientRequestToken") or self._get_param("ClientToken")
        return original(self)

    return wrapper


def _wrap_stack_name(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapper(self: Any) -> Any:
        _request.stack_name = self._get_param("StackName")
        _request.token = self._get_param("ClientRequestToken")
        return original(self)

    return wrapper
