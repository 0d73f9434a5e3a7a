"""StackSets in the emulator: the parts of moto 5.2.5's StackSets that cfngen relies on.

Probed over HTTP, moto's StackSets cannot deploy a self-managed instance at all
(it names the instance stack ``StackSet:<name>``, which its own CreateStack
rejects), reports every instance CURRENT/SUCCEEDED whatever happened, never
applies a new template to existing instances (nor to instances added after an
update), ignores ``ManagedExecution``, ``Capabilities``, ``OperationPreferences``
and ``RetainStacks``, and accepts two stack sets of the same name. This module
replaces those pieces, keeping moto's stack set objects and backends:

* each instance is a real stack ``StackSet-<name>-<uuid>`` in the target
  account's and region's backend (nested stacks included, through
  :mod:`cfngen.emulator.engine`), created, updated and deleted by the operations;
* parameters are checked as CloudFormation does (missing value, ``AllowedValues``,
  ``AllowedPattern``), so a bad per-account override fails just that instance;
* a nested ``TemplateURL`` in another account's bucket is read only if that
  bucket's policy grants ``s3:GetObject`` to the target account (or ``*`` under an
  ``aws:PrincipalOrgID`` condition, which the emulator cannot check and accepts);
* instances report ``CURRENT`` / ``OUTDATED`` with ``DetailedStatus`` and
  ``StatusReason``; operations keep their preferences and per-instance results,
  end ``FAILED`` when failures in a region exceed the tolerance, and in
  ``SEQUENTIAL`` mode cancel the regions after it.

Operations complete within the API call (no RUNNING phase), so watching one
sees its final state at once; real StackSets runs them asynchronously.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.moto_adapter import (
    ActionResult,
    CloudFormationBackend,
    CloudFormationError,
    EmptyResult,
    Request,
    StackInstanceNotFound,
    StackSet,
    ValidationError,
)
from cfngen.emulator.stack_ops import run_update
from cfngen.emulator.stack_state import StackFailed

LOCK = threading.RLock()


class OperationRequest(threading.local):
    """What a StackSet operation call says that moto's handlers drop."""

    preferences: dict[str, Any] = {}
    retain: bool = False
    ous: tuple[str, ...] = ()


REQUEST = OperationRequest()
MANAGED: WeakKeyDictionary[StackSet, dict[str, bool]] = WeakKeyDictionary()


class NameAlreadyExists(CloudFormationError):
    code = "NameAlreadyExistsException"


# --------------------------------------------------------------------------- instances


_DEAD = ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_COMPLETE")


