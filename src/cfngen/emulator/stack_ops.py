"""Stack operations with CloudFormation's failure states, nested stacks and refusals.

moto runs a stack operation synchronously inside the API call and has no
failure states. Here, seen through the API:

* a failed create rolls back to ``ROLLBACK_COMPLETE`` (or is deleted with
  ``OnStackFailure=DELETE``, or kept ``CREATE_FAILED`` with ``DO_NOTHING``), a
  failed update to ``UPDATE_ROLLBACK_COMPLETE`` (``UPDATE_ROLLBACK_FAILED`` by
  the ``fail_rollback`` fault), and a failed nested stack surfaces in its parent
  as "Embedded stack ... was not successfully created";
* nested stacks are created with ``ParentId`` / ``RootId`` and updated in place;
* busy stacks, termination protection and non-updatable states are refused
  like CloudFormation does, and ``ContinueUpdateRollback`` /
  ``UpdateTerminationProtection`` exist.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.utils import generate_stack_id
from moto.core.responses import ActionResult
from moto.utilities.utils import get_partition

from cfngen.emulator.faults import FAIL_ROLLBACK, FAULTS
from cfngen.emulator.resource_hooks import _delete_resource, delete_resources
from cfngen.emulator.stack_state import (
    LOCK,
    ResourceFailed,
    StackFailed,
    _apply_hold,
    _backend,
    _live,
    _reason,
    _request,
    _stack_event,
)
from cfngen.emulator.template_urls import read_template_url


def _refresh(stack: Stack) -> None:
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def _rollback_create(stack: Stack) -> None:
    with contextlib.suppress(Exception):
        delete_resources(stack.resource_map)


def _run_create(stack: Stack, on_failure: str) -> None:
    """Create a stack's resources; on failure roll back, delete or keep as asked."""
    _stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
    try:
        stack.resource_map.create(stack.template_dict)
    except ResourceFailed as exc:
        reason = f"The following resource(s) failed to create: [{exc.logical_id}]. "
        if on_failure == "DO_NOTHING":
            _stack_event(stack, "CREATE_FAILED", reason)
            raise StackFailed(stack, reason) from None
        _stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
        _rollback_create(stack)
        _stack_event(stack, "ROLLBACK_COMPLETE")
        if on_failure == "DELETE":
            _delete_rolled_back(stack, "OnStackFailure DELETE")
        raise StackFailed(stack, reason) from None
    _refresh(stack)
    _stack_event(stack, "CREATE_COMPLETE")


def _run_update(stack: Stack, template: str, parameters: dict[str, Any]) -> None:
    """Update in place; a failed resource rolls the stack's template back."""
    rmap = stack.resource_map
    saved = (
        stack.template,
        stack.parameters,
        rmap._template,
        rmap._resource_json_map,
        rmap.input_parameters,
    )
    before = set(rmap._parsed_resources)
    _stack_event(stack, "UPDATE_IN_PROGRESS", "User Initiated")
    try:
        new = Stack.parse_template(template)
        rmap.update(new, parameters)
    except ResourceFailed as exc:
        reason = f"The following resource(s) failed to update: [{exc.logical_id}]. "
        _stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        for added in set(rmap._parsed_resources) - before:
            res = rmap._parsed_resources.get(added)
            if res is not None and not isinstance(res, str | list | dict):
                try:
                    _delete_resource(rmap, res, rmap._resource_json_map[added])
                    rmap._parsed_resources.pop(added, None)
                except Exception:
                    pass
        stack.template, stack.parameters = saved[0], saved[1]
        rmap._template, rmap._resource_json_map, rmap.input_parameters = saved[2:]
        _refresh(stack)
        if getattr(stack, "parent_id", None) is None and FAULTS.take(FAIL_ROLLBACK, stack.name):
            _stack_event(
                stack,
                "UPDATE_ROLLBACK_FAILED",
                f"The following resource(s) failed to roll back: [{exc.logical_id}]. ",
            )
            raise StackFailed(stack, reason) from None
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
        raise StackFailed(stack, reason) from None
    stack.template = template
    stack.parameters = parameters
    _refresh(stack)
    _stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    _stack_event(stack, "UPDATE_COMPLETE")


def _retire(stack: Stack) -> None:
    """Move a stack to the deleted list, dropping its exports."""
    backend = _backend(stack.account_id, stack.region_name)
    backend.stacks.pop(stack.stack_id, None)
    backend.deleted_stacks[stack.stack_id] = stack
    for export in stack.exports:
        backend.exports.pop(export.name, None)


def _delete_rolled_back(stack: Stack, reason: str) -> None:
    """Retire a rolled-back stack that is not kept, with its delete events."""
    _stack_event(stack, "DELETE_IN_PROGRESS", reason)
    _retire(stack)
    _stack_event(stack, "DELETE_COMPLETE")


def _drop_change_sets(backend: CloudFormationBackend, stack: Stack) -> None:
    """Forget a stack's change sets, as executing one or deleting the stack does."""
    for key in [k for k, c in backend.change_sets.items() if c.stack_id == stack.stack_id]:
        backend.change_sets.pop(key, None)


