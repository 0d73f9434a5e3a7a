"""Resource types moto has no CloudFormation model for, filled for the production layout.

Where moto has a service backend the resource is created there, so its own API
shows it (IAM OIDC provider, Application Auto Scaling targets and policies, the
S3 bucket policy, security-group egress rules). Where it has none (EKS add-ons
and access entries) the placeholder checks what CloudFormation would check
first - the cluster exists - and answers the attributes templates consume.
Custom resources are answered SUCCESS without invoking the handler: moto would
run the Lambda in Docker, which a rehearsal neither has nor should need. The
handler's code is therefore never executed in a rehearsal.

Registered by :func:`cfngen.emulator.fills.install` (see ``FILLED_TYPES``).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from cfngen.emulator.models import EmulatedModel, _fake_id, _props


class _Filled(EmulatedModel, CloudFormationModel):
    """Shared plumbing: a physical id, attributes from a dict, update = re-create in place."""

    TYPE = "Cfngen::Emulator::Filled"

    def __init__(self, physical_id: str, attributes: dict[str, Any]) -> None:
        self._physical_id = physical_id
        self.attributes = attributes

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        """moto's entry point, once: each type implements ``_create`` on the plain properties."""
        return cls._create(resource_name, _props(cloudformation_json), account_id, region_name)

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        raise NotImplementedError

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing to remove where no moto backend holds the resource (EKS add-ons, entries)."""
        return None

    def attribute_values(self) -> dict[str, Any]:
        return self.attributes

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        """Our templates update these by replacing their properties; do exactly that."""
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )


class CustomResource(_Filled):
    """``AWS::CloudFormation::CustomResource`` / ``Custom::*``: SUCCESS, handler not run.

    The ServiceToken must name a Lambda function moto holds (CloudFormation
    fails the resource otherwise); ``Fn::GetAtt`` on the handler's ``Data`` keys
    yields placeholders, because no handler ran to return them.
    """

    TYPE = "AWS::CloudFormation::CustomResource"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return f"{self._physical_id}.{attribute_name}"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> CustomResource:
        token = str(props.get("ServiceToken") or "")
        if ":lambda:" in token:
            from moto.awslambda.utils import get_backend

            get_backend(account_id, region_name).get_function(token)  # raises if missing
        elif ":sns:" not in token:
            raise ValueError(f"ServiceToken must be a Lambda function or SNS topic ARN: {token!r}")
        return cls(f"{resource_name}-{_fake_id(token, resource_name)}", {})

    def delete(self, account_id: str, region_name: str) -> None:
        return None  # the Delete request would go to the handler, which is not run


class OidcProvider(_Filled):
    """``AWS::IAM::OIDCProvider`` in moto's IAM (``list-open-id-connect-providers`` shows it)."""

    TYPE = "AWS::IAM::OIDCProvider"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> OidcProvider:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        iam = iam_backends[account_id][get_partition(region_name)]
        provider = iam.create_open_id_connect_provider(
            url=props["Url"],
            thumbprint_list=list(props.get("ThumbprintList") or []),
            client_id_list=list(props.get("ClientIdList") or []),
            tags=list(props.get("Tags") or []),
        )
        return cls(provider.arn, {"Arn": provider.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        iam_backends[account_id][get_partition(region_name)].delete_open_id_connect_provider(
            self._physical_id
        )


def _autoscaling(account_id: str, region_name: str) -> Any:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account_id][region_name]


class ScalableTarget(_Filled):
    """``AWS::ApplicationAutoScaling::ScalableTarget`` registered in moto (checks the service).

    The physical id is CloudFormation's ``resource|dimension|namespace``, which
    a scaling policy's ``ScalingTargetId`` carries.
    """

    TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> ScalableTarget:
        target = _autoscaling(account_id, region_name).register_scalable_target(
            namespace=props["ServiceNamespace"],
            r_id=props["ResourceId"],
            dimension=props["ScalableDimension"],
            min_capacity=int(props["MinCapacity"]),
            max_capacity=int(props["MaxCapacity"]),
            role_arn=props.get("RoleARN") or "",
            suspended_state=props.get("SuspendedState") or {},
        )
        physical = f"{target.resource_id}|{target.scalable_dimension}|{target.service_namespace}"
        return cls(physical, {"Id": physical})

    def delete(self, account_id: str, region_name: str) -> None:
        resource_id, dimension, namespace = self._physical_id.split("|")
        backend = _autoscaling(account_id, region_name)
        if resource_id in backend.targets.get(dimension, {}):
            backend.deregister_scalable_target(namespace, resource_id, dimension)


class ScalingPolicy(_Filled):
    """``AWS::ApplicationAutoScaling::ScalingPolicy`` put in moto on its scalable target."""

    TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> ScalingPolicy:
        if props.get("ScalingTargetId"):
            resource_id, dimension, namespace = str(props["ScalingTargetId"]).split("|")
        else:
            resource_id = props["ResourceId"]
            dimension, namespace = props["ScalableDimension"], props["ServiceNamespace"]
        backend = _autoscaling(account_id, region_name)
        if resource_id not in backend.targets.get(dimension, {}):
            raise ValueError(f"No scalable target registered for {resource_id} ({dimension})")
        body = props.get("TargetTrackingScalingPolicyConfiguration") or props.get(
            "StepScalingPolicyConfiguration"
        )
        policy = backend.put_scaling_policy(
            policy_name=props["PolicyName"],
            service_namespace=namespace,
            resource_id=resource_id,
            scalable_dimension=dimension,
            policy_body=body,
            policy_type=props.get("PolicyType"),
        )
        self_ = cls(policy.policy_arn, {"Arn": policy.policy_arn})
        self_.key = (policy.policy_name, namespace, resource_id, dimension)
        return self_

    def delete(self, account_id: str, region_name: str) -> None:
        name, namespace, resource_id, dimension = self.key
        backend = _autoscaling(account_id, region_name)
        key = f"{namespace}\t{resource_id}\t{dimension}\t{name}"
        if key in backend.policies:
            backend.delete_scaling_policy(name, namespace, resource_id, dimension)


class BucketPolicy(_Filled):
    """``AWS::S3::BucketPolicy`` put on the bucket in moto (``get-bucket-policy`` shows it)."""

    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> BucketPolicy:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        s3 = s3_backends[account_id][get_partition(region_name)]
        s3.put_bucket_policy(props["Bucket"], text.encode())
        return cls(str(props["Bucket"]), {})

    def delete(self, account_id: str, region_name: str) -> None:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        s3 = s3_backends[account_id][get_partition(region_name)]
        if self._physical_id in s3.buckets:
            s3.delete_bucket_policy(self._physical_id)


class SecurityGroupEgress(_Filled):
    """``AWS::EC2::SecurityGroupEgress`` authorised on the group in moto's EC2."""

    TYPE = "AWS::EC2::SecurityGroupEgress"

    @staticmethod
    def _rule(props: dict[str, Any]) -> dict[str, Any]:
        ranges = [{"CidrIp": props["CidrIp"]}] if props.get("CidrIp") else []
        groups = (
            [{"GroupId": props["DestinationSecurityGroupId"]}]
            if props.get("DestinationSecurityGroupId")
            else []
        )
        prefixes = (
            [{"PrefixListId": props["DestinationPrefixListId"]}]
            if props.get("DestinationPrefixListId")
            else []
        )
        return {
            "group_name_or_id": props["GroupId"],
            "ip_protocol": str(props["IpProtocol"]),
            "from_port": props.get("FromPort"),
            "to_port": props.get("ToPort"),
            "ip_ranges": ranges,
            "source_groups": groups,
            "prefix_list_ids": prefixes,
        }

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> SecurityGroupEgress:
        from moto.ec2.models import ec2_backends

        rule = cls._rule(props)
        rules, _ = ec2_backends[account_id][region_name].authorize_security_group_egress(**rule)
        made = cls(rules[0].id, {"Id": rules[0].id})
        made.rule = rule
        return made

    def delete(self, account_id: str, region_name: str) -> None:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[account_id][region_name]
        if ec2.get_security_group_by_name_or_id(self.rule["group_name_or_id"]) is not None:
            ec2.revoke_security_group_egress(**self.rule)


def _eks_cluster(account_id: str, region_name: str, name: str) -> Any:
    """The cluster from moto's EKS backend; CloudFormation fails the resource without one."""
    from moto.eks.models import eks_backends

    cluster = eks_backends[account_id][region_name].clusters.get(name)
    if cluster is None:
        raise ValueError(f"No cluster found for name: {name}.")
    return cluster


class EksAddon(_Filled):
    """``AWS::EKS::Addon`` placeholder (moto's EKS has no add-ons); needs its cluster."""

    TYPE = "AWS::EKS::Addon"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> EksAddon:
        cluster = _eks_cluster(account_id, region_name, props["ClusterName"])
        name = props["AddonName"]
        arn = (
            f"{cluster.arn.replace(':cluster/', ':addon/')}/{name}/"
            f"{_fake_id(cluster.arn, name)[:8]}"
        )
        return cls(f"{cluster.name}|{name}", {"Arn": arn})


class EksAccessEntry(_Filled):
    """``AWS::EKS::AccessEntry`` placeholder (moto's EKS has none); needs its cluster."""

    TYPE = "AWS::EKS::AccessEntry"

    @classmethod
    def _create(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> EksAccessEntry:
        cluster = _eks_cluster(account_id, region_name, props["ClusterName"])
        principal = props["PrincipalArn"]
        kind = principal.split(":")[-1].split("/")[0]
        arn = (
            f"{cluster.arn.replace(':cluster/', ':access-entry/')}/{kind}/{account_id}/"
            f"{principal.split('/')[-1]}/{_fake_id(cluster.arn, principal)[:8]}"
        )
        return cls(f"{cluster.name}|{principal}", {"AccessEntryArn": arn})


FILLED_TYPES: dict[str, type[CloudFormationModel]] = {
    cls.cloudformation_type(): cls
    for cls in (
        CustomResource,
        OidcProvider,
        ScalableTarget,
        ScalingPolicy,
        BucketPolicy,
        SecurityGroupEgress,
        EksAddon,
        EksAccessEntry,
    )
}
