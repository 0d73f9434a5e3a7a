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

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ValidationError,
)
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id

from cfngen.emulator import models
from cfngen.emulator.faults import FAIL_CHANGE_SET, FAULTS
from cfngen.emulator.stack_ops import (
    _cannot_update,
    _drop_change_sets,
    _not_updatable,
    _run_create,
    _run_update,
)
from cfngen.emulator.stack_state import (
    LOCK,
    StackFailed,
    _apply_hold,
    _live,
    _request,
    _stack_event,
)
from cfngen.emulator.template_urls import read_template_url

NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


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
    cfn_utils.validate_create_change_set(change_set_name)
    with LOCK:
        stack = _live(self, stack_name)
        if change_set_type == "UPDATE":
            if stack is None or stack.status == "REVIEW_IN_PROGRESS":
                raise ValidationError(message=f"Stack [{stack_name}] does not exist")
            if _not_updatable(stack):
                raise _cannot_update(stack)
        elif change_set_type == "CREATE":
            if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
                raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
            if stack is None:
                stack = Stack(
                    stack_id=generate_stack_id(stack_name, self.region_name, self.account_id),
                    name=stack_name,
                    template={},
                    parameters=parameters,
                    account_id=self.account_id,
                    region_name=self.region_name,
                    notification_arns=notification_arns,
                    tags=tags,
                    role_arn=role_arn,
                )
                self.stacks[stack.stack_id] = stack
                _stack_event(stack, "REVIEW_IN_PROGRESS", "User Initiated")
        else:
            raise ValidationError(message=f"ChangeSetType {change_set_type} is not supported")
        for cs in self.change_sets.values():
            if cs.stack_id == stack.stack_id and cs.change_set_name == change_set_name:
                raise AlreadyExistsException(f"ChangeSet [{change_set_name}] already exists")
        cs = ChangeSet(
            change_set_type=change_set_type,
            change_set_id=generate_changeset_id(change_set_name, self.region_name, self.account_id),
            change_set_name=change_set_name,
            stack=stack,
            template=template,
            parameters=parameters,
            description=description,
            notification_arns=notification_arns,
            tags=tags,
            role_arn=role_arn,
        )
        cs.include_nested_stacks = bool(getattr(_request, "include_nested", False))
        cs.on_stack_failure = getattr(_request, "on_failure", None)
        cs.capabilities = getattr(_request, "capabilities", None)
        _mark_replacements(cs)
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
            if cs.include_nested_stacks and change_set_type == "UPDATE":
                _nested_change_sets(self, cs, cs)
        self.change_sets[cs.change_set_id] = cs
        return cs.change_set_id, stack.stack_id


def _mark_replacements(cs: ChangeSet) -> None:
    """A modified resource is updated in place (moto leaves ``Replacement`` unset)."""
    for change in cs.changes:
        change.replacement = "False" if change.action == "Modify" else None


def _nested_change_sets(backend: CloudFormationBackend, cs: ChangeSet, root: ChangeSet) -> None:
    """Give each modified nested stack its own change set, as IncludeNestedStacks does."""
    rmap = cs.stack.resource_map
    for change in cs.changes:
        if change.action != "Modify" or change.resource_type != "AWS::CloudFormation::Stack":
            continue
        nested = rmap._parsed_resources.get(change.logical_resource_id)
        if not isinstance(nested, models.NestedStack):
            continue
        props = cs.template_dict["Resources"][change.logical_resource_id].get("Properties", {})
        body = read_template_url(props["TemplateURL"], backend.account_id)
        params = parsing.clean_json(props.get("Parameters") or {}, rmap)
        name = f"{root.change_set_name}-{change.logical_resource_id}"[:120]
        child = ChangeSet(
            change_set_type="UPDATE",
            change_set_id=generate_changeset_id(name, backend.region_name, backend.account_id),
            change_set_name=name,
            stack=nested.stack,
            template=body,
            parameters={k: str(v) for k, v in params.items()},
            description=None,
        )
        _mark_replacements(child)
        child.status, child.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        child.parent_change_set_id = cs.change_set_id
        child.root_change_set_id = root.change_set_id
        child.include_nested_stacks = True
        change.change_set_id = child.change_set_id
        change.physical_resource_id = nested.stack.stack_id
        backend.change_sets[child.change_set_id] = child
        _nested_change_sets(backend, child, root)


def _find_change_set(backend: CloudFormationBackend, name: str, stack_name: str | None) -> Any:
    if name in backend.change_sets:
        return backend.change_sets[name]
    stack = _live(backend, stack_name) if stack_name else None
    for cs in backend.change_sets.values():
        if cs.change_set_name == name and (stack is None or cs.stack_id == stack.stack_id):
            return cs
    raise ValidationError(message=f"ChangeSet [{name}] does not exist")


def describe_change_set(self: CloudFormationBackend, change_set_name: str) -> Any:
    return _find_change_set(self, change_set_name, getattr(_request, "stack_name", None))


def delete_change_set(self: CloudFormationBackend, change_set_name: str) -> None:
    with LOCK:
        cs = _find_change_set(self, change_set_name, getattr(_request, "stack_name", None))
        for other in list(self.change_sets.values()):
            if getattr(other, "root_change_set_id", None) == cs.change_set_id:
                self.change_sets.pop(other.change_set_id, None)
        self.change_sets.pop(cs.change_set_id, None)


def execute_change_set(
    self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    with LOCK:
        cs = _find_change_set(self, change_set_name, stack_name)
        if getattr(cs, "parent_change_set_id", None):
            raise InvalidChangeSetStatus("Execute the root change set, not a nested one")
        if cs.execution_status != "AVAILABLE":
            raise InvalidChangeSetStatus(
                f"ChangeSet [{cs.change_set_id}] cannot be executed in its current status of "
                f"[{cs.status}]"
            )
        stack = self.stacks[cs.stack_id]
        if _not_updatable(stack):
            raise _cannot_update(stack)
        stack._cfngen_token = getattr(_request, "token", None)
        cs.execution_status = "EXECUTE_IN_PROGRESS"
        failed = False
        try:
            if cs.change_set_type == "CREATE":
                stack.template, stack.parameters = cs.template, cs.parameters
                stack._parse_template()
                if cs.tags:
                    stack.tags = cs.tags
                stack.resource_map = stack._create_resource_map()
                on_failure = getattr(cs, "on_stack_failure", None) or "ROLLBACK"
                _run_create(stack, on_failure)
            else:
                _run_update(stack, cs.template, cs.parameters)
        except StackFailed:
            failed = True
        cs.execution_status = "EXECUTE_FAILED" if failed else "EXECUTE_COMPLETE"
        _drop_change_sets(self, stack)  # executing removes the stack's change sets
        progress = "CREATE_IN_PROGRESS" if cs.change_set_type == "CREATE" else "UPDATE_IN_PROGRESS"
        _apply_hold(stack, progress, stack.events[-1])
