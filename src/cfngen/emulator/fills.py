"""Gap fills in moto's own resource models that the production layout needs.

:mod:`cfngen.emulator.models` adds types moto has no model for; this module
patches models moto *has* but that stop short of what our templates use. Each
fill is the smallest one that keeps the resource in moto's backend (visible
through its API) and answers what the templates consume; each is one
:class:`~cfngen.emulator.moto_adapter.ModelPatch` in :data:`MODEL_PATCHES`, applied
by :func:`cfngen.emulator.engine.install`:

* ``Fn::GetAtt`` on ELBv2 resources: ``LoadBalancerFullName``,
  ``CanonicalHostedZoneID``, ``SecurityGroups`` on the load balancer (moto raises
  NotImplementedError, which its parser turns into an unresolved dict) and
  every attribute of a target group (moto has none). The full names are cut
  from the ARNs, as AWS forms them; they feed the ``ALBRequestCountPerTarget``
  resource label of a request-count scaling policy.
* deletes moto's ELBv2 models skip (it has none for a target group, listener or listener
  rule, so a removed service's rule and target group stayed on the load balancer after
  ``DELETE_COMPLETE``): each goes through the ELBv2 API, which refuses a target group a
  rule still forwards to, as AWS does. Likewise the ECS cluster's delete (refused while a
  service is active in it).
* properties moto's own models drop: the load balancer's ``LoadBalancerAttributes``
  (access logs, idle timeout, deletion protection - stored, not enforced), the
  ECS cluster's settings and capacity-provider strategy, and the ECR
  repository's encryption / scanning (moto reads them in PascalCase and shows
  empty objects), lifecycle policy and repository policy.
* ``AWS::KMS::Key``: moto stores ``KeyPolicy`` as the template's object, so
  ``GetKeyPolicy`` fails; it is stored as JSON text, as the API returns it. A
  deleted key is scheduled for deletion after ``PendingWindowInDays`` (moto
  would drop it at once), so ``describe-key`` shows ``PendingDeletion``.

What these fills cannot prove is listed in README "Rehearsing locally".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.model_base import props
from cfngen.emulator.moto_adapter import ModelPatch, Resource

MotoCreate = Callable[..., Resource]

# --------------------------------------------------------------------------- ELBv2 attributes

TARGET_GROUP_ATTRS = frozenset(
    {"TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns"}
)


def _target_group_attribute(moto_attribute: Any, group: Any, name: str) -> Any:
    """``targetgroup/<name>/<id>`` is the ARN's resource part, as CloudWatch dimensions use it."""
    values = {
        "TargetGroupArn": group.arn,
        "TargetGroupFullName": group.arn.split(":", 5)[5],
        "TargetGroupName": group.name,
        "LoadBalancerArns": list(group.load_balancer_arns),
    }
    if name not in values:
        raise moto.GetAttUnsupported()
    return values[name]


def _load_balancer_attribute(moto_attribute: Any, lb: Any, name: str) -> Any:
    """``app/<name>/<id>`` after ``loadbalancer/`` in the ARN; the rest stays moto's."""
    if name == "LoadBalancerFullName":
        return lb.arn.split(":loadbalancer/", 1)[1]
    if name == "CanonicalHostedZoneID":
        return lb.canonical_hosted_zone_id
    if name == "SecurityGroups":
        return list(lb.security_groups)
    return moto_attribute(lb, name)


def _load_balancer_create(
    moto_create: MotoCreate, name: str, cfn_json: dict[str, Any], account: str, region: str,
    **kw: Any,
) -> Resource:  # fmt: skip
    """moto's load balancer, then the ``LoadBalancerAttributes`` it drops."""
    lb = moto_create(name, cfn_json, account, region, **kw)
    attrs = {a["Key"]: str(a["Value"]) for a in props(cfn_json).get("LoadBalancerAttributes") or []}
    if attrs:
        moto.elbv2(account, region).modify_load_balancer_attributes(lb.arn, attrs)
    return lb


def _listener_rule_delete(rule: Any, account_id: str, region_name: str) -> None:
    moto.elbv2(account_id, region_name).delete_rule(rule.arn)  # gone already: nothing to do


def _listener_delete(listener: Any, account_id: str, region_name: str) -> None:
    """Its rules go with it, as in ELBv2; a listener its deleted load balancer took is gone."""
    backend = moto.elbv2(account_id, region_name)
    lb = backend.load_balancers.get(listener.load_balancer_arn)
    if lb is not None and listener.arn in lb.listeners:
        backend.delete_listener(listener.arn)