class Instance:
    """One stack instance: a stack in (account, region) plus the status StackSets reports."""

    def __init__(self, stackset: StackSet, account: str, region: str, ou: str = "") -> None:
        self.stackset = stackset
        self.account_id = account
        self.region_name = region
        self.ou = ou
        self.overrides: list[dict[str, Any]] = []
        self.stack: Any = None
        self.status = "OUTDATED"
        self.detailed = "PENDING"
        self.reason = ""
        self.last_operation = ""

    @property
    def backend(self) -> CloudFormationBackend:
        return moto.cloudformation(self.account_id, self.region_name)

    def parameters(self) -> dict[str, str]:
        values = dict(self.stackset.parameters or {})
        values.update({p["ParameterKey"]: p["ParameterValue"] for p in self.overrides})
        return values

    def deploy(self, operation_id: str) -> bool:
        """Create or update the instance's stack; False (with a reason) if it failed."""
        self.last_operation = operation_id
        template = self.stackset.template
        params = self.parameters()
        problem = _parameter_problem(template, params) or _bucket_problem(template, self.account_id)
        if problem:
            return self._fail(problem)
        try:
            if self.stack is None or self.stack.status in _DEAD:
                self._create(template, params)
            else:
                _update_stack(self.stack, template, params)
        except Exception as exc:  # moto raises plain exceptions for bad templates
            return self._fail(getattr(exc, "message", None) or str(exc))
        status = self.stack.status
        if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            return self._fail(_failure_reason(self.stack) or f"stack ended {status}")
        self.status, self.detailed, self.reason = "CURRENT", "SUCCEEDED", ""
        return True

    def _create(self, template: str, params: dict[str, str]) -> None:
        if self.stack is not None:  # a failed create leaves ROLLBACK_COMPLETE: replace it
            self.backend.delete_stack(self.stack.stack_id)
        name = f"StackSet-{self.stackset.name}-{uuid.uuid4()}"
        self.stack = self.backend.create_stack(name=name, template=template, parameters=params)

    def _fail(self, reason: str) -> bool:
        self.status, self.detailed, self.reason = "OUTDATED", "FAILED", reason
        return False

    def cancel(self, operation_id: str) -> None:
        self.last_operation = operation_id
        self.detailed = "CANCELLED"
        self.reason = "Cancelled since failure tolerance has exceeded"

    def delete(self, retain: bool = False) -> None:
        if self.stack is not None and not retain:
            self.backend.delete_stack(self.stack.stack_id)

    def to_dict(self) -> dict[str, Any]:
        stack_id = self.stack.stack_id if self.stack is not None else None
        out: dict[str, Any] = {
            "StackSetId": self.stackset.id,
            "Region": self.region_name,
            "Account": self.account_id,
            "Status": self.status,
            "StatusReason": self.reason or None,
            "StackInstanceStatus": {"DetailedStatus": self.detailed},
            "ParameterOverrides": self.overrides,
            "DriftStatus": "NOT_CHECKED",
            "LastOperationId": self.last_operation or None,
        }
        if stack_id:
            out["StackId"] = stack_id
        if self.ou:
            out["OrganizationalUnitId"] = self.ou
        return {k: v for k, v in out.items() if v is not None}


def _instances(ss: StackSet) -> list[Instance]:
    """A stack set's instances: ours, kept in moto's list so its own calls see them too."""
    return moto.stack_instances(ss)


def _find(ss: StackSet, account: str, region: str) -> Instance | None:
    return next(
        (i for i in _instances(ss) if (i.account_id, i.region_name) == (account, region)), None
    )


def _update_stack(stack: Any, template: str, params: dict[str, str]) -> None:
    """The engine's in-place update; a failed one leaves the stack rolled back, not raised."""
    with contextlib.suppress(StackFailed):
        run_update(stack, template, params)


def _failure_reason(stack: Any) -> str:
    for event in stack.events:
        reason = getattr(event, "resource_status_reason", None)
        if str(getattr(event, "resource_status", "")).endswith("FAILED") and reason:
            return str(reason)
    return ""


def _parameter_problem(template: str, values: dict[str, str]) -> str:
    """CloudFormation's parameter validation, which moto skips."""
    try:
        declared = moto.parse_template(template).get("Parameters") or {}
    except Exception as exc:
        return f"Template format error: {exc}"
    for name, spec in declared.items():
        value = values.get(name, spec.get("Default"))
        if value is None:
            return f"Parameters: [{name}] must have values"
        allowed = spec.get("AllowedValues")
        if allowed and str(value) not in [str(a) for a in allowed]:
            return f"Parameter '{name}' must be one of AllowedValues"
        pattern = spec.get("AllowedPattern")
        if pattern and not re.fullmatch(pattern, str(value)):
            return f"Parameter '{name}' must match pattern {pattern}"
    unknown = sorted(set(values) - set(declared))
    if unknown:
        return f"Parameters: {unknown} do not exist in the template"
    return ""


