"""Resource types moto has no CloudFormation model for, filled for the production layout.

Where moto has a service backend the resource is created there, so its own API
shows it (IAM OIDC provider, Application Auto Scaling targets and policies, the
S3 bucket policy, security-group egress rules). Where it has none (EKS add-ons
and access entries) the placeholder checks what CloudFormation would check
first - the cluster exists - and answers the attributes templates consume; add-ons
are also recorded for the EKS API (:mod:`cfngen.emulator.eks_addons`).
Custom resources are answered SUCCESS without invoking the handler: moto would
run the Lambda in Docker, which a rehearsal neither has nor should need. The
handler's code is therefore never executed in a rehearsal.

Registered by :func:`cfngen.emulator.engine.install` (see ``FILLED_TYPES``).
"""

from __future__ import annotations

import json
from typing import Any

from cfngen.emulator import eks_addons
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.model_base import EmulatedModel, fake_id, props
from cfngen.emulator.moto_adapter import MotoModel


class Filled(EmulatedModel, MotoModel):
    """Shared plumbing: a physical id, attributes from a dict, update = re-create in place."""

    TYPE = "Cfngen::Emulator::Filled"

    def __init__(
        self, physical_id: str, attributes: dict[str, Any], memo: dict[str, Any] | None = None
    ) -> None:
        self._physical_id = physical_id
        self.attributes = attributes
        self.memo = memo or {}  # what a delete needs besides the physical id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        """moto's entry point, once: each type implements ``make`` on the plain properties."""
        return cls.make(resource_name, props(cloudformation_json), account_id, region_name)

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> Filled:
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
    def update_from_cloudformation_json(
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


class CustomResource(Filled):
    """``AWS::CloudFormation::CustomResource`` / ``Custom::*``: SUCCESS, handler not run.

    The ServiceToken must name a Lambda function moto holds (CloudFormation
    fails the resource otherwise); ``Fn::GetAtt`` on the handler's ``Data`` keys
    yields placeholders, because no handler ran to return them.
    """

    TYPE = "AWS::CloudFormation::CustomResource"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return f"{self._physical_id}.{attribute_name}"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> CustomResource:
        token = str(props.get("ServiceToken") or "")
        if ":lambda:" in token:
            moto.lambda_function_exists(account_id, region_name, token)
        elif ":sns:" not in token:
            raise ValueError(f"ServiceToken must be a Lambda function or SNS topic ARN: {token!r}")
        return cls(f"{resource_name}-{fake_id(token, resource_name)}", {})

    def delete(self, account_id: str, region_name: str) -> None:
        return None  # the Delete request would go to the handler, which is not run


class OidcProvider(Filled):
    """``AWS::IAM::OIDCProvider`` in moto's IAM (``list-open-id-connect-providers`` shows it)."""

    TYPE = "AWS::IAM::OIDCProvider"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> OidcProvider:
        iam = moto.iam(account_id, region_name)
        provider = iam.create_open_id_connect_provider(
            url=props["Url"],
            thumbprint_list=list(props.get("ThumbprintList") or []),
            client_id_list=list(props.get("ClientIdList") or []),
            tags=list(props.get("Tags") or []),
        )
        return cls(provider.arn, {"Arn": provider.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        moto.iam(account_id, region_name).delete_open_id_connect_provider(self._physical_id)


def _autoscaling(account_id: str, region_name: str) -> Any:
    return moto.application_autoscaling(account_id, region_name)


class ScalableTarget(Filled):
    """``AWS::ApplicationAutoScaling::ScalableTarget`` registered in moto (checks the service).

    The physical id is CloudFormation's ``resource|dimension|namespace``, which
    a scaling policy's ``ScalingTargetId`` carries.
    """

    TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"

    @classmethod
    def make(
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


class ScalingPolicy(Filled):
    """``AWS::ApplicationAutoScaling::ScalingPolicy`` put in moto on its scalable target."""

    TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"

    @classmethod
    def make(
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
        key = {
            "name": policy.policy_name,
            "namespace": namespace,
            "resource_id": resource_id,
            "dimension": dimension,
        }
        return cls(policy.policy_arn, {"Arn": policy.policy_arn}, key)

    def delete(self, account_id: str, region_name: str) -> None:
        name, namespace = self.memo["name"], self.memo["namespace"]
        resource_id, dimension = self.memo["resource_id"], self.memo["dimension"]
        backend = _autoscaling(account_id, region_name)
        key = f"{namespace}\t{resource_id}\t{dimension}\t{name}"
        if key in backend.policies:
            backend.delete_scaling_policy(name, namespace, resource_id, dimension)


class BucketPolicy(Filled):
    """``AWS::S3::BucketPolicy`` put on the bucket in moto (``get-bucket-policy`` shows it)."""

    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> BucketPolicy:
        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        s3 = moto.s3(account_id, region_name)
        s3.put_bucket_policy(props["Bucket"], text.encode())
        return cls(str(props["Bucket"]), {})

    def delete(self, account_id: str, region_name: str) -> None:
        s3 = moto.s3(account_id, region_name)
        if self._physical_id in s3.buckets:
            s3.delete_bucket_policy(self._physical_id)


class SecurityGroupEgress(Filled):
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
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> SecurityGroupEgress:
        rule = cls._rule(props)
        rules, _ = moto.ec2(account_id, region_name).authorize_security_group_egress(**rule)
        return cls(rules[0].id, {"Id": rules[0].id}, rule)

    def delete(self, account_id: str, region_name: str) -> None:
        ec2 = moto.ec2(account_id, region_name)
        if ec2.get_security_group_by_name_or_id(self.memo["group_name_or_id"]) is not None:
            ec2.revoke_security_group_egress(**self.memo)


def _eks_cluster(account_id: str, region_name: str, name: str) -> Any:
    """The cluster from moto's EKS backend; CloudFormation fails the resource without one."""
    cluster = moto.eks(account_id, region_name).clusters.get(name)
    if cluster is None:
        raise ValueError(f"No cluster found for name: {name}.")
    return cluster


class EksAddon(Filled):
    """``AWS::EKS::Addon`` (moto's EKS has no add-ons): needs its cluster, and is recorded
    with its identity for the EKS API in :mod:`cfngen.emulator.eks_addons`."""

    TYPE = "AWS::EKS::Addon"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> EksAddon:
        cluster = _eks_cluster(account_id, region_name, props["ClusterName"])
        name = props["AddonName"]
        arn = (
            f"{cluster.arn.replace(':cluster/', ':addon/')}/{name}/{fake_id(cluster.arn, name)[:8]}"
        )
        eks_addons.record(account_id, region_name, cluster.arn, props, arn)
        return cls(f"{cluster.name}|{name}", {"Arn": arn})

    def delete(self, account_id: str, region_name: str) -> None:
        cluster, name = self._physical_id.split("|", 1)
        eks_addons.forget(account_id, region_name, cluster, name)


class EksPodIdentityAssociation(Filled):
    """``AWS::EKS::PodIdentityAssociation``: needs its cluster and an existing role, and is
    listed by ``eks list-pod-identity-associations`` (:mod:`cfngen.emulator.eks_addons`)."""

    TYPE = "AWS::EKS::PodIdentityAssociation"
    ATTRIBUTES = frozenset({"AssociationArn", "AssociationId"})

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> EksPodIdentityAssociation:
        cluster = _eks_cluster(account_id, region_name, props["ClusterName"])
        role = str(props["RoleArn"])
        moto.iam(account_id, region_name).get_role(role.rsplit("/", 1)[-1])  # EKS checks it
        made = eks_addons.associate(account_id, region_name, cluster.arn, props, resource_name)
        return cls(
            made.arn,
            {"AssociationArn": made.arn, "AssociationId": made.id},
            {"cluster": cluster.name, "id": made.id},
        )

    def delete(self, account_id: str, region_name: str) -> None:
        eks_addons.dissociate(account_id, region_name, self.memo["cluster"], self.memo["id"])


class EksAccessEntry(Filled):
    """``AWS::EKS::AccessEntry`` placeholder (moto's EKS has none); needs its cluster."""

    TYPE = "AWS::EKS::AccessEntry"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> EksAccessEntry:
        cluster = _eks_cluster(account_id, region_name, props["ClusterName"])
        principal = props["PrincipalArn"]
        kind = principal.split(":")[-1].split("/")[0]
        arn = (
            f"{cluster.arn.replace(':cluster/', ':access-entry/')}/{kind}/{account_id}/"
            f"{principal.split('/')[-1]}/{fake_id(cluster.arn, principal)[:8]}"
        )
        return cls(f"{cluster.name}|{principal}", {"AccessEntryArn": arn})


FILLED_TYPES: dict[str, type[MotoModel]] = {
    cls.cloudformation_type(): cls
    for cls in (
        CustomResource,
        OidcProvider,
        ScalableTarget,
        ScalingPolicy,
        BucketPolicy,
        SecurityGroupEgress,
        EksAddon,
        EksPodIdentityAssociation,
        EksAccessEntry,
    )
}
