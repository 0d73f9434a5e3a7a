"""Change sets as CloudFormation keeps them, including nested change sets.

moto marks every change set complete, even one with nothing to change, finds
change sets by name across stacks and executes them outside the engine. Here:

* a change set with nothing to change ends ``FAILED`` with CloudFormation's
  "didn't contain changes" reason (the ``fail_change_set`` fault fails one
  with any reason), and a modified resource reports ``Replacement: False``;
* with ``IncludeNestedStacks`` each modified nested stack gets its own change
  set, linked to its parent and root; only the root can be executed, and
  deleting it deletes them all;
* a name is looked up within the ``StackName`` the call gives; executing runs
  the create or update with events and rollback (:mod:`cfngen.emulator.stack_ops`)
  and removes the stack's change sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from cfngen.emulator import change_details
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAIL_CHANGE_SET, FAULTS
from cfngen.emulator.imports import importing
from cfngen.emulator.models import MissingOutput, NestedStack
from cfngen.emulator.moto_adapter import (
    AlreadyExistsException,
    ChangeSet,
    CloudFormationBackend,
    CloudFormationError,
    ValidationError,
)
from cfngen.emulator.resource_hooks import clean_json
from cfngen.emulator.stack_ops import (
    cannot_update,
    drop_change_sets,
    not_updatable,
    run_create,
    run_update,
)
from cfngen.emulator.stack_state import (
    LOCK,
    REQUEST,
    STACK_TYPE,
    StackFailed,
    apply_hold,
    extra,
    live,
    stack_event,
)
from cfngen.emulator.template_urls import read_template_url
from cfngen.resource_diff.tree import TreeDiff

NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


@dataclass
class ChangeSetExtra:
    """What a change set says that moto's model does not keep (shown through the API too)."""

    on_failure: str | None = None
    include_nested: bool = False
    parent_id: str | None = None  # a nested change set: its parent's and root's ids
    root_id: str | None = None
    import_existing: bool = False


CHANGE_SETS: WeakKeyDictionary[ChangeSet, ChangeSetExtra] = WeakKeyDictionary()


def _extra(cs: ChangeSet) -> ChangeSetExtra:
    found = CHANGE_SETS.get(cs)
    if found is None:
        found = CHANGE_SETS[cs] = ChangeSetExtra()
    return found


def _placeholder(
    backend: CloudFormationBackend, name: str, parameters: dict[str, str], **kw: Any
) -> Any:
    """CREATE change set: the REVIEW_IN_PROGRESS stack that holds it until it runs."""
    stack = moto.new_stack(
        name=name,
        template={},
        parameters=parameters,
        account_id=backend.account_id,
        region_name=backend.region_name,
        **kw,
    )
    backend.stacks[stack.stack_id] = stack
    stack_event(stack, "REVIEW_IN_PROGRESS", "User Initiated")
    return stack


def create_change_set(
    self: CloudFormationBackend,
    stack_name: str,
    change_set_name: str,
    template: str,
    parameters: dict[str, str],
    description: str,
    change_set_type: str,
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
) -> tuple[str, str]:
    moto.validate_change_set_name(change_set_name)
    with LOCK:
        stack = live(self, stack_name)
        if change_set_type == "UPDATE":
            if stack is None or stack.status == "REVIEW_IN_PROGRESS":
                raise ValidationError(message=f"Stack [{stack_name}] does not exist")
            if not_updatable(stack):
                raise cannot_update(stack)
        elif change_set_type == "CREATE":
            if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
                raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
            if stack is None:
                stack = _placeholder(
                    self,
                    stack_name,
                    parameters,
                    notification_arns=notification_arns,
                    tags=tags,
                    role_arn=role_arn,
                )
        else:
            raise ValidationError(message=f"ChangeSetType {change_set_type} is not supported")
        for cs in self.change_sets.values():
            if cs.stack_id == stack.stack_id and cs.change_set_name == change_set_name:
                raise AlreadyExistsException(f"ChangeSet [{change_set_name}] already exists")
        cs = moto.new_change_set(
            self,
            name=change_set_name,
            change_set_type=change_set_type,
            stack=stack,
            template=template,
            parameters=parameters,
            description=description,
            notification_arns=notification_arns,
            tags=tags,
            role_arn=role_arn,
        )
        more = _extra(cs)
        more.include_nested, more.on_failure = REQUEST.include_nested, REQUEST.on_failure
        more.import_existing = REQUEST.import_existing
        moto.show(
            cs,
            include_nested_stacks=more.include_nested,
            on_stack_failure=more.on_failure,
            import_existing_resources=more.import_existing,
            capabilities=list(REQUEST.capabilities),
        )
        plan = change_details.compute(self, stack, cs.template_dict, parameters)
        if more.import_existing:
            plan = change_details.mark_imports(self, plan, cs.template_dict)
        cs.changes = change_details.moto_changes(plan.by_stack.get("root", ()))
        fault = FAULTS.take(FAIL_CHANGE_SET, stack_name)
        if fault:
            cs.status, cs.execution_status = "FAILED", "UNAVAILABLE"
            cs.status_reason = str(fault.spec.get("reason", "Change set failed (injected fault)"))
        elif (
            change_set_type == "UPDATE"
            and stack.has_template(template)
            and stack.has_parameters(parameters)
        ):
            cs.status, cs.execution_status, cs.status_reason = "FAILED", "UNAVAILABLE", NO_CHANGES
            cs.changes = []
        else:
            cs.status, cs.execution_status = "CREATE_COMPLETE", "AVAILABLE"
            if more.include_nested and change_set_type == "UPDATE":
                _nested_change_sets(self, cs, cs, plan, "root")
        self.change_sets[cs.change_set_id] = cs
        return cs.change_set_id, stack.stack_id