def _bucket_problem(template: str, account: str) -> str:
    """Access Denied for a nested template in another account's bucket without a grant."""
    try:
        resources = moto.parse_template(template).get("Resources") or {}
    except Exception:
        return ""
    for lid, res in resources.items():
        url = (res.get("Properties") or {}).get("TemplateURL")
        if res.get("Type") != "AWS::CloudFormation::Stack" or not isinstance(url, str):
            continue
        host = url.split("://", 1)[-1].split("/", 1)[0]
        bucket = host.split(".s3", 1)[0] if ".s3" in host else url.split("/")[3]
        owner = moto.bucket_owner(bucket)
        if owner is None or owner[1] == account:
            continue
        policy = moto.bucket_policy(moto.s3_partition(owner[1], owner[0]).buckets[bucket])
        if not _grants(policy or {}, account):
            return (
                f"Nested stack {lid}: S3 error: Access Denied (the policy of bucket {bucket} "
                f"does not let account {account} read {url})"
            )
    return ""


def _grants(policy: dict[str, Any], account: str) -> bool:
    for st in policy.get("Statement", []):
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if st.get("Effect") != "Allow" or not any(a in ("s3:GetObject", "s3:*") for a in actions):
            continue
        principal = st.get("Principal", {})
        aws = principal.get("AWS", []) if isinstance(principal, dict) else principal
        aws = [aws] if isinstance(aws, str) else aws
        if "*" in aws and "aws:PrincipalOrgID" in json.dumps(st.get("Condition", {})):
            return True
        if any(p in (account, f"arn:aws:iam::{account}:root") for p in aws):
            return True
    return False


# --------------------------------------------------------------------------- operations


def _prefs() -> dict[str, Any]:
    return dict(REQUEST.preferences or {})


def _tolerated(failures: int, count: int, prefs: dict[str, Any]) -> bool:
    if "FailureTolerancePercentage" in prefs:
        return failures <= int(count * int(prefs["FailureTolerancePercentage"]) / 100)
    return failures <= int(prefs.get("FailureToleranceCount", 0))


def _ordered_regions(regions: list[str], prefs: dict[str, Any]) -> list[str]:
    order = [r for r in prefs.get("RegionOrder", []) if r in regions]
    return order + [r for r in regions if r not in order]


Step = Callable[[str, str], tuple[bool, str]]


def _run(
    ss: StackSet, action: str, targets: list[tuple[str, str]], step: Step, op_id: str = ""
) -> str:
    """Run ``step(account, region) -> bool`` region by region; record the operation."""
    op_id = op_id or str(uuid.uuid4())
    prefs = _prefs()
    regions = _ordered_regions(list(dict.fromkeys(r for _, r in targets)), prefs)
    results: list[dict[str, Any]] = []
    failed_op = False
    for region in regions:
        accounts = [a for a, r in targets if r == region]
        if failed_op and prefs.get("RegionConcurrencyType", "SEQUENTIAL") != "PARALLEL":
            for account in accounts:
                inst = _find(ss, account, region)
                if inst is not None:
                    inst.cancel(op_id)
                results.append(
                    _result(
                        account,
                        region,
                        "CANCELLED",
                        "Cancelled since failure tolerance has exceeded",
                    )
                )
            continue
        failures = 0
        for account in accounts:
            ok, reason = step(account, region)
            failures += 0 if ok else 1
            results.append(_result(account, region, "SUCCEEDED" if ok else "FAILED", reason))
        if not _tolerated(failures, len(accounts), prefs):
            failed_op = True
    now = moto.now()
    ss.operations.append(
        {
            "OperationId": op_id,
            "Action": action,
            "Status": "FAILED" if failed_op else "SUCCEEDED",
            "CreationTimestamp": now,
            "EndTimestamp": now,
            "OperationPreferences": prefs,
            "RetainStacks": REQUEST.retain,
            "Results": results,
            "Instances": [{a: r} for a, r in targets],
        }
    )
    return op_id


def _result(account: str, region: str, status: str, reason: str) -> dict[str, Any]:
    out = {"Account": account, "Region": region, "Status": status}
    if reason:
        out["StatusReason"] = reason
    return out


def _targets(
    ss: StackSet, accounts: list[str], regions: list[str], ous: list[str]
) -> list[tuple[str, str, str]]:
    found = [(a, "") for a in accounts] + moto.organization_accounts(ss, ous)
    return [(a, r, ou) for r in regions for a, ou in found]


