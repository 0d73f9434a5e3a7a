"""Stack operations with CloudFormation's failure states, nested stacks and refusals.

moto runs a stack operation synchronously inside the API call and has no
failure states. Here, seen through the API:

* a failed create rolls back to ``ROLLBACK_COMPLETE`` (or is deleted with
  ``OnStackFailure=DELETE``, or kept ``CREATE_FAILED`` with ``DO_NOTHING``), a
  failed update to ``UPDATE_ROLLBACK_COMPLETE`` (``UPDATE_ROLLBACK_FAILED`` by
  the ``fail_rollback`` fault), and a failed nested stack surfaces in its parent
  as "Embedded stack ... was not successfully created";
* nested stacks are created with ``ParentId`` / ``RootId`` and updated in place;
* an update creates and modifies first and deletes what it removes last, in the
  cleanup phase, which for nested stacks waits for the root's (:func:`run_update`);
* busy stacks, termination protection and non-updatable states are refused
  like CloudFormation does, and ``ContinueUpdateRollback`` /
  ``UpdateTerminationProtection`` exist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAIL_ROLLBACK, FAULTS, LOSE_NESTED_FAILURE
from cfngen.emulator.fill_types import Filled
from cfngen.emulator.moto_adapter import (
    ActionResult,
    CloudFormationBackend,
    EmptyResult,
    Request,
    ResourceMap,
    Stack,
    Template,
    ValidationError,
)
from cfngen.emulator.resource_hooks import (
    delete_resource,
    delete_resources,
    kept_on_delete,
    physical_id,
    replace_resource,
    undoing_creation,
)
from cfngen.emulator.stack_state import (
    LOCK,
    REQUEST,
    ResourceFailed,
    StackFailed,
    apply_hold,
    event,
    extra,
    live,
    reason_of,
    stack_event,
)
from cfngen.emulator.template_urls import read_template_url
from cfngen.emulator.update_diff import dependencies_first

UNUPDATABLE = frozenset(
    {
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "CREATE_FAILED",
        "DELETE_FAILED",
        "UPDATE_ROLLBACK_FAILED",
    }
)


def _rollback_create(stack: Stack) -> None:
    with contextlib.suppress(Exception), undoing_creation():
        delete_resources(stack.resource_map)


def run_create(stack: Stack, on_failure: str) -> None:
    """Create a stack's resources; on failure roll back, delete or keep as asked."""
    stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
    try:
        stack.resource_map.create(stack.template_dict)
    except ResourceFailed as exc:
        reason = f"The following resource(s) failed to create: [{exc.logical_id}]. "
        if on_failure == "DO_NOTHING":
            stack_event(stack, "CREATE_FAILED", reason)
            raise StackFailed(stack, reason) from None
        stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
        _rollback_create(stack)
        stack_event(stack, "ROLLBACK_COMPLETE")
        if on_failure == "DELETE":
            _delete_rolled_back(stack, "OnStackFailure DELETE")
        raise StackFailed(stack, reason) from None
    moto.refresh(stack)
    stack_event(stack, "CREATE_COMPLETE")


def run_update(stack: Stack, template: str, parameters: dict[str, Any]) -> None:
    """Update in place; a failed resource rolls the stack back, and the nested stacks
    it had updated.

    As CloudFormation does, resources are added and modified first (dependencies first)
    and what the update removes is deleted last, in the cleanup phase: after this stack
    and, for a nested stack, after every stack of the root's operation has updated (a
    service drops its Service Connect namespace before the namespace goes).
    """
    rmap = stack.resource_map
    saved = moto.save(stack)
    before = set(moto.parsed(rmap))
    with _cleanup_phase() as cleanups:
        stack_event(stack, "UPDATE_IN_PROGRESS", "User Initiated")
        replaced: list[Replaced] = []
        mark = len(cleanups)  # entries after it are nested stacks this update updates
        try:
            removed = _add_and_modify(rmap, moto.parse_template(template), parameters, replaced)
        except ResourceFailed as exc:
            reason = f"The following resource(s) failed to update: [{exc.logical_id}]. "
            stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
            for done in reversed(cleanups[mark:]):
                _roll_back_nested(done)
            del cleanups[mark:]
            _undo_replacements(rmap, replaced)
            _remove_added(stack, before)
            moto.restore(stack, saved)
            moto.refresh(stack)
            if extra(stack).parent_id is None and FAULTS.take(FAIL_ROLLBACK, stack.name):
                stack_event(
                    stack,
                    "UPDATE_ROLLBACK_FAILED",
                    f"The following resource(s) failed to roll back: [{exc.logical_id}]. ",
                )
                raise StackFailed(stack, reason) from None
            stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
            stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
            raise StackFailed(stack, reason) from None
        stack.template = template
        stack.parameters = parameters
        moto.refresh(stack)
        stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        cleanups.append(Cleanup(stack, removed, replaced, saved, before))


