"""Drive StackSets: read what exists, create/update the stack set, run instance operations, watch.

Operations run one after another in a fixed order (remove, update the stack set,
update overrides, add) and each is watched to its end before the next, so the
output reads like the plan. ``ManagedExecution`` is on, so an operation started
elsewhere meanwhile queues instead of failing ours.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.deploy.session import error_code
from cfngen.deploy.status import Capability
from cfngen.stackset.plan import Existing, Overrides, Plan, Target, grid
from cfngen.stackset.status import (
    OPERATION_DONE,
    InstanceStatus,
    OperationStatus,
    PermissionModel,
    StackSetChange,
)

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_cloudformation.literals import PermissionModelsType
    from types_boto3_cloudformation.type_defs import (
        ParameterTypeDef,
        StackInstanceSummaryTypeDef,
        StackSetOperationPreferencesTypeDef,
        StackSetOperationResultSummaryTypeDef,
    )

CAPABILITIES = [str(Capability.IAM), str(Capability.NAMED_IAM)]
Say = Callable[[str], None]


def _api_defaults() -> StackSetOperationPreferencesTypeDef:
    return {}  # StackSets' own defaults apply


@dataclass(frozen=True)
class Spec:
    """The stack set as configured: what :func:`apply` makes true."""

    name: str
    template_url: str
    template: dict[str, Any]  # the packaged root, to compare with the deployed body
    permission_model: str  # self-managed | service-managed
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[Target, Overrides] = field(default_factory=dict)
    preferences: StackSetOperationPreferencesTypeDef = field(default_factory=_api_defaults)


def api_model(model: str) -> PermissionModelsType:
    """The config's ``self-managed`` / ``service-managed`` in the API's spelling."""
    if model == "service-managed":
        return PermissionModel.SERVICE_MANAGED.value
    return PermissionModel.SELF_MANAGED.value


def describe(cfn: CloudFormationClient, name: str) -> dict[str, Any] | None:
    try:
        return dict(cfn.describe_stack_set(StackSetName=name)["StackSet"])
    except ClientError as exc:
        if error_code(exc) == "StackSetNotFoundException":
            return None
        raise


def instances(cfn: CloudFormationClient, name: str) -> list[StackInstanceSummaryTypeDef]:
    out: list[StackInstanceSummaryTypeDef] = []
    for page in cfn.get_paginator("list_stack_instances").paginate(StackSetName=name):
        out.extend(page.get("Summaries", []))
    return out


def existing(cfn: CloudFormationClient, name: str) -> list[Existing]:
    """Instances with their overrides (only DescribeStackInstance returns those)."""
    found: dict[Target, Existing] = {}
    for summary in instances(cfn, name):
        owner = summary.get("OrganizationalUnitId") or summary["Account"]
        target = (owner, summary["Region"])
        detail = cfn.describe_stack_instance(
            StackSetName=name,
            StackInstanceAccount=summary["Account"],
            StackInstanceRegion=summary["Region"],
        )["StackInstance"]
        overrides = tuple(
            sorted(
                (p["ParameterKey"], p["ParameterValue"])
                for p in detail.get("ParameterOverrides", [])
            )
        )
        worst = found.get(target)
        status = summary.get("Status", "")
        if worst is None or status != InstanceStatus.CURRENT:
            found[target] = Existing(target, status, overrides)
    return list(found.values())


def changes(current: Mapping[str, Any], spec: Spec) -> list[str]:
    """What differs between the deployed stack set and the spec (empty: nothing)."""
    out = []
    try:
        body = json.loads(current.get("TemplateBody") or "{}")
    except ValueError:
        body = {}
    if body != spec.template:
        out.append("template")
    params = {p["ParameterKey"]: p.get("ParameterValue") for p in current.get("Parameters", [])}
    if params != dict(spec.parameters):
        out.append("parameters")
    if {t["Key"]: t["Value"] for t in current.get("Tags", [])} != dict(spec.tags):
        out.append("tags")
    if sorted(current.get("Capabilities", [])) != sorted(CAPABILITIES):
        out.append("capabilities")
    if not (current.get("ManagedExecution") or {}).get("Active"):
        out.append("managed execution")
    return out


def _targets(owners: list[str], regions: list[str]) -> dict[str, Any]:
    if owners and owners[0].startswith(("ou-", "r-")):
        return {"DeploymentTargets": {"OrganizationalUnitIds": owners}, "Regions": regions}
    return {"Accounts": owners, "Regions": regions}


def _params(values: Iterable[tuple[str, str]]) -> list[ParameterTypeDef]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values]


def _common(spec: Spec) -> dict[str, Any]:
    return {
        "StackSetName": spec.name,
        "TemplateURL": spec.template_url,
        "Parameters": _params(sorted(spec.parameters.items())),
        "Capabilities": CAPABILITIES,
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())],
        "ManagedExecution": {"Active": True},
    }


def _by_overrides(spec: Spec, targets: Iterable[Target]) -> dict[Overrides, list[Target]]:
    groups: dict[Overrides, list[Target]] = {}
    for t in targets:
        groups.setdefault(spec.overrides.get(t, ()), []).append(t)
    return groups


def apply(
    cfn: CloudFormationClient,
    spec: Spec,
    plan: Plan,
    say: Say,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Carry out the plan; False as soon as an operation fails beyond tolerance."""
    prefs = spec.preferences

    def succeeded(operation_id: str) -> bool:
        return watch(cfn, spec.name, operation_id, say, sleep) == OperationStatus.SUCCEEDED

    if plan.stack_set == StackSetChange.CREATE:
        cfn.create_stack_set(
            **_common(spec),
            PermissionModel=api_model(spec.permission_model),
            Description=f"cfngen stack set {spec.name}",
        )
        say(f"created stack set {spec.name}")
    for owners, regions in grid(plan.remove):
        say(f"removing {', '.join(owners)} in {', '.join(regions)} ...")
        op = cfn.delete_stack_instances(
            StackSetName=spec.name,
            **_targets(owners, regions),
            RetainStacks=False,
            OperationPreferences=prefs,
        )
        if not succeeded(op["OperationId"]):
            return False
    if plan.stack_set == StackSetChange.UPDATE:
        say(f"updating stack set ({', '.join(plan.stack_set_changes)}) and its instances ...")
        op = cfn.update_stack_set(**_common(spec), OperationPreferences=prefs)
        if not succeeded(op["OperationId"]):
            return False
    redo = [t for t in plan.update if plan.reasons.get(t) != "stack set changed"]
    for overrides, targets in _by_overrides(spec, redo).items():
        for owners, regions in grid(targets):
            say(f"updating {', '.join(owners)} in {', '.join(regions)} ...")
            op = cfn.update_stack_instances(
                StackSetName=spec.name,
                **_targets(owners, regions),
                ParameterOverrides=_params(overrides),
                OperationPreferences=prefs,
            )
            if not succeeded(op["OperationId"]):
                return False
    for overrides, targets in _by_overrides(spec, plan.add).items():
        for owners, regions in grid(targets):
            extra: dict[str, Any] = {"ParameterOverrides": _params(overrides)} if overrides else {}
            say(f"adding {', '.join(owners)} in {', '.join(regions)} ...")
            op = cfn.create_stack_instances(
                StackSetName=spec.name,
                **_targets(owners, regions),
                OperationPreferences=prefs,
                **extra,
            )
            if not succeeded(op["OperationId"]):
                return False
    return True


