"""Gap fills in moto's own resource models that the production layout needs.

:mod:`cfngen.emulator.models` adds types moto has no model for; this module
patches models moto *has* but that stop short of what our templates use. Each
fill is the smallest one that keeps the resource in moto's backend (visible
through its API) and answers what the templates consume:

* ``Fn::GetAtt`` on ELBv2 resources: ``LoadBalancerFullName``,
  ``CanonicalHostedZoneID``, ``SecurityGroups`` on the load balancer (moto raises
  NotImplementedError, which its parser turns into an unresolved dict) and
  every attribute of a target group (moto has none). The full names are cut
  from the ARNs, as AWS forms them; they feed the ``ALBRequestCountPerTarget``
  resource label of a request-count scaling policy.
* properties moto's own models drop: the load balancer's ``LoadBalancerAttributes``
  (access logs, idle timeout, deletion protection - stored, not enforced), the
  ECS cluster's settings and capacity-provider strategy, and the ECR
  repository's encryption / scanning (moto reads them in PascalCase and shows
  empty objects), lifecycle policy and repository policy.
* ``AWS::KMS::Key``: moto stores ``KeyPolicy`` as the template's object, so
  ``GetKeyPolicy`` fails; it is stored as JSON text, as the API returns it. A
  deleted key is scheduled for deletion after ``PendingWindowInDays`` (moto
  would drop it at once), so ``describe-key`` shows ``PendingDeletion``.
* the types in :mod:`cfngen.emulator.fill_types` (custom resources, OIDC
  provider, Application Auto Scaling, bucket policy, security-group egress,
  EKS add-ons and access entries) are registered, and ``Custom::*`` types go to
  the custom-resource fill instead of moto's, which would invoke Lambda in Docker.

What these fills cannot prove is listed in README "Rehearsing locally".
"""

from __future__ import annotations

import json
from typing import Any

from cfngen.emulator import fill_types, models

_installed = False


# --------------------------------------------------------------------------- ELBv2 attributes

_TARGET_GROUP_ATTRS = {
    "TargetGroupArn",
    "TargetGroupFullName",
    "TargetGroupName",
    "LoadBalancerArns",
}


def _target_group_attribute(self: Any, attribute_name: str) -> Any:
    """``targetgroup/<name>/<id>`` is the ARN's resource part, as CloudWatch dimensions use it."""
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    values = {
        "TargetGroupArn": self.arn,
        "TargetGroupFullName": self.arn.split(":", 5)[5],
        "TargetGroupName": self.name,
        "LoadBalancerArns": list(self.load_balancer_arns),
    }
    if attribute_name not in values:
        raise UnformattedGetAttTemplateException()
    return values[attribute_name]


_moto_lb_attribute: Any = None


def _load_balancer_attribute(self: Any, attribute_name: str) -> Any:
    """``app/<name>/<id>`` after ``loadbalancer/`` in the ARN; the rest stays moto's."""
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attribute_name == "SecurityGroups":
        return list(self.security_groups)
    return _moto_lb_attribute(self, attribute_name)


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the service API's camelCase, recursively."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _with_properties(original: Any, apply: Any) -> Any:
    """Wrap a moto ``create_from_cloudformation_json`` to apply the properties it drops."""

    def create(
        cls: Any,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = models._props(cloudformation_json)
        made = original(resource_name, cloudformation_json, account_id, region_name, **kwargs)
        apply(made, props, account_id, region_name)
        return made

    return classmethod(create)


def _lb_attributes(lb: Any, props: dict[str, Any], account_id: str, region_name: str) -> None:
    from moto.elbv2.models import elbv2_backends

    attrs = {a["Key"]: str(a["Value"]) for a in props.get("LoadBalancerAttributes") or []}
    if attrs:
        elbv2_backends[account_id][region_name].modify_load_balancer_attributes(lb.arn, attrs)


def _install_elbv2() -> None:
    global _moto_lb_attribute
    from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup

    FakeLoadBalancer.create_from_cloudformation_json = _with_properties(  # type: ignore[method-assign]
        FakeLoadBalancer.create_from_cloudformation_json, _lb_attributes
    )
    _moto_lb_attribute = FakeLoadBalancer.get_cfn_attribute
    FakeLoadBalancer.get_cfn_attribute = _load_balancer_attribute  # type: ignore[method-assign]
    FakeTargetGroup.has_cfn_attr = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, attr: attr in _TARGET_GROUP_ATTRS
    )
    FakeTargetGroup.get_cfn_attribute = _target_group_attribute  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- ECS, ECR