# A replaced resource's old self, kept for the cleanup: (logical id, resource, its old JSON).
Replaced = tuple[str, Any, Template]


def _add_and_modify(
    rmap: ResourceMap, template: Template, parameters: dict[str, Any], replaced: list[Replaced]
) -> dict[str, Template]:
    """Create what the update adds and update what it modifies, each after what it refers
    to; return the template JSON of what it removes (still in place, for the cleanup).

    A resource the update replaces (a create-only property changed) and that the emulator
    models itself (:class:`~cfngen.emulator.fill_types.Filled`, whose in-place update
    would delete first) is created anew and its old self put on ``replaced``: a Cloud Map
    namespace renamed while ECS services use it goes only once they use the new one.
    """
    actions = moto.resource_diff(rmap, template, parameters)
    old = dict(moto.declared(rmap))
    removed = {lid: old[lid] for lid in actions["Remove"]}
    moto.begin_update(rmap, template, parameters)
    added, replacing = set(actions["Add"]), set(actions.get("Replace") or [])
    made = moto.parsed(rmap)
    for lid in dependencies_first([*actions["Add"], *actions["Modify"]], template["Resources"]):
        if lid in added:
            moto.create_now(rmap, lid)
        elif lid in replacing and isinstance(made.get(lid), Filled):
            replaced.append((lid, made[lid], old[lid]))
            new = template["Resources"][lid]
            made[lid] = replace_resource(lid, new, rmap, *moto.location(rmap))
        else:
            moto.update_now(rmap, lid)
    return removed


def _undo_replacements(rmap: ResourceMap, replaced: list[Replaced]) -> None:
    """A failed update deletes the replacements it made and keeps the old resources."""
    made = moto.parsed(rmap)
    for lid, old, _ in reversed(replaced):
        new = made.get(lid)
        if new is not None and new is not old:
            with contextlib.suppress(Exception), undoing_creation():
                delete_resource(rmap, new, moto.declared(rmap)[lid])
        made[lid] = old
    replaced.clear()


def _delete_replaced(stack: Stack, replaced: list[Replaced]) -> None:
    """The cleanup deletes the old selves of replaced resources (DELETE_FAILED if refused)."""
    for lid, old, old_json in reversed(replaced):
        try:
            delete_resource(stack.resource_map, old, old_json)
        except Exception as exc:  # refused: it stays, outside the stack, as in CloudFormation
            rtype = old_json["Type"]
            event(stack, lid, physical_id(old), rtype, "DELETE_FAILED", reason_of(exc))


def _delete_removed(stack: Stack, removed: dict[str, Template]) -> None:
    """Delete what an update removed, dependents first.

    A delete that fails here leaves the resource behind with DELETE_FAILED and the update
    complete, as in CloudFormation (the stack no longer holds it either way).
    """
    rmap = stack.resource_map
    made = moto.parsed(rmap)
    try:
        delete_resources(rmap, removed)
    except Exception as exc:  # moto refused a delete: the resource stays, outside the stack
        for lid in sorted(removed):
            resource = made.get(lid)
            if not moto.is_plain_value(resource) and not kept_on_delete(removed[lid]):
                rtype = removed[lid]["Type"]
                event(stack, lid, physical_id(resource), rtype, "DELETE_FAILED", reason_of(exc))
    for lid in removed:
        made.pop(lid, None)


@dataclass
class Cleanup:
    """A stack whose update phase is done: what its cleanup deletes, what a rollback restores."""

    stack: Stack
    removed: dict[str, Template]
    replaced: list[Replaced]
    saved: moto.Saved
    before: set[str]


_CLEANUPS: ContextVar[list[Cleanup] | None] = ContextVar("cleanups", default=None)