def _deploy_step(ss: StackSet, op_id: str, overrides: list[dict[str, Any]] | None) -> Step:
    def step(account: str, region: str) -> tuple[bool, str]:
        inst = _find(ss, account, region)
        if inst is None:
            raise StackInstanceNotFound()
        if overrides is not None:
            inst.overrides = list(overrides)
        ok = inst.deploy(op_id)
        return ok, inst.reason

    return step


def create_stack_instances(
    self: StackSet,
    accounts: list[str],
    regions: list[str],
    deployment_targets: dict[str, Any] | None,
    parameters: list[dict[str, Any]],
) -> str:
    ous = list((deployment_targets or {}).get("OrganizationalUnitIds", []))
    if self.permission_model == "SERVICE_MANAGED" and not ous:
        raise ValidationError(
            message="StackSets with SERVICE_MANAGED permission model can only have "
            "OrganizationalUnit as target"
        )
    if self.permission_model == "SELF_MANAGED" and ous:
        raise ValidationError(
            message="StackSets with SELF_MANAGED permission model can only have accounts as target"
        )
    with LOCK:
        op_id = str(uuid.uuid4())
        pairs = []
        for account, region, ou in _targets(self, accounts, regions, ous):
            if _find(self, account, region) is None:
                _instances(self).append(Instance(self, account, region, ou))
            pairs.append((account, region))
        return _run(self, "CREATE", pairs, _deploy_step(self, op_id, parameters or None), op_id)


def update_instances(
    self: StackSet, accounts: list[str], regions: list[str], parameters: list[dict[str, Any]]
) -> dict[str, Any]:
    with LOCK:
        pairs = [(a, r) for r in regions for a in accounts]
        for account, region in pairs:
            if _find(self, account, region) is None:
                raise StackInstanceNotFound()
        op_id = str(uuid.uuid4())
        _run(self, "UPDATE", pairs, _deploy_step(self, op_id, parameters), op_id)
        return self.get_operation(op_id)


def update(self: StackSet, **kw: Any) -> dict[str, Any]:
    """UpdateStackSet: new template/parameters, then every instance (or those named)."""
    with LOCK:
        self.template = kw["template"] or self.template
        self.instances.template = self.template
        if kw["description"] is not None:
            self.description = kw["description"]
        self.parameters = kw["parameters"] or self.parameters
        self.tags = kw["tags"] or self.tags
        self.administration_role_arn = kw["admin_role"] or self.administration_role_arn
        self.execution_role_name = kw["execution_role"] or self.execution_role_name
        accounts, regions = kw["accounts"], kw["regions"]
        pairs = [
            (i.account_id, i.region_name)
            for i in _instances(self)
            if not (accounts and regions) or (i.account_id in accounts and i.region_name in regions)
        ]
        op_id = kw["operation_id"] or str(uuid.uuid4())
        _run(self, "UPDATE", pairs, _deploy_step(self, op_id, None), op_id)
        return self.get_operation(op_id)


def delete_stack_instances(self: StackSet, accounts: list[str], regions: list[str]) -> None:
    retain = REQUEST.retain
    ous = list(REQUEST.ous)
    with LOCK:
        wanted = {(a, r) for a, r, _ in _targets(self, accounts, regions, ous)}
        doomed = [i for i in _instances(self) if (i.account_id, i.region_name) in wanted]

        def step(account: str, region: str) -> tuple[bool, str]:
            inst = next(i for i in doomed if (i.account_id, i.region_name) == (account, region))
            inst.delete(retain)
            _instances(self).remove(inst)
            return True, ""

        _run(self, "DELETE", [(i.account_id, i.region_name) for i in doomed], step)


def describe_stack_instance(
    self: CloudFormationBackend, stack_set_name: str, account_id: str, region: str
) -> dict[str, Any]:
    inst = _find(self.describe_stack_set(stack_set_name), account_id, region)
    if inst is None:
        raise StackInstanceNotFound()
    return inst.to_dict()


