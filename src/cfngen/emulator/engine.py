"""The CloudFormation behaviour a rehearsal needs and moto lacks, patched into moto once.

moto runs a stack operation synchronously inside the API call, emits only
stack-level events, has no failure states and leaves change-set outputs stale.
:func:`install` replaces a few backend methods so that, seen through the API:

* every resource gets ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events;
* a failed create rolls back to ``ROLLBACK_COMPLETE`` (or is deleted with
  ``OnStackFailure=DELETE``), a failed update to ``UPDATE_ROLLBACK_COMPLETE``
  (``UPDATE_ROLLBACK_FAILED`` by fault), and a failed nested stack surfaces in
  its parent as "Embedded stack ... was not successfully created";
* nested stacks update in place, get ``ParentId``/``RootId`` and, with
  ``IncludeNestedStacks``, nested change sets;
* busy stacks, termination protection and non-updatable states are refused
  like CloudFormation does, and ``ContinueUpdateRollback`` /
  ``UpdateTerminationProtection`` exist;
* template URLs are read in every form our packager and ``aws cloudformation
  package`` write (virtual-hosted, path-style, ``localhost`` or ``127.0.0.1``);
* an HTTPS listener may name any ACM certificate ARN: a rehearsal cannot hold the
  user's real certificate (AWS checks that it exists and is issued; we cannot).

The resource semantics stay moto's: a rehearsal proves wiring, not AWS behaviour.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlparse

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing, responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ValidationError,
)
from moto.cloudformation.models import (
    ChangeSet,
    CloudFormationBackend,
    Event,
    Stack,
    cloudformation_backends,
)
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id
from moto.core.responses import ActionResult
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from cfngen.emulator import fills, models
from cfngen.emulator.faults import FAIL_CHANGE_SET, FAIL_ROLLBACK, FAULTS, HOLD

LOCK = threading.RLock()
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)
_request = threading.local()
_installed = False
_moto_register_certificate: Callable[..., None]


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


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


# --------------------------------------------------------------------------- helpers


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


def _physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def _dependencies(node: Any) -> set[str]:
    """Logical ids a resource JSON refers to (Ref, GetAtt, DependsOn)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(target)
            elif key == "DependsOn":
                found.update([value] if isinstance(value, str) else value)
            else:
                found |= _dependencies(value)
    elif isinstance(node, list):
        for item in node:
            found |= _dependencies(item)
    return found


def read_template_url(url: str, account_id: str, partition: str = "aws") -> str:
    """Template body behind any S3 URL form: virtual-hosted, path-style, loopback or AWS."""
    parts = urlparse(url)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path.lstrip("/"))
    if host in LOOPBACK_HOSTS or host.startswith("s3.") or host.startswith("s3-"):
        bucket, _, key = path.partition("/")
    elif host.endswith(".localhost"):
        bucket, key = host.removesuffix(".localhost"), path
    elif ".s3." in host or ".s3-" in host:
        bucket, key = host.split(".s3", 1)[0], path
    else:
        raise ValidationError(message=f"TemplateURL must be an Amazon S3 URL: {url}")
    try:
        obj = s3_backends[account_id][partition].get_object(bucket, key)
    except Exception:
        obj = None
    if obj is None:
        raise ValidationError(message=f"S3 error: unable to read template {url}: no such object")
    return obj.value.decode("utf-8")


# --------------------------------------------------------------------------- resource hooks

_orig_create = parsing.parse_and_create_resource
_orig_update = parsing.parse_and_update_resource
_orig_delete = parsing.ResourceMap._delete_resource
_orig_class_from_type = parsing.resource_class_from_type
_orig_clean_json = parsing.clean_json


def _clean_json(resource_json: Any, resources_map: parsing.ResourceMap) -> Any:
    """moto passes ``Fn::GetAZs: {Ref: AWS::Region}`` through unresolved; resolve it first."""
    if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
        region = _orig_clean_json(resource_json["Fn::GetAZs"], resources_map)
        resource_json = {"Fn::GetAZs": region}
    return _orig_clean_json(resource_json, resources_map)


def _class_from_type(resource_type: str) -> Any:
    if resource_type in models.EMULATED_TYPES:
        return models.EMULATED_TYPES[resource_type]
    cls = _orig_class_from_type(resource_type)
    if cls is None and resource_type not in parsing.NULL_MODELS:
        return models.GenericResource
    return cls