def watch(
    cfn: CloudFormationClient,
    name: str,
    operation_id: str,
    say: Say,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll an operation with backoff (1 s doubling to 15 s), printing each instance once done."""
    delay = 1.0
    seen: dict[tuple[str, str], str] = {}
    while True:
        op = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)
        status = op["StackSetOperation"]["Status"]
        for res in operation_results(cfn, name, operation_id):
            key = (res["Account"], res["Region"])
            line = res["Status"] + (f": {res['StatusReason']}" if res.get("StatusReason") else "")
            if seen.get(key) != line:
                seen[key] = line
                say(f"  {key[0]} {key[1]}: {line}")
        if status in OPERATION_DONE:
            say(f"operation {operation_id}: {status}")
            return str(status)
        sleep(delay)
        delay = min(delay * 2, 15.0)


def operation_results(
    cfn: CloudFormationClient, name: str, operation_id: str
) -> list[StackSetOperationResultSummaryTypeDef]:
    out: list[StackSetOperationResultSummaryTypeDef] = []
    pages = cfn.get_paginator("list_stack_set_operation_results").paginate(
        StackSetName=name, OperationId=operation_id
    )
    for page in pages:
        out.extend(page.get("Summaries", []))
    return out


def table(rows: list[StackInstanceSummaryTypeDef]) -> list[str]:
    """Account, region, status, detailed status and reason of each instance."""
    head = ("ACCOUNT", "REGION", "STATUS", "DETAIL", "REASON")
    body = [
        (
            r["Account"],
            r["Region"],
            r.get("Status", ""),
            (r.get("StackInstanceStatus") or {}).get("DetailedStatus", ""),
            r.get("StatusReason", "") or "",
        )
        for r in sorted(rows, key=lambda r: (r["Account"], r["Region"]))
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
    return [
        "  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        for row in [head, *body]
    ]


def delete_all(
    cfn: CloudFormationClient,
    name: str,
    prefs: StackSetOperationPreferencesTypeDef,
    say: Say,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Remove every instance, then the stack set; False if an operation failed."""
    targets = [(i["Account"], i["Region"]) for i in instances(cfn, name)]
    for owners, regions in grid(targets):
        say(f"removing {', '.join(owners)} in {', '.join(regions)} ...")
        op = cfn.delete_stack_instances(
            StackSetName=name,
            Accounts=owners,
            Regions=regions,
            RetainStacks=False,
            OperationPreferences=prefs,
        )["OperationId"]
        if watch(cfn, name, op, say, sleep) != OperationStatus.SUCCEEDED:
            return False
    cfn.delete_stack_set(StackSetName=name)
    say(f"deleted stack set {name}")
    return True