def _root_of(backend: CloudFormationBackend, stack_id: str) -> str:
    parent = backend.stacks.get(stack_id)
    return getattr(parent, "root_id", None) or stack_id


def create_nested(
    account_id: str,
    region_name: str,
    *,
    name: str,
    logical_id: str,
    parent_id: str,
    template_url: str,
    parameters: dict[str, str],
    tags: dict[str, str],
) -> Stack:
    backend = _backend(account_id, region_name)
    parent = backend.stacks.get(parent_id)
    try:
        body = read_template_url(template_url, account_id, get_partition(region_name))
        stack = Stack(
            stack_id=generate_stack_id(name, region_name, account_id),
            name=name,
            template=body,
            parameters=parameters,
            account_id=account_id,
            region_name=region_name,
            tags={**(parent.tags if parent else {}), **tags},
            cross_stack_resources=backend.exports,
        )
    except Exception as exc:
        raise ResourceFailed(logical_id, _reason(exc)) from None
    stack.parent_id = parent_id
    stack.root_id = _root_of(backend, parent_id)
    stack._cfngen_token = getattr(parent, "_cfngen_token", None)
    backend.stacks[stack.stack_id] = stack
    try:
        _run_create(stack, "ROLLBACK")
    except StackFailed as exc:
        _delete_rolled_back(stack, "Parent stack rolls back")
        failed = ResourceFailed(
            logical_id,
            f"Embedded stack {stack.stack_id} was not successfully created: {exc.reason}",
        )
        failed.physical_id = stack.stack_id  # type: ignore[attr-defined]
        raise failed from None
    return stack


def update_nested(
    stack: Stack, *, logical_id: str, template_url: str, parameters: dict[str, str]
) -> None:
    body = read_template_url(template_url, stack.account_id, get_partition(stack.region_name))
    if stack.has_template(body) and stack.has_parameters(parameters):
        return
    try:
        _run_update(stack, body, parameters)
    except StackFailed as exc:
        raise ResourceFailed(
            logical_id,
            f"Embedded stack {stack.stack_id} was not successfully updated. Currently in "
            f"UPDATE_ROLLBACK_IN_PROGRESS with reason: {exc.reason}",
        ) from None


def _not_updatable(stack: Stack) -> bool:
    status = stack.status
    return (status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS") or status in {
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "CREATE_FAILED",
        "DELETE_FAILED",
        "UPDATE_ROLLBACK_FAILED",
    }


def _cannot_update(stack: Stack) -> ValidationError:
    return ValidationError(
        message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
    )


def create_stack(
    self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any], **kw: Any
) -> Stack:
    with LOCK:
        if _live(self, name):
            raise AlreadyExistsException(f"Stack [{name}] already exists")
        stack = Stack(
            stack_id=generate_stack_id(name, self.region_name, self.account_id),
            name=name,
            template=template,
            parameters=parameters,
            account_id=self.account_id,
            region_name=self.region_name,
            notification_arns=kw.get("notification_arns"),
            tags=kw.get("tags"),
            role_arn=kw.get("role_arn"),
            cross_stack_resources=self.exports,
            enable_termination_protection=kw.get("enable_termination_protection"),
            timeout_in_mins=kw.get("timeout_in_mins"),
            stack_policy_body=kw.get("stack_policy_body"),
        )
        self.stacks[stack.stack_id] = stack
        on_failure = getattr(_request, "on_failure", None) or "ROLLBACK"
        with contextlib.suppress(StackFailed):
            _run_create(stack, on_failure)
        _apply_hold(stack, "CREATE_IN_PROGRESS", stack.events[-1])
        return stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    with LOCK:
        stack = _live(self, name_or_stack_id)
        if stack is None:
            return
        if stack.enable_termination_protection:
            raise ValidationError(
                message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection "
                "is enabled"
            )
        if stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(
                message=f"Stack [{stack.name}] cannot be deleted while in status {stack.status}"
            )
        _stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")
        try:
            delete_resources(stack.resource_map)
        except Exception as exc:
            _stack_event(stack, "DELETE_FAILED", f"The following resource(s) failed: {exc}")
            return
        _drop_change_sets(self, stack)
        _retire(stack)
        final = _stack_event(stack, "DELETE_COMPLETE")
        _apply_hold(stack, "DELETE_IN_PROGRESS", final)


def engine_delete_stack(account_id: str, region_name: str, stack_id: str) -> None:
    """Delete a nested stack; raise if it failed so the parent fails (or retries) too."""
    backend = _backend(account_id, region_name)
    delete_stack(backend, stack_id)
    stack = backend.stacks.get(stack_id)
    if stack is not None and stack.status == "DELETE_FAILED":
        reason = stack.events[-1].resource_status_reason if stack.events else ""
        raise ValidationError(message=f"Embedded stack {stack_id} was not deleted: {reason}")


def _continue_update_rollback(self: Any) -> ActionResult:
    with LOCK:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if stack.status != "UPDATE_ROLLBACK_FAILED":
            raise ValidationError(
                message=f"Stack:{stack.stack_id} is in {stack.status} state and can not "
                "continue update rollback."
            )
        _stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
    return ActionResult({})


def _update_termination_protection(self: Any) -> ActionResult:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
    return ActionResult({"StackId": stack.stack_id})