@contextlib.contextmanager
def _cleanup_phase() -> Iterator[list[Cleanup]]:
    """The list an update puts its cleanup on, once its update phase is done.

    The outermost update of an operation (the root) runs them all at its end, the
    last-updated stack's first, then completes each stack's update (the root's last). A
    failed update rolls back the nested stacks it had updated instead, as in
    CloudFormation: what they removed or replaced stays, what they added goes.
    """
    pending = _CLEANUPS.get()
    if pending is not None:
        yield pending
        return
    pending = []
    token = _CLEANUPS.set(pending)
    try:
        yield pending  # a failed update has rolled back the nested stacks it updated
    finally:
        _CLEANUPS.reset(token)
    for done in reversed(pending):
        _delete_removed(done.stack, done.removed)
        _delete_replaced(done.stack, done.replaced)
    for done in pending:
        stack_event(done.stack, "UPDATE_COMPLETE")


def _roll_back_nested(done: Cleanup) -> None:
    """A nested stack that updated, in an operation that failed, goes back to before."""
    stack = done.stack
    stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS")
    _undo_replacements(stack.resource_map, done.replaced)
    _remove_added(stack, done.before)
    moto.restore(stack, done.saved)
    moto.refresh(stack)
    stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def _remove_added(stack: Stack, before: set[str]) -> None:
    """Rolling back an update deletes the resources it had added."""
    rmap = stack.resource_map
    made, declared = moto.parsed(rmap), moto.declared(rmap)
    for added in set(made) - before:
        resource = made.get(added)
        if moto.is_plain_value(resource) or declared[added].get("DeletionPolicy") == "Retain":
            continue  # plain Retain keeps even what the failed update had just created
        with contextlib.suppress(Exception), undoing_creation():
            delete_resource(rmap, resource, declared[added])
            made.pop(added, None)


def _retire(stack: Stack) -> None:
    """Move a stack to the deleted list, dropping its exports."""
    backend = moto.cloudformation(stack.account_id, stack.region_name)
    backend.stacks.pop(stack.stack_id, None)
    backend.deleted_stacks[stack.stack_id] = stack
    for export in stack.exports:
        backend.exports.pop(export.name, None)


def _delete_rolled_back(stack: Stack, reason: str) -> None:
    """Retire a rolled-back stack that is not kept, with its delete events."""
    stack_event(stack, "DELETE_IN_PROGRESS", reason)
    _retire(stack)
    stack_event(stack, "DELETE_COMPLETE")


def drop_change_sets(backend: CloudFormationBackend, stack: Stack) -> None:
    """Forget a stack's change sets, as executing one or deleting the stack does."""
    for key in [k for k, c in backend.change_sets.items() if c.stack_id == stack.stack_id]:
        backend.change_sets.pop(key, None)


def _root_of(backend: CloudFormationBackend, stack_id: str) -> str:
    parent = backend.stacks.get(stack_id)
    return (extra(parent).root_id if parent is not None else None) or stack_id


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
    backend = moto.cloudformation(account_id, region_name)
    parent = backend.stacks.get(parent_id)
    try:
        body = read_template_url(template_url, account_id, moto.partition(region_name))
        stack = moto.new_stack(
            name=name,
            template=body,
            parameters=parameters,
            account_id=account_id,
            region_name=region_name,
            tags={**(parent.tags if parent else {}), **tags},
            cross_stack_resources=backend.exports,
        )
    except Exception as exc:
        raise ResourceFailed(logical_id, reason_of(exc)) from None
    lineage = extra(stack)
    lineage.parent_id, lineage.root_id = parent_id, _root_of(backend, parent_id)
    lineage.token = extra(parent).token if parent is not None else None
    moto.show(stack, parent_id=lineage.parent_id, root_id=lineage.root_id)
    backend.stacks[stack.stack_id] = stack
    try:
        run_create(stack, "ROLLBACK")
    except StackFailed as exc:
        _delete_rolled_back(stack, "Parent stack rolls back")
        if FAULTS.take(LOSE_NESTED_FAILURE) and parent is not None:
            reason = f"Embedded stack was not successfully created: {exc.reason}"
            event(parent, logical_id, "", "AWS::CloudFormation::Stack", "CREATE_FAILED", reason)
            return stack  # the parent goes on as if the nested stack existed
        raise ResourceFailed(
            logical_id,
            f"Embedded stack {stack.stack_id} was not successfully created: {exc.reason}",
            physical_id=stack.stack_id,
        ) from None
    return stack