def _create_resource(
    logical_id: str,
    resource_json: dict[str, Any],
    rmap: parsing.ResourceMap,
    account_id: str,
    region_name: str,
) -> Any:
    condition = resource_json.get("Condition")
    if condition and not rmap.lazy_condition_map[condition]:
        return None
    for dep in sorted(_dependencies(resource_json) - {logical_id}):
        if dep in rmap._resource_json_map and dep not in rmap._parsed_resources:
            rmap[dep]  # create what this one needs first, so events come in a real order
    rtype = resource_json["Type"]
    stack = _stack_of(rmap)
    _event(stack, logical_id, "", rtype, "CREATE_IN_PROGRESS")
    injected = FAULTS.resource_failure(rtype, logical_id)
    try:
        if injected:
            raise ResourceFailed(logical_id, injected)
        resource = _orig_create(logical_id, resource_json, rmap, account_id, region_name)
    except ResourceFailed as exc:
        physical = getattr(exc, "physical_id", "")
        _event(stack, logical_id, physical, rtype, "CREATE_FAILED", exc.reason)
        raise ResourceFailed(logical_id, exc.reason) from None
    except Exception as exc:  # moto refused the properties: that is a failed resource
        _event(stack, logical_id, "", rtype, "CREATE_FAILED", _reason(exc))
        raise ResourceFailed(logical_id, _reason(exc)) from None
    _event(stack, logical_id, _physical_id(resource), rtype, "CREATE_COMPLETE")
    return resource


def _update_resource(
    logical_id: str,
    resource_json: dict[str, Any],
    rmap: parsing.ResourceMap,
    account_id: str,
    region_name: str,
) -> Any:
    rtype = resource_json["Type"]
    stack = _stack_of(rmap)
    original = rmap._parsed_resources.get(logical_id)
    _event(stack, logical_id, _physical_id(original), rtype, "UPDATE_IN_PROGRESS")
    injected = FAULTS.resource_failure(rtype, logical_id)
    try:
        if injected:
            raise ResourceFailed(logical_id, injected)
        resource = _orig_update(logical_id, resource_json, rmap, account_id, region_name)
    except ResourceFailed as exc:
        _event(stack, logical_id, _physical_id(original), rtype, "UPDATE_FAILED", exc.reason)
        raise ResourceFailed(logical_id, exc.reason) from None
    except Exception as exc:
        _event(stack, logical_id, _physical_id(original), rtype, "UPDATE_FAILED", _reason(exc))
        raise ResourceFailed(logical_id, _reason(exc)) from None
    resource = resource if resource is not None else original  # moto: "no update support"
    _event(stack, logical_id, _physical_id(resource), rtype, "UPDATE_COMPLETE")
    return resource


def _delete_resource(self: parsing.ResourceMap, parsed: Any, resource_json: dict[str, Any]) -> None:
    stack = _stack_of(self)
    lid = getattr(parsed, "logical_resource_id", "")
    started: set[str] = self.__dict__.setdefault("_cfngen_deleting", set())
    if lid not in started:
        started.add(lid)
        _event(stack, lid, _physical_id(parsed), resource_json["Type"], "DELETE_IN_PROGRESS")
    if resource_json["Type"] == "AWS::EC2::VPCGatewayAttachment":
        _detach_gateway(self, parsed)  # moto never detaches, so the VPC could not go
    if resource_json["Type"] == "AWS::EC2::RouteTable":
        _delete_route_table(self, parsed)  # moto keeps it, and then refuses the VPC
    _orig_delete(self, parsed, resource_json)  # may raise: moto retries dependency order
    _event(stack, lid, _physical_id(parsed), resource_json["Type"], "DELETE_COMPLETE")


def _detach_gateway(rmap: parsing.ResourceMap, attachment: Any) -> None:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[rmap._account_id][rmap._region_name]
    igw_id = getattr(attachment, "gateway_id", None)
    if igw_id and igw_id.startswith("igw-") and igw_id in ec2.internet_gateways:
        igw = ec2.internet_gateways[igw_id]
        if igw.vpc is not None:
            ec2.detach_internet_gateway(igw_id, igw.vpc.id)


def _delete_route_table(rmap: parsing.ResourceMap, table: Any) -> None:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[rmap._account_id][rmap._region_name]
    rt = ec2.route_tables.get(_physical_id(table))
    if rt is not None:
        rt.associations.clear()
        ec2.delete_route_table(rt.id)


# --------------------------------------------------------------------------- stack operations


def _refresh(stack: Stack) -> None:
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def delete_resources(rmap: parsing.ResourceMap) -> None:
    """Delete in reverse dependency order, as CloudFormation does (moto picks any order)."""
    json_map = rmap._resource_json_map
    deps = {lid: _dependencies(res) & set(json_map) for lid, res in json_map.items()}
    remaining = {lid for lid, res in json_map.items() if res.get("DeletionPolicy") != "Retain"}
    while remaining:
        ready = [
            lid
            for lid in sorted(remaining)
            if not any(lid in deps[other] for other in remaining if other != lid)
        ] or sorted(remaining)
        progress, last_exc = False, None
        for lid in ready:
            parsed = rmap._parsed_resources.get(lid)
            if parsed is None or isinstance(parsed, str | list | dict | int | float):
                remaining.discard(lid)
                progress = True
                continue
            try:
                _delete_resource(rmap, parsed, json_map[lid])
            except Exception as exc:
                last_exc = exc
                continue
            rmap._parsed_resources.pop(lid, None)
            remaining.discard(lid)
            progress = True
        if not progress and last_exc is not None:
            raise last_exc