def _target_group_delete(group: Any, account_id: str, region_name: str) -> None:
    """ELBv2's DeleteTargetGroup: refused while a listener or rule forwards to it."""
    backend = moto.elbv2(account_id, region_name)
    if group.arn in backend.target_groups:
        backend.delete_target_group(group.arn)


# --------------------------------------------------------------------------- ECS, ECR


def camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the service API's camelCase, recursively."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def _ecs_cluster_create(
    moto_create: MotoCreate, name: str, cfn_json: dict[str, Any], account: str, region: str,
    **kw: Any,
) -> Resource:  # fmt: skip
    """moto's ECS cluster from every property, not only the name."""
    given = props(cfn_json)
    return moto.ecs(account, region).create_cluster(
        cluster_name=name,
        tags=camel(given.get("Tags")),
        cluster_settings=camel(given.get("ClusterSettings")),
        configuration=camel(given.get("Configuration")),
        capacity_providers=given.get("CapacityProviders"),
        default_capacity_provider_strategy=camel(given.get("DefaultCapacityProviderStrategy")),
    )


def _ecs_cluster_delete(cluster: Any, account_id: str, region_name: str) -> None:
    """ECS's DeleteCluster (moto has no CloudFormation delete): refused while a service is
    active in it; the cluster then stays INACTIVE, out of ListClusters."""
    backend = moto.ecs(account_id, region_name)
    busy = [s for s in backend.services.values() if s.cluster_name == cluster.name]
    if any(s.status == "ACTIVE" for s in busy):
        raise ValueError("The Cluster cannot be deleted while Services are active.")
    if cluster.status == "ACTIVE":
        backend.delete_cluster(cluster.name)


def _repository_create(
    moto_create: MotoCreate, name: str, cfn_json: dict[str, Any], account: str, region: str,
    **kw: Any,
) -> Resource:  # fmt: skip
    """moto's repository with encryption and scanning in the API's case, then its policies."""
    given = props(cfn_json)
    for key in ("EncryptionConfiguration", "ImageScanningConfiguration"):
        if key in given:
            given[key] = camel(given[key])
    repo = moto_create(name, {**cfn_json, "Properties": given}, account, region, **kw)
    ecr = moto.ecr(account, region)
    lifecycle = (given.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if lifecycle:
        ecr.put_lifecycle_policy(repo.registry_id, repo.name, lifecycle)
    policy = given.get("RepositoryPolicyText")
    if policy:
        text = policy if isinstance(policy, str) else json.dumps(policy)
        ecr.set_repository_policy(repo.registry_id, repo.name, text)
    return repo


# --------------------------------------------------------------------------- KMS keys

PENDING_WINDOWS: dict[str, int] = {}  # key id -> PendingWindowInDays from its template


def _key_create(
    moto_create: MotoCreate, name: str, cfn_json: dict[str, Any], account: str, region: str,
    **kw: Any,
) -> Resource:  # fmt: skip
    """moto's key with the policy as JSON text and the pending window remembered."""
    given = props(cfn_json)
    policy = given.get("KeyPolicy")
    if policy is not None and not isinstance(policy, str):
        given["KeyPolicy"] = json.dumps(policy)
    key = moto_create(name, {**cfn_json, "Properties": given}, account, region, **kw)
    PENDING_WINDOWS[key.id] = int(given.get("PendingWindowInDays", 30))
    return key


def _key_delete(key: Any, account_id: str, region_name: str) -> None:
    """CloudFormation schedules a key's deletion; it never removes the key at once."""
    backend = moto.kms(account_id, region_name)
    if key.id in backend.keys:
        backend.schedule_key_deletion(key.id, PENDING_WINDOWS.pop(key.id, 30))


MODEL_PATCHES: dict[str, ModelPatch] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ModelPatch(
        create=_load_balancer_create, attribute=_load_balancer_attribute
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ModelPatch(
        delete=_target_group_delete,
        attribute=_target_group_attribute,
        attributes=TARGET_GROUP_ATTRS,
    ),
    "AWS::ElasticLoadBalancingV2::Listener": ModelPatch(delete=_listener_delete),
    "AWS::ElasticLoadBalancingV2::ListenerRule": ModelPatch(delete=_listener_rule_delete),
    "AWS::ECS::Cluster": ModelPatch(create=_ecs_cluster_create, delete=_ecs_cluster_delete),
    "AWS::ECR::Repository": ModelPatch(create=_repository_create),
    "AWS::KMS::Key": ModelPatch(create=_key_create, delete=_key_delete),
}