def _nested_change_sets(
    backend: CloudFormationBackend, cs: ChangeSet, root: ChangeSet, plan: TreeDiff, label: str
) -> None:
    """Give each modified nested stack its own change set, as IncludeNestedStacks does.

    Its changes are the plan's for that stack (property values, replacement).
    """
    rmap = cs.stack.resource_map
    for change in cs.changes:
        if change.action != "Modify" or change.resource_type != STACK_TYPE:
            continue
        nested = moto.parsed(rmap).get(change.logical_resource_id)
        if not isinstance(nested, NestedStack):
            continue
        props = cs.template_dict["Resources"][change.logical_resource_id].get("Properties", {})
        body = read_template_url(props["TemplateURL"], backend.account_id)
        params = _nested_parameters(props.get("Parameters") or {}, rmap)
        child = moto.new_change_set(
            backend,
            name=f"{root.change_set_name}-{change.logical_resource_id}"[:120],
            change_set_type="UPDATE",
            stack=nested.stack,
            template=body,
            parameters={k: str(v) for k, v in params.items()},
            description=None,
        )
        path = (
            change.logical_resource_id
            if label == "root"
            else f"{label}/{change.logical_resource_id}"
        )
        child.changes = change_details.moto_changes(plan.by_stack.get(path, ()))
        child.status, child.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        more = _extra(child)
        more.include_nested, more.parent_id, more.root_id = (
            True,
            cs.change_set_id,
            root.change_set_id,
        )
        moto.show(
            child,
            parent_change_set_id=more.parent_id,
            root_change_set_id=more.root_id,
            include_nested_stacks=True,
        )
        moto.show(
            change, change_set_id=child.change_set_id, physical_resource_id=nested.stack.stack_id
        )
        backend.change_sets[child.change_set_id] = child
        _nested_change_sets(backend, child, root, plan, path)


UNKNOWN_UNTIL_RUN = "{{resolved when the change set runs}}"


def _nested_parameters(given: dict[str, Any], rmap: Any) -> dict[str, Any]:
    """A nested change set's parameters, resolved against the stacks as they are now.

    A value from an output a sibling stack gains in this same change set (a new role's
    ARN) exists only once that sibling is updated: CloudFormation resolves it when the
    change set runs, so it cannot fail the change set.
    """
    out: dict[str, Any] = {}
    for key, value in given.items():
        try:
            out[key] = clean_json(value, rmap)
        except MissingOutput:
            out[key] = UNKNOWN_UNTIL_RUN
    return out


def _find_change_set(
    backend: CloudFormationBackend, name: str, stack_name: str | None
) -> ChangeSet:
    if name in backend.change_sets:
        return backend.change_sets[name]
    stack = live(backend, stack_name) if stack_name else None
    for cs in backend.change_sets.values():
        if cs.change_set_name == name and (stack is None or cs.stack_id == stack.stack_id):
            return cs
    raise ValidationError(message=f"ChangeSet [{name}] does not exist")


def describe_change_set(self: CloudFormationBackend, change_set_name: str) -> ChangeSet:
    return _find_change_set(self, change_set_name, REQUEST.stack_name)


def delete_change_set(self: CloudFormationBackend, change_set_name: str) -> None:
    with LOCK:
        cs = _find_change_set(self, change_set_name, REQUEST.stack_name)
        for other in list(self.change_sets.values()):
            if _extra(other).root_id == cs.change_set_id:
                self.change_sets.pop(other.change_set_id, None)
        self.change_sets.pop(cs.change_set_id, None)


def execute_change_set(
    self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    with LOCK:
        cs = _find_change_set(self, change_set_name, stack_name)
        if _extra(cs).parent_id:
            raise InvalidChangeSetStatus("Execute the root change set, not a nested one")
        if cs.execution_status != "AVAILABLE":
            raise InvalidChangeSetStatus(
                f"ChangeSet [{cs.change_set_id}] cannot be executed in its current status of "
                f"[{cs.status}]"
            )
        stack = self.stacks[cs.stack_id]
        if not_updatable(stack):
            raise cannot_update(stack)
        extra(stack).token = REQUEST.token
        cs.execution_status = "EXECUTE_IN_PROGRESS"
        failed = False
        try:
            with importing(_extra(cs).import_existing):
                if cs.change_set_type == "CREATE":
                    moto.load_template(stack, cs.template, cs.parameters)
                    if cs.tags:
                        stack.tags = cs.tags
                    run_create(stack, _extra(cs).on_failure or "ROLLBACK")
                else:
                    run_update(stack, cs.template, cs.parameters)
        except StackFailed:
            failed = True
        cs.execution_status = "EXECUTE_FAILED" if failed else "EXECUTE_COMPLETE"
        drop_change_sets(self, stack)  # executing removes the stack's change sets
        progress = "CREATE_IN_PROGRESS" if cs.change_set_type == "CREATE" else "UPDATE_IN_PROGRESS"
        apply_hold(stack, progress, stack.events[-1])