# --------------------------------------------------------------------------- responses


def with_operation_request(req: Request, moto_handler: Callable[[], Any]) -> Any:
    """Keep the request fields moto's handlers drop where the backend can read them."""
    params = req.params()
    REQUEST.preferences = params.get("OperationPreferences") or {}
    REQUEST.retain = req.flag("RetainStacks")
    REQUEST.ous = tuple((params.get("DeploymentTargets") or {}).get("OrganizationalUnitIds", []))
    try:
        return moto_handler()
    finally:
        REQUEST.preferences, REQUEST.retain, REQUEST.ous = {}, False, ()


def create_stack_set(req: Request, moto_handler: Callable[[], Any]) -> Any:
    name = req.param("StackSetName")
    with LOCK:
        if any(s.name == name and s.status != "DELETED" for s in req.backend.stacksets.values()):
            raise NameAlreadyExists(f"StackSet {name} already exists")
        answer = moto_handler()
        _remember(req, req.backend.describe_stack_set(name))
    return answer


def update_stack_set(req: Request, moto_handler: Callable[[], Any]) -> Any:
    answer = with_operation_request(req, moto_handler)
    _remember(req, req.backend.describe_stack_set(req.param("StackSetName")))
    return answer


def _remember(req: Request, ss: StackSet) -> None:
    params = req.params()
    if "ManagedExecution" in params:
        MANAGED[ss] = {"Active": bool(params["ManagedExecution"].get("Active"))}
    if "Capabilities" in params or not hasattr(ss, "capabilities"):
        moto.show(ss, capabilities=list(params.get("Capabilities") or []))
    if req.param("TemplateURL"):
        moto.show(ss, template_url=req.param("TemplateURL"))


def managed_execution(ss: StackSet) -> dict[str, bool]:
    return MANAGED.get(ss, {"Active": False})


def describe_operation(req: Request) -> ActionResult | EmptyResult:
    ss, op = req.backend.describe_stack_set_operation(
        req.param("StackSetName"), req.param("OperationId")
    )
    out = {
        "OperationId": op["OperationId"],
        "StackSetId": ss.id,
        "Action": op["Action"],
        "Status": op["Status"],
        "OperationPreferences": op.get("OperationPreferences") or {},
        "RetainStacks": op.get("RetainStacks", False),
        "AdministrationRoleARN": ss.administration_role_arn,
        "ExecutionRoleName": ss.execution_role_name,
        "CreationTimestamp": op["CreationTimestamp"],
        "EndTimestamp": op.get("EndTimestamp"),
    }
    return moto.result({"StackSetOperation": out})


def operation_results(req: Request) -> ActionResult | EmptyResult:
    op = req.backend.list_stack_set_operation_results(
        req.param("StackSetName"), req.param("OperationId")
    )
    return moto.result({"Summaries": op.get("Results", [])})


def delete_stack_set(req: Request) -> ActionResult | EmptyResult:
    with LOCK:
        req.backend.delete_stack_set(req.param("StackSetName"))
    return moto.result()


def install() -> None:
    """Wire StackSets into moto through the adapter (called once by the engine)."""
    moto.hook_stack_sets(
        moto.StackSetHooks(
            create_stack_instances=create_stack_instances,
            update_instances=update_instances,
            update=update,
            delete_stack_instances=delete_stack_instances,
            managed_execution=property(managed_execution),
            describe_stack_instance=describe_stack_instance,
        )
    )
    moto.around_action("create_stack_set", create_stack_set)
    moto.around_action("update_stack_set", update_stack_set)
    moto.add_action("delete_stack_set", delete_stack_set)
    for name in ("create_stack_instances", "update_stack_instances", "delete_stack_instances"):
        moto.around_action(name, with_operation_request)
    moto.add_action("describe_stack_set_operation", describe_operation)
    moto.add_action("list_stack_set_operation_results", operation_results)
