"""AWS security defaults that moto's models skip, so a rehearsal shows the effective settings.

Each is a :class:`~cfngen.emulator.moto_adapter.ModelPatch` in :data:`MODEL_PATCHES`
(applied with :data:`cfngen.emulator.fills.MODEL_PATCHES` by
:func:`cfngen.emulator.engine.install`):

* ``AWS::EC2::SecurityGroup``: AWS gives every new VPC group an allow-all outbound rule
  (0.0.0.0/0, every protocol) and CloudFormation removes it when the template declares
  ``SecurityGroupEgress`` inline, putting exactly those rules in its place. moto adds the
  default but ignores inline egress; here the inline rules replace the default, so
  ``DescribeSecurityGroups`` shows what a deployed group would allow - and a group that
  declares none keeps the default, as in AWS.
* ``AWS::IAM::Role``: ``ManagedPolicyArns`` are attached (moto ignores them), the
  AWS-managed ones loaded one by one from moto's copy of their documents, and inline
  ``Policies`` are kept as JSON text (moto keeps the template's object, and
  ``GetRolePolicy`` answers its Python repr), so ``ListAttachedRolePolicies``,
  ``GetPolicyVersion`` and ``GetRolePolicy`` show what a role may do. On delete
  CloudFormation detaches the managed ones first (moto would refuse to delete the role).
* ``AWS::EC2::SecurityGroupIngress``: moto authorises the rule but never revokes it; the
  rules it added are remembered and revoked when the resource is deleted (an update that
  removes a service takes its load balancer's way in with it).
* ``AWS::Logs::LogGroup``: ``KmsKeyId`` reaches the group (moto reads only the API's
  ``kmsKeyId``), so ``DescribeLogGroups`` shows the key.

The EKS add-on side (``DescribeAddon``, Pod Identity associations) is
:mod:`cfngen.emulator.eks_addons`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.model_base import props
from cfngen.emulator.moto_adapter import ModelPatch, Resource

MotoCreate = Callable[..., Resource]


def _egress_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """An inline egress rule as the arguments of moto's AuthorizeSecurityGroupEgress."""
    protocol = str(rule["IpProtocol"])
    every_port = protocol in ("-1", "all")
    described = {"Description": rule["Description"]} if "Description" in rule else {}
    destinations = {
        "ip_ranges": [{"CidrIp": rule["CidrIp"], **described}] if "CidrIp" in rule else [],
        "source_groups": (
            [{"GroupId": rule["DestinationSecurityGroupId"], **described}]
            if "DestinationSecurityGroupId" in rule
            else []
        ),
        "prefix_list_ids": (
            [{"PrefixListId": rule["DestinationPrefixListId"], **described}]
            if "DestinationPrefixListId" in rule
            else []
        ),
    }
    return {
        "ip_protocol": "-1" if every_port else protocol,
        "from_port": None if every_port else rule.get("FromPort"),
        "to_port": None if every_port else rule.get("ToPort"),
        **destinations,
    }


def _security_group_create(
    moto_create: MotoCreate,
    name: str,
    cfn_json: dict[str, Any],
    account: str,
    region: str,
    **kw: Any,
) -> Resource:
    """moto's group; declared inline egress replaces AWS's default allow-all rule."""
    group = moto_create(name, cfn_json, account, region, **kw)
    egress = props(cfn_json).get("SecurityGroupEgress")
    if egress is None:  # none declared: the default rule stays, as in AWS
        return group
    ec2 = moto.ec2(account, region)
    default = [rule.id for rule in group.egress_rules]
    if default:
        ec2.revoke_security_group_egress(group.id, "-1", "", "", [], security_rule_ids=default)
    for rule in egress:
        ec2.authorize_security_group_egress(group.id, **_egress_rule(rule))
    return group


def _ingress_create(
    moto_create: MotoCreate,
    name: str,
    cfn_json: dict[str, Any],
    account: str,
    region: str,
    **kw: Any,
) -> Resource:
    """moto's rule, remembering which rule ids of its group it added (for the delete)."""
    given = props(cfn_json)
    ec2 = moto.ec2(account, region)
    named = given.get("GroupId") or given.get("GroupName")
    group = ec2.get_security_group_by_name_or_id(named) if named else None
    before = {rule.id for rule in group.ingress_rules} if group is not None else set()
    made = moto_create(name, cfn_json, account, region, **kw)
    added = [rule.id for rule in made.security_group.ingress_rules if rule.id not in before]
    made.rule_ids = added
    return made


def _ingress_delete(ingress: Any, account: str, region: str) -> None:
    """RevokeSecurityGroupIngress of what the resource added; a deleted group took it along."""
    ec2 = moto.ec2(account, region)
    group = ec2.get_security_group_by_name_or_id(ingress.security_group.id)
    present = {rule.id for rule in group.ingress_rules} if group is not None else set()
    ids = [i for i in getattr(ingress, "rule_ids", []) if i in present]
    if group is not None and ids:
        ec2.revoke_security_group_ingress(group.id, "-1", "", "", [], security_rule_ids=ids)


def _log_group_create(
    moto_create: MotoCreate,
    name: str,
    cfn_json: dict[str, Any],
    account: str,
    region: str,
    **kw: Any,
) -> Resource:
    """moto's group with the template's ``KmsKeyId`` under the API's name, which moto reads."""
    given = props(cfn_json)
    if given.get("KmsKeyId"):
        given["kmsKeyId"] = given.pop("KmsKeyId")
    return moto_create(name, {**cfn_json, "Properties": given}, account, region, **kw)


def _json_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _role_create(
    moto_create: MotoCreate,
    name: str,
    cfn_json: dict[str, Any],
    account: str,
    region: str,
    **kw: Any,
) -> Resource:
    """moto's role with its ``ManagedPolicyArns`` attached (an unknown one fails, as in AWS)
    and its inline ``Policies`` as JSON text, which ``GetRolePolicy`` returns."""
    given = props(cfn_json)
    given["Policies"] = [
        {**p, "PolicyDocument": _json_text(p["PolicyDocument"])}
        for p in given.get("Policies") or []
    ]
    role = moto_create(name, {**cfn_json, "Properties": given}, account, region, **kw)
    iam = moto.iam(account, region)
    for arn in props(cfn_json).get("ManagedPolicyArns") or []:
        moto.load_aws_managed_policy(account, region, str(arn))
        iam.attach_role_policy(str(arn), role.name)
    return role


def _role_delete(role: Any, account: str, region: str) -> None:
    """CloudFormation detaches a role's managed policies before deleting it."""
    iam = moto.iam(account, region)
    for arn in list(role.managed_policies):
        iam.detach_role_policy(arn, role.name)
    moto.delete_as_moto("AWS::IAM::Role", role.name, account, region)


MODEL_PATCHES: dict[str, ModelPatch] = {
    "AWS::EC2::SecurityGroup": ModelPatch(create=_security_group_create),
    "AWS::IAM::Role": ModelPatch(create=_role_create, delete=_role_delete),
    "AWS::EC2::SecurityGroupIngress": ModelPatch(create=_ingress_create, delete=_ingress_delete),
    "AWS::Logs::LogGroup": ModelPatch(create=_log_group_create),
}