def update_nested(
    stack: Stack, *, logical_id: str, template_url: str, parameters: dict[str, str]
) -> None:
    body = read_template_url(template_url, stack.account_id, moto.partition(stack.region_name))
    if stack.has_template(body) and stack.has_parameters(parameters):
        return
    try:
        run_update(stack, body, parameters)
    except StackFailed as exc:
        raise ResourceFailed(
            logical_id,
            f"Embedded stack {stack.stack_id} was not successfully updated. Currently in "
            f"UPDATE_ROLLBACK_IN_PROGRESS with reason: {exc.reason}",
        ) from None


def not_updatable(stack: Stack) -> bool:
    status = stack.status
    busy = status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS"
    return busy or status in UNUPDATABLE


def cannot_update(stack: Stack) -> ValidationError:
    return ValidationError(
        message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
    )


def create_stack(
    self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any], **kw: Any
) -> Stack:
    with LOCK:
        if live(self, name):
            raise moto.AlreadyExistsException(f"Stack [{name}] already exists")
        stack = moto.new_stack(
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
        with contextlib.suppress(StackFailed):
            run_create(stack, REQUEST.on_failure or "ROLLBACK")
        apply_hold(stack, "CREATE_IN_PROGRESS", stack.events[-1])
        return stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    with LOCK:
        stack = live(self, name_or_stack_id)
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
        stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")
        try:
            delete_resources(stack.resource_map)
        except Exception as exc:
            stack_event(stack, "DELETE_FAILED", f"The following resource(s) failed: {exc}")
            return
        drop_change_sets(self, stack)
        _retire(stack)
        final = stack_event(stack, "DELETE_COMPLETE")
        apply_hold(stack, "DELETE_IN_PROGRESS", final)


def delete_nested(account_id: str, region_name: str, stack_id: str) -> None:
    """Delete a nested stack; raise if it failed so the parent fails (or retries) too."""
    backend = moto.cloudformation(account_id, region_name)
    delete_stack(backend, stack_id)
    stack = backend.stacks.get(stack_id)
    if stack is not None and stack.status == "DELETE_FAILED":
        reason = stack.events[-1].resource_status_reason if stack.events else ""
        raise ValidationError(message=f"Embedded stack {stack_id} was not deleted: {reason}")


def continue_update_rollback(req: Request) -> ActionResult | EmptyResult:
    with LOCK:
        stack = req.backend.get_stack(req.param("StackName"))
        if stack.status != "UPDATE_ROLLBACK_FAILED":
            raise ValidationError(
                message=f"Stack:{stack.stack_id} is in {stack.status} state and can not "
                "continue update rollback."
            )
        stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
        stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
    return moto.result({})


def update_termination_protection(req: Request) -> ActionResult | EmptyResult:
    stack = req.backend.get_stack(req.param("StackName"))
    stack.enable_termination_protection = req.flag("EnableTerminationProtection")
    return moto.result({"StackId": stack.stack_id})


def describe_stack_resources(req: Request, moto_handler: Callable[[], Any]) -> Any:
    """``DescribeStackResources`` by ``PhysicalResourceId`` (moto needs a StackName).

    Answers which live stack owns the resource, as CloudFormation does, or that none does.
    """
    physical = req.param("PhysicalResourceId")
    if not physical or req.param("StackName"):
        return moto_handler()
    for stack in req.backend.stacks.values():
        for lid, resource in moto.parsed(stack.resource_map).items():
            if str(getattr(resource, "physical_resource_id", "") or "") != physical:
                continue
            return moto.result(
                {
                    "StackResources": [
                        {
                            "StackName": stack.name,
                            "StackId": stack.stack_id,
                            "LogicalResourceId": lid,
                            "PhysicalResourceId": physical,
                            "ResourceType": moto.declared(stack.resource_map)[lid]["Type"],
                            "Timestamp": moto.now(),
                            "ResourceStatus": "CREATE_COMPLETE",
                        }
                    ]
                }
            )
    raise ValidationError(message=f"Stack for {physical} does not exist")
