"""Per-resource hooks in moto's CloudFormation parser: events, faults, types, deletion order.

moto creates, updates and deletes resources silently, in any order, and turns
an unknown type into an error. These hooks, installed into
``moto.cloudformation.parsing`` by :func:`cfngen.emulator.engine.install`:

* emit each resource's ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events,
  create what a resource refers to first (so events come in a real order) and
  turn an injected ``fail_resource`` fault or moto's refusal into a failed
  resource (:class:`~cfngen.emulator.stack_state.ResourceFailed`);
* point the types in :data:`cfngen.emulator.models.EMULATED_TYPES` at their
  models and accept any other unmodelled type as a placeholder;
* resolve ``Fn::GetAZs: {Ref: AWS::Region}``, which moto passes through;
* delete in reverse dependency order, detaching internet gateways and dropping
  route tables that moto would leave behind (and then refuse the VPC);
* let an HTTPS listener name any ACM certificate ARN: a rehearsal cannot hold
  the user's real certificate (AWS checks that it exists and is issued; we cannot).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import Stack
from moto.elbv2 import models as elbv2_models

from cfngen.emulator import models
from cfngen.emulator.faults import FAULTS
from cfngen.emulator.stack_state import (
    ResourceFailed,
    _event,
    _reason,
    _stack_of,
)

_orig_create = parsing.parse_and_create_resource
_orig_update = parsing.parse_and_update_resource
_orig_delete = parsing.ResourceMap._delete_resource
_orig_class_from_type = parsing.resource_class_from_type
_orig_clean_json = parsing.clean_json
_orig_register_certificate = elbv2_models.register_certificate


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
    _event(stack, logical_id, _physical_id(original), rtype, f"{action}_IN_PROGRESS")
    injected = FAULTS.resource_failure(rtype, logical_id)
    try:
        if injected:
            raise ResourceFailed(logical_id, injected)
        return apply()
    except ResourceFailed as exc:
        physical = getattr(exc, "physical_id", _physical_id(original))
        _event(stack, logical_id, physical, rtype, f"{action}_FAILED", exc.reason)
        raise ResourceFailed(logical_id, exc.reason) from None
    except Exception as exc:  # moto refused the properties: that is a failed resource
        _event(stack, logical_id, _physical_id(original), rtype, f"{action}_FAILED", _reason(exc))
        raise ResourceFailed(logical_id, _reason(exc)) from None


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
    resource = _run_resource(
        stack,
        logical_id,
        rtype,
        "CREATE",
        None,
        lambda: _orig_create(logical_id, resource_json, rmap, account_id, region_name),
    )
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
    resource = _run_resource(
        stack,
        logical_id,
        rtype,
        "UPDATE",
        original,
        lambda: _orig_update(logical_id, resource_json, rmap, account_id, region_name),
    )
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


def _register_certificate(
    account_id: str, region: str, arn_certificate: str, arn_user: str
) -> None:
    """moto's check that a listener's certificate is in its ACM, minus the not-found error."""
    from moto.elb.exceptions import CertificateNotFoundException

    with contextlib.suppress(CertificateNotFoundException):
        _orig_register_certificate(account_id, region, arn_certificate, arn_user)