def _ecs_cluster_create(
    cls: Any,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """moto's ECS cluster from every property, not only the name."""
    from moto.ecs.models import ecs_backends

    props = models._props(cloudformation_json)
    return ecs_backends[account_id][region_name].create_cluster(
        cluster_name=resource_name,
        tags=_camel(props.get("Tags")),
        cluster_settings=_camel(props.get("ClusterSettings")),
        configuration=_camel(props.get("Configuration")),
        capacity_providers=props.get("CapacityProviders"),
        default_capacity_provider_strategy=_camel(props.get("DefaultCapacityProviderStrategy")),
    )


def _ecr_policies(repo: Any, props: dict[str, Any], account_id: str, region_name: str) -> None:
    from moto.ecr.models import ecr_backends

    ecr = ecr_backends[account_id][region_name]
    lifecycle = (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if lifecycle:
        ecr.put_lifecycle_policy(repo.registry_id, repo.name, lifecycle)
    policy = props.get("RepositoryPolicyText")
    if policy:
        text = policy if isinstance(policy, str) else json.dumps(policy)
        ecr.set_repository_policy(repo.registry_id, repo.name, text)


def _install_ecs_ecr() -> None:
    from moto.ecr.models import Repository
    from moto.ecs.models import Cluster

    Cluster.create_from_cloudformation_json = classmethod(_ecs_cluster_create)  # type: ignore[method-assign,assignment]
    moto_repo_create = Repository.create_from_cloudformation_json

    def repo_create(
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = dict(models._props(cloudformation_json))
        for key in ("EncryptionConfiguration", "ImageScanningConfiguration"):
            if key in props:
                props[key] = _camel(props[key])
        template = {**cloudformation_json, "Properties": props}
        return moto_repo_create(resource_name, template, account_id, region_name, **kwargs)

    Repository.create_from_cloudformation_json = _with_properties(  # type: ignore[method-assign]
        repo_create, _ecr_policies
    )


# --------------------------------------------------------------------------- KMS keys

_moto_key_create: Any = None


def _key_create(
    cls: Any,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """moto's key with the policy as JSON text and the pending window remembered."""
    props = models._props(cloudformation_json)
    policy = props.get("KeyPolicy")
    if policy is not None and not isinstance(policy, str):
        props = {**props, "KeyPolicy": json.dumps(policy)}
    template = {**cloudformation_json, "Properties": props}
    key = _moto_key_create(resource_name, template, account_id, region_name, **kwargs)
    key.cfngen_pending_window = int(props.get("PendingWindowInDays", 30))
    return key


def _key_delete(self: Any, account_id: str, region_name: str) -> None:
    """CloudFormation schedules a key's deletion; it never removes the key at once."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys:
        backend.schedule_key_deletion(self.id, getattr(self, "cfngen_pending_window", 30))


def _install_kms() -> None:
    global _moto_key_create
    from moto.kms.models import Key

    _moto_key_create = Key.create_from_cloudformation_json
    Key.create_from_cloudformation_json = classmethod(_key_create)  # type: ignore[method-assign,assignment]
    Key.delete = _key_delete  # type: ignore[method-assign]


# --------------------------------------------------------------------------- types


def _install_types() -> None:
    """Register the filled types the way ``engine.install`` registers ``EMULATED_TYPES``."""
    from moto.cloudformation import parsing

    models.EMULATED_TYPES.update(fill_types.FILLED_TYPES)
    parsing.get_model_map().update(fill_types.FILLED_TYPES)
    engine_class_from_type = parsing.resource_class_from_type

    def class_from_type(resource_type: str) -> Any:
        if resource_type.startswith("Custom::"):
            return fill_types.CustomResource
        return engine_class_from_type(resource_type)

    parsing.resource_class_from_type = class_from_type


# --------------------------------------------------------------------------- install


def install() -> None:
    """Patch moto's models once per process; idempotent. Called by ``engine.install``."""
    global _installed
    if _installed:
        return
    _installed = True
    _install_elbv2()
    _install_ecs_ecr()
    _install_kms()
    _install_types()