def _rollback_create(stack: Stack) -> None:
    with contextlib.suppress(Exception):
        delete_resources(stack.resource_map)


def _run_create(stack: Stack, apply: Callable[[], Any], on_failure: str) -> None:
    """Create a stack's resources; on failure roll back, delete or keep as asked."""
    _stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
    try:
        apply()
    except ResourceFailed as exc:
        reason = f"The following resource(s) failed to create: [{exc.logical_id}]. "
        if on_failure == "DO_NOTHING":
            _stack_event(stack, "CREATE_FAILED", reason)
            raise StackFailed(stack, reason) from None
        _stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
        _rollback_create(stack)
        _stack_event(stack, "ROLLBACK_COMPLETE")
        if on_failure == "DELETE":
            _stack_event(stack, "DELETE_IN_PROGRESS", "OnStackFailure DELETE")
            _retire(stack)
            _stack_event(stack, "DELETE_COMPLETE")
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
        if getattr(stack, "parent_id", None) is None and FAULTS.pop(FAIL_ROLLBACK, stack.name):
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
        _run_create(stack, lambda: stack.resource_map.create(stack.template_dict), "ROLLBACK")
    except StackFailed as exc:
        _stack_event(stack, "DELETE_IN_PROGRESS", "Parent stack rolls back")
        _retire(stack)
        _stack_event(stack, "DELETE_COMPLETE")
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


def _apply_hold(stack: Stack, status: str, seconds: float, final: Event | None) -> None:
    until = time.time() + seconds
    stack._cfngen_hold = (status, until)
    if final is not None:
        final._cfngen_visible_at = until


# --------------------------------------------------------------------------- backend methods


def _live(backend: CloudFormationBackend, name_or_id: str) -> Stack | None:
    if name_or_id in backend.stacks:
        return backend.stacks[name_or_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_id), None)


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
            _run_create(stack, lambda: stack.resource_map.create(stack.template_dict), on_failure)
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
        for change in cs.changes:
            change.replacement = "False" if change.action == "Modify" else None
        fault = FAULTS.pop(FAIL_CHANGE_SET, stack_name)
        if fault:
            cs.status, cs.execution_status = "FAILED", "UNAVAILABLE"
            cs.status_reason = str(fault.get("reason", "Change set failed (injected fault)"))
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
        child = ChangeSet(
            change_set_type="UPDATE",
            change_set_id=generate_changeset_id(
                f"{root.change_set_name}-{change.logical_resource_id}"[:120],
                backend.region_name,
                backend.account_id,
            ),
            change_set_name=f"{root.change_set_name}-{change.logical_resource_id}"[:120],
            stack=nested.stack,
            template=body,
            parameters={k: str(v) for k, v in params.items()},
            description=None,
        )
        for c in child.changes:
            c.replacement = "False" if c.action == "Modify" else None
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
        hold = FAULTS.pop(HOLD, stack.name)
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
                _run_create(
                    stack, lambda: stack.resource_map.create(stack.template_dict), on_failure
                )
            else:
                _run_update(stack, cs.template, cs.parameters)
        except StackFailed:
            failed = True
        cs.execution_status = "EXECUTE_FAILED" if failed else "EXECUTE_COMPLETE"
        for key in [k for k, c in self.change_sets.items() if c.stack_id == stack.stack_id]:
            self.change_sets.pop(key, None)  # executing removes the stack's change sets
        if hold:
            progress = (
                "CREATE_IN_PROGRESS" if cs.change_set_type == "CREATE" else ("UPDATE_IN_PROGRESS")
            )
            _apply_hold(stack, progress, float(hold.get("seconds", 5)), stack.events[-1])


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
        hold = FAULTS.pop(HOLD, stack.name)
        _stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")
        try:
            delete_resources(stack.resource_map)
        except Exception as exc:
            _stack_event(stack, "DELETE_FAILED", f"The following resource(s) failed: {exc}")
            return
        for key in [k for k, c in self.change_sets.items() if c.stack_id == stack.stack_id]:
            self.change_sets.pop(key, None)
        _retire(stack)
        final = _stack_event(stack, "DELETE_COMPLETE")
        if hold:
            _apply_hold(stack, "DELETE_IN_PROGRESS", float(hold.get("seconds", 5)), final)


