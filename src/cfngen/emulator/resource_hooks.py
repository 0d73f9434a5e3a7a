"""Per-resource hooks in moto's CloudFormation parser: events, faults, deletion order.

moto creates, updates and deletes resources silently and in any order. These
hooks, installed into moto's template parser by :func:`cfngen.emulator.engine.install`:

* emit each resource's ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events,
  create what a resource refers to first (so events come in a real order) and
  turn an injected ``fail_resource`` fault or moto's refusal into a failed
  resource (:class:`~cfngen.emulator.stack_state.ResourceFailed`);
* resolve ``Fn::GetAZs: {Ref: AWS::Region}``, which moto passes through;
* delete in reverse dependency order, detaching internet gateways and dropping
  route tables that moto would leave behind (and then refuse the VPC);
* let an HTTPS listener name any ACM certificate ARN: a rehearsal cannot hold
  the user's real certificate (AWS checks that it exists and is issued; we cannot).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from cfngen.emulator import imports
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAULTS
from cfngen.emulator.imports import IMPORTING
from cfngen.emulator.moto_adapter import MOTO_RESOURCES, ResourceHook, ResourceMap, Stack, Template
from cfngen.emulator.stack_state import ResourceFailed, event, reason_of, stack_of

_deleting: dict[str, set[str]] = {}  # stack id -> logical ids whose delete has begun


def physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def dependencies(node: Any) -> set[str]:
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
                found |= dependencies(value)
    elif isinstance(node, list):
        for item in node:
            found |= dependencies(item)
    return found


def clean_json(resource_json: Any, resources_map: ResourceMap) -> Any:
    """moto passes ``Fn::GetAZs: {Ref: AWS::Region}`` through unresolved; resolve it first."""
    if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
        region = MOTO_RESOURCES.clean_json(resource_json["Fn::GetAZs"], resources_map)
        resource_json = {"Fn::GetAZs": region}
    return MOTO_RESOURCES.clean_json(resource_json, resources_map)


def _run_resource(
    stack: Stack | None,
    logical_id: str,
    rtype: str,
    action: str,
    original: Any,
    apply: Callable[[], Any],
) -> Any:
    """``apply`` one create or update between its events; any failure is a ResourceFailed.

    An injected ``fail_resource`` fault and moto refusing the properties both
    end ``<action>_FAILED``; a failed nested stack's event names that stack.
    """
    event(stack, logical_id, physical_id(original), rtype, f"{action}_IN_PROGRESS")
    injected = FAULTS.resource_failure(rtype, logical_id)
    try:
        if injected:
            raise ResourceFailed(logical_id, injected)
        return apply()
    except ResourceFailed as exc:
        physical = exc.physical_id or physical_id(original)
        event(stack, logical_id, physical, rtype, f"{action}_FAILED", exc.reason)
        raise ResourceFailed(logical_id, exc.reason) from None
    except Exception as exc:  # moto refused the properties: that is a failed resource
        event(stack, logical_id, physical_id(original), rtype, f"{action}_FAILED", reason_of(exc))
        raise ResourceFailed(logical_id, reason_of(exc)) from None


def create_resource(
    logical_id: str, resource_json: Template, rmap: ResourceMap, account_id: str, region_name: str
) -> Any:
    condition = resource_json.get("Condition")
    if condition and not moto.condition_holds(rmap, condition):
        return None
    declared, made = moto.declared(rmap), moto.parsed(rmap)
    for dep in sorted(dependencies(resource_json) - {logical_id}):
        if dep in declared and dep not in made:
            moto.create_now(rmap, dep)  # what this one needs first, so events come in order
    rtype = resource_json["Type"]
    stack = stack_of(rmap)
    adopted = imports.existing(resource_json, account_id, region_name) if IMPORTING.get() else None
    if adopted is not None:
        event(stack, logical_id, physical_id(adopted), rtype, "IMPORT_IN_PROGRESS")
        event(stack, logical_id, physical_id(adopted), rtype, "IMPORT_COMPLETE")
        return adopted
    resource = _run_resource(
        stack,
        logical_id,
        rtype,
        "CREATE",
        None,
        lambda: MOTO_RESOURCES.create(logical_id, resource_json, rmap, account_id, region_name),
    )
    event(stack, logical_id, physical_id(resource), rtype, "CREATE_COMPLETE")
    return resource


def update_resource(
    logical_id: str, resource_json: Template, rmap: ResourceMap, account_id: str, region_name: str
) -> Any:
    return _update_by(
        MOTO_RESOURCES.update, logical_id, resource_json, rmap, account_id, region_name
    )


def replace_resource(
    logical_id: str, resource_json: Template, rmap: ResourceMap, account_id: str, region_name: str
) -> Any:
    """A replacement, as CloudFormation makes one: the new physical resource is created
    while the old one stays (the update's cleanup phase deletes it)."""
    return _update_by(
        MOTO_RESOURCES.create, logical_id, resource_json, rmap, account_id, region_name
    )


def _update_by(
    make: ResourceHook,
    logical_id: str,
    resource_json: Template,
    rmap: ResourceMap,
    account_id: str,
    region_name: str,
) -> Any:
    """An update's events around ``make`` (moto's update, or a create for a replacement)."""
    rtype = resource_json["Type"]
    stack = stack_of(rmap)
    original = moto.parsed(rmap).get(logical_id)
    resource = _run_resource(
        stack,
        logical_id,
        rtype,
        "UPDATE",
        original,
        lambda: make(logical_id, resource_json, rmap, account_id, region_name),
    )
    resource = resource if resource is not None else original  # moto: "no update support"
    event(stack, logical_id, physical_id(resource), rtype, "UPDATE_COMPLETE")
    return resource


def delete_resource(rmap: ResourceMap, resource: Any, resource_json: Template) -> None:
    stack = stack_of(rmap)
    lid = str(getattr(resource, "logical_resource_id", ""))
    rtype = resource_json["Type"]
    started = _deleting.setdefault(rmap.stack_id, set())
    if lid not in started:
        started.add(lid)
        event(stack, lid, physical_id(resource), rtype, "DELETE_IN_PROGRESS")
    if rtype == "AWS::EC2::VPCGatewayAttachment":
        _detach_gateway(rmap, resource)  # moto never detaches, so the VPC could not go
    if rtype == "AWS::EC2::RouteTable":
        _delete_route_table(rmap, resource)  # moto keeps it, and then refuses the VPC
    MOTO_RESOURCES.delete(rmap, resource, resource_json)  # may raise: moto retries in order
    if moto.parsed(rmap).get(lid) is resource:
        # moto's update keeps a removed resource in the map, so adding the same logical id
        # back later would reuse the deleted one instead of creating it again.
        del moto.parsed(rmap)[lid]
    started.discard(lid)
    event(stack, lid, physical_id(resource), rtype, "DELETE_COMPLETE")


def _detach_gateway(rmap: ResourceMap, attachment: Any) -> None:
    ec2 = moto.ec2(*moto.location(rmap))
    igw_id = getattr(attachment, "gateway_id", None)
    if igw_id and igw_id.startswith("igw-") and igw_id in ec2.internet_gateways:
        vpc: Any = ec2.internet_gateways[igw_id].vpc  # moto types it None; attached, a VPC
        if vpc is not None:
            ec2.detach_internet_gateway(igw_id, vpc.id)


def _delete_route_table(rmap: ResourceMap, table: Any) -> None:
    ec2 = moto.ec2(*moto.location(rmap))
    rt = ec2.route_tables.get(physical_id(table))
    if rt is not None:
        rt.associations.clear()
        ec2.delete_route_table(rt.id)


# Set while a failed operation deletes what it had created (a create's rollback, and the
# nested stacks inside it): then RetainExceptOnCreate deletes, as CloudFormation does.
UNDOING_CREATION: ContextVar[bool] = ContextVar("undoing_creation", default=False)


def kept_on_delete(resource_json: Template) -> bool:
    """Whether a delete now keeps the resource (DeletionPolicy Retain / RetainExceptOnCreate).

    ``RetainExceptOnCreate`` keeps it on a stack delete or an update that removes it, but
    not when the operation that created it rolls back (not even inside a nested stack
    that operation created).
    """
    policy = resource_json.get("DeletionPolicy")
    return policy == "Retain" or (policy == "RetainExceptOnCreate" and not UNDOING_CREATION.get())


@contextlib.contextmanager
def undoing_creation() -> Iterator[None]:
    token = UNDOING_CREATION.set(True)
    try:
        yield
    finally:
        UNDOING_CREATION.reset(token)


def delete_resources(rmap: ResourceMap, only: dict[str, Template] | None = None) -> None:
    """Delete in reverse dependency order, as CloudFormation does (moto picks any order).

    Every resource of the stack, or ``only`` these (logical id -> template JSON: what an
    update removed, which the stack's template no longer declares). A resource its
    DeletionPolicy keeps stays, with a DELETE_SKIPPED event.
    """
    json_map, made = only if only is not None else moto.declared(rmap), moto.parsed(rmap)
    deps = {lid: dependencies(res) & set(json_map) for lid, res in json_map.items()}
    stack = stack_of(rmap)
    for lid, res in sorted(json_map.items()):
        if kept_on_delete(res) and not moto.is_plain_value(made.get(lid)):
            event(stack, lid, physical_id(made.get(lid)), res["Type"], "DELETE_SKIPPED")
    remaining = {lid for lid, res in json_map.items() if not kept_on_delete(res)}
    while remaining:
        ready = [
            lid
            for lid in sorted(remaining)
            if not any(lid in deps[other] for other in remaining if other != lid)
        ] or sorted(remaining)
        progress, last_exc = False, None
        for lid in ready:
            resource = made.get(lid)
            if moto.is_plain_value(resource):
                remaining.discard(lid)
                progress = True
                continue
            try:
                delete_resource(rmap, resource, json_map[lid])
            except Exception as exc:
                last_exc = exc
                continue
            made.pop(lid, None)
            remaining.discard(lid)
            progress = True
        if not progress and last_exc is not None:
            raise last_exc


def certificate_check(account_id: str, region: str, arn_certificate: str, arn_user: str) -> None:
    """moto's check that a listener's certificate is in its ACM, minus the not-found error."""
    with contextlib.suppress(moto.CertificateNotFound):
        moto.moto_certificate_check(account_id, region, arn_certificate, arn_user)