def engine_delete_stack(account_id: str, region_name: str, stack_id: str) -> None:
    """Delete a nested stack; raise if it failed so the parent fails (or retries) too."""
    backend = _backend(account_id, region_name)
    delete_stack(backend, stack_id)
    stack = backend.stacks.get(stack_id)
    if stack is not None and stack.status == "DELETE_FAILED":
        reason = stack.events[-1].resource_status_reason if stack.events else ""
        raise ValidationError(message=f"Embedded stack {stack_id} was not deleted: {reason}")


def describe_stack_events(self: CloudFormationBackend, stack_name: str) -> list[Event]:
    now = time.time()
    events = self.get_stack(stack_name).events
    return [e for e in events if getattr(e, "_cfngen_visible_at", 0) <= now]


def _status_get(self: Stack) -> str:
    busy = FAULTS.busy_status(self.name)
    if busy:
        return busy
    hold = self.__dict__.get("_cfngen_hold")
    if hold and hold[1] > time.time():
        return str(hold[0])
    return str(self.__dict__.get("_cfngen_status", ""))


def _status_set(self: Stack, value: str) -> None:
    self.__dict__["_cfngen_status"] = value


# --------------------------------------------------------------------------- responses


_orig_cs_response = responses.CloudFormationResponse.create_change_set
_orig_create_stack_response = responses.CloudFormationResponse.create_stack


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


def _wrap_stack_name(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapper(self: Any) -> Any:
        _request.stack_name = self._get_param("StackName")
        _request.token = self._get_param("ClientRequestToken")
        return original(self)

    return wrapper


# --------------------------------------------------------------------------- S3 policies


def _bucket_permission(self: Any, action: str, resource: str) -> Any:
    """moto ignores policy conditions, so a TLS-only Deny would deny everything.

    The emulator is plain HTTP on loopback standing in for TLS: statements
    conditioned on ``aws:SecureTransport`` are left out; everything else is moto's.
    """
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = json.loads(self.policy.decode())
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    kept = [
        st for st in statements if "aws:SecureTransport" not in json.dumps(st.get("Condition", {}))
    ]
    if not kept:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**policy, "Statement": kept})).is_action_permitted(
        action, resource
    )


def _register_certificate(
    account_id: str, region: str, arn_certificate: str, arn_user: str
) -> None:
    """moto's check that a listener's certificate is in its ACM, minus the not-found error."""
    from moto.elb.exceptions import CertificateNotFoundException

    with contextlib.suppress(CertificateNotFoundException):
        _moto_register_certificate(account_id, region, arn_certificate, arn_user)


# --------------------------------------------------------------------------- install


def install() -> None:
    """Patch moto once per process; idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    logging.getLogger("moto").setLevel(logging.ERROR)  # unsupported-attribute chatter
    warnings.filterwarnings("ignore", module="moto")
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    parsing.get_model_map().update(models.EMULATED_TYPES)
    parsing.resource_class_from_type = _class_from_type
    parsing.clean_json = _clean_json
    parsing.parse_and_create_resource = _create_resource
    parsing.parse_and_update_resource = _update_resource
    parsing.ResourceMap._delete_resource = _delete_resource
    for module in (cfn_utils, cfn_models, responses):
        module.get_stack_from_s3_url = read_template_url  # type: ignore[attr-defined]
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = _bucket_permission  # type: ignore[method-assign]
    from moto.elbv2 import models as elbv2_models

    global _moto_register_certificate
    _moto_register_certificate = elbv2_models.register_certificate
    elbv2_models.register_certificate = _register_certificate  # type: ignore[assignment]
    Stack.status = property(_status_get, _status_set)  # type: ignore[assignment]
    backend = CloudFormationBackend
    backend.create_stack = create_stack  # type: ignore[method-assign]
    backend.create_change_set = create_change_set  # type: ignore[method-assign]
    backend.describe_change_set = describe_change_set  # type: ignore[method-assign]
    backend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    backend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    backend.delete_stack = delete_stack  # type: ignore[method-assign]
    backend.describe_stack_events = describe_stack_events  # type: ignore[method-assign]
    resp = responses.CloudFormationResponse
    resp.create_change_set = _with_request_params(_orig_cs_response)  # type: ignore[method-assign]
    resp.create_stack = _with_request_params(_orig_create_stack_response)  # type: ignore[method-assign]
    for name in ("describe_change_set", "delete_change_set", "execute_change_set"):
        setattr(resp, name, _wrap_stack_name(getattr(resp, name)))
    resp.continue_update_rollback = _continue_update_rollback  # type: ignore[attr-defined]
    resp.update_termination_protection = _update_termination_protection  # type: ignore[attr-defined]
    fills.install()
