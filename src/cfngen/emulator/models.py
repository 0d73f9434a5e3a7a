"""CloudFormation resource models moto lacks, backed by moto's own service backends.

moto finds models through ``CloudFormationModel.__subclasses__()``, so these
classes must be importable from a dotted module (this one) and registered
after import: :func:`cfngen.emulator.engine.install` clears moto's cached model
map and points the types below at these classes.
"""

from __future__ import annotations

from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.model_base import EmulatedModel, fake_id, props, tag_map
from cfngen.emulator.moto_adapter import MotoModel, Stack
from cfngen.emulator.stack_ops import create_nested, delete_nested, update_nested


class MissingOutput(ValueError):
    """``Fn::GetAtt Child.Outputs.Name`` of an output the child does not have (yet)."""


class NestedStack(EmulatedModel, MotoModel):
    """``AWS::CloudFormation::Stack`` that updates in place and answers ``Outputs.X``.

    moto's own model deletes and recreates a nested stack on every update and
    cannot resolve ``Fn::GetAtt Child.Outputs.Name``; both matter for nested
    templates wired by output name.
    """

    TYPE = "AWS::CloudFormation::Stack"

    def __init__(self, stack: Stack, logical_id: str) -> None:
        self.stack = stack
        self.logical_id = logical_id

    @property
    def physical_resource_id(self) -> str:
        return str(self.stack.stack_id)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name.startswith("Outputs."):
            key = attribute_name.removeprefix("Outputs.")
            try:
                value = moto.output_value(self.stack, key)
            except KeyError:
                raise MissingOutput(f"Output {key} not found in stack {self.stack.name}") from None
            return ",".join(map(str, value)) if isinstance(value, list) else value
        raise ValueError(f"Unsupported attribute {attribute_name} of AWS::CloudFormation::Stack")

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> NestedStack:
        given = props(cloudformation_json)
        logical_id = str(kwargs["LogicalId"])
        stack = create_nested(
            account_id,
            region_name,
            name=resource_name,
            logical_id=logical_id,
            parent_id=kwargs["StackId"],
            template_url=given["TemplateURL"],
            parameters={k: str(v) for k, v in (given.get("Parameters") or {}).items()},
            tags=tag_map(given.get("Tags")),
        )
        return cls(stack, logical_id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: NestedStack,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> NestedStack:
        given = props(cloudformation_json)
        update_nested(
            original_resource.stack,
            logical_id=original_resource.logical_id,
            template_url=given["TemplateURL"],
            parameters={k: str(v) for k, v in (given.get("Parameters") or {}).items()},
        )
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        delete_nested(account_id, region_name, self.stack.stack_id)


class EksCluster(EmulatedModel, MotoModel):
    """``AWS::EKS::Cluster`` created in moto's EKS backend, so the EKS API sees it."""

    TYPE = "AWS::EKS::Cluster"
    NAME_TYPE = "Name"
    ATTRIBUTES = frozenset(
        {
            "Arn",
            "Endpoint",
            "CertificateAuthorityData",
            "ClusterSecurityGroupId",
            "EncryptionConfigKeyArn",
            "OpenIdConnectIssuerUrl",
            "KubernetesNetworkConfig.ServiceIpv4Cidr",
            "Id",
        }
    )

    def __init__(self, cluster: Any, region_name: str) -> None:
        self.cluster = cluster
        self.region_name = region_name

    @property
    def physical_resource_id(self) -> str:
        return str(self.cluster.name)

    def attribute_values(self) -> dict[str, Any]:
        c = self.cluster
        return {
            "Arn": c.arn,
            "Endpoint": c.endpoint,
            "CertificateAuthorityData": c.certificate_authority["data"],
            "ClusterSecurityGroupId": (c.resources_vpc_config or {}).get("clusterSecurityGroupId"),
            "EncryptionConfigKeyArn": next(
                (e["provider"]["keyArn"] for e in c.encryption_config or []), ""
            ),
            "OpenIdConnectIssuerUrl": c.identity["oidc"]["issuer"],
            "KubernetesNetworkConfig.ServiceIpv4Cidr": "172.20.0.0/16",
            "Id": c.name,
        }

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EksCluster:
        given = props(cloudformation_json)
        vpc = given.get("ResourcesVpcConfig") or {}
        name = given.get("Name") or resource_name
        vpc_config = {
            "subnetIds": list(vpc.get("SubnetIds") or []),
            "securityGroupIds": list(vpc.get("SecurityGroupIds") or []),
            "endpointPublicAccess": bool(vpc.get("EndpointPublicAccess", True)),
            "endpointPrivateAccess": bool(vpc.get("EndpointPrivateAccess", False)),
            "publicAccessCidrs": list(vpc.get("PublicAccessCidrs") or ["0.0.0.0/0"]),
            "clusterSecurityGroupId": "sg-" + fake_id(account_id, region_name, name),
        }
        cluster = moto.eks(account_id, region_name).create_cluster(
            name=name,
            role_arn=given["RoleArn"],
            resources_vpc_config=vpc_config,
            version=given.get("Version"),
            logging=cls._logging(given.get("Logging")),
            encryption_config=[
                {"resources": list(e.get("Resources") or []), "provider": {"keyArn": key}}
                for e in given.get("EncryptionConfig") or []
                if (key := (e.get("Provider") or {}).get("KeyArn"))
            ],
            tags=tag_map(given.get("Tags")),
        )
        access = given.get("AccessConfig") or {}
        mode = access.get("AuthenticationMode", "CONFIG_MAP")
        moto.show(cluster, access_config={"authenticationMode": mode})  # moto has none
        cls._auto_mode(cluster, given)
        return cls(cluster, region_name)

    @staticmethod
    def _auto_mode(cluster: Any, given: dict[str, Any]) -> None:
        """EKS Auto Mode's three capabilities as ``describe-cluster`` shows them, after the
        checks EKS makes: all three on or all off, no self-managed add-ons bootstrapped,
        built-in node pools only and with a node role, access entries in use."""
        compute = given.get("ComputeConfig") or {}
        storage = (given.get("StorageConfig") or {}).get("BlockStorage") or {}
        network = given.get("KubernetesNetworkConfig") or {}
        balancing = network.get("ElasticLoadBalancing") or {}
        flags = [bool(compute.get("Enabled")), bool(storage.get("Enabled"))]
        flags.append(bool(balancing.get("Enabled")))
        if any(flags) and not all(flags):
            raise ValueError(
                "EKS Auto Mode needs compute, block storage and load balancing enabled together"
            )
        if all(flags):
            if given.get("BootstrapSelfManagedAddons", True):
                raise ValueError("EKS Auto Mode needs BootstrapSelfManagedAddons set to false")
            pools = list(compute.get("NodePools") or [])
            unknown = sorted(set(pools) - {"general-purpose", "system"})
            if unknown:
                raise ValueError(f"Unknown built-in node pools: {', '.join(unknown)}")
            if pools and not compute.get("NodeRoleArn"):
                raise ValueError("Built-in node pools need ComputeConfig.NodeRoleArn")
            if cluster.access_config["authenticationMode"] == "CONFIG_MAP":
                raise ValueError("EKS Auto Mode needs access entries (authentication mode API)")
        shown: dict[str, Any] = {"enabled": flags[0]}
        if compute.get("NodePools"):
            shown["nodePools"] = list(compute["NodePools"])
        if compute.get("NodeRoleArn"):
            shown["nodeRoleArn"] = compute["NodeRoleArn"]
        moto.show(
            cluster,
            compute_config=shown,
            storage_config={"blockStorage": {"enabled": flags[1]}},
            kubernetes_network_config={
                **cluster.kubernetes_network_config,
                "elasticLoadBalancing": {"enabled": flags[2]},
            },
        )

    @staticmethod
    def _logging(logging: dict[str, Any] | None) -> dict[str, Any] | None:
        """CloudFormation's ``EnabledTypes`` as the API's enabled / disabled type lists."""
        if not logging:
            return None
        types = (logging.get("ClusterLogging") or {}).get("EnabledTypes") or []
        enabled = [t["Type"] for t in types]
        every = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
        disabled = [t for t in every if t not in enabled]
        entries = [{"types": enabled, "enabled": True}] if enabled else []
        entries += [{"types": disabled, "enabled": False}] if disabled else []
        return {"clusterLogging": entries}

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: EksCluster,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EksCluster:
        given = props(cloudformation_json)
        if given.get("Version"):
            original_resource.cluster.version = given["Version"]
        cls._auto_mode(original_resource.cluster, given)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = moto.eks(account_id, region_name)
        if self.cluster.name in backend.clusters:
            backend.delete_cluster(self.cluster.name)


class EksNodegroup(EmulatedModel, MotoModel):
    """``AWS::EKS::Nodegroup`` in moto's EKS backend; scaling updates apply in place."""

    TYPE = "AWS::EKS::Nodegroup"
    NAME_TYPE = "NodegroupName"
    ATTRIBUTES = frozenset({"Arn", "ClusterName", "NodegroupName", "Id"})

    def __init__(self, nodegroup: Any) -> None:
        self.nodegroup = nodegroup

    @property
    def physical_resource_id(self) -> str:
        return f"{self.nodegroup.cluster_name}/{self.nodegroup.nodegroup_name}"

    def attribute_values(self) -> dict[str, Any]:
        ng = self.nodegroup
        return {
            "Arn": ng.arn,
            "ClusterName": ng.cluster_name,
            "NodegroupName": ng.nodegroup_name,
            "Id": self.physical_resource_id,
        }

    @staticmethod
    def _scaling(given: dict[str, Any]) -> dict[str, int] | None:
        sc = given.get("ScalingConfig")
        if not sc:
            return None
        keys = {"MinSize": "minSize", "MaxSize": "maxSize", "DesiredSize": "desiredSize"}
        return {v: int(sc[k]) for k, v in keys.items() if k in sc}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EksNodegroup:
        given = props(cloudformation_json)
        tags = given.get("Tags") or {}
        ng = moto.eks(account_id, region_name).create_nodegroup(
            cluster_name=given["ClusterName"],
            node_role=given["NodeRole"],
            nodegroup_name=given.get("NodegroupName") or resource_name,
            subnets=list(given.get("Subnets") or []),
            scaling_config=cls._scaling(given),
            disk_size=given.get("DiskSize"),
            instance_types=given.get("InstanceTypes"),
            ami_type=given.get("AmiType"),
            labels=given.get("Labels"),
            tags=tags if isinstance(tags, dict) else None,
            capacity_type=given.get("CapacityType"),
            version=given.get("Version"),
            launch_template=cls._launch_template(given.get("LaunchTemplate")),
        )
        return cls(ng)

    @staticmethod
    def _launch_template(spec: dict[str, Any] | None) -> dict[str, str] | None:
        """``LaunchTemplate: {Id|Name, Version}`` as the API's lower-case keys."""
        if not spec:
            return None
        keys = {"Id": "id", "Name": "name", "Version": "version"}
        return {v: str(spec[k]) for k, v in keys.items() if spec.get(k) is not None}

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: EksNodegroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EksNodegroup:
        given = props(cloudformation_json)
        scaling = cls._scaling(given)
        if scaling:
            original_resource.nodegroup.scaling_config = scaling
        if given.get("InstanceTypes"):
            original_resource.nodegroup.instance_types = given["InstanceTypes"]
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = moto.eks(account_id, region_name)
        cluster = backend.clusters.get(self.nodegroup.cluster_name)
        if cluster and self.nodegroup.nodegroup_name in cluster.nodegroups:
            backend.delete_nodegroup(self.nodegroup.cluster_name, self.nodegroup.nodegroup_name)


class GenericResource(EmulatedModel, MotoModel):
    """Any other type moto cannot model: accepted with a stable fake id and echoing attributes.

    A rehearsal proves such a resource is wired (its inputs resolve, its outputs
    are consumed) but nothing about the service behind it.
    """

    TYPE = "Cfngen::Emulator::Generic"

    def __init__(
        self, resource_type: str, logical_id: str, properties: dict[str, Any], arn: str
    ) -> None:
        self.resource_type = resource_type
        self.props = properties
        self.arn = arn
        self._id = f"{logical_id.lower()}-{fake_id(arn)}"

    @property
    def physical_resource_id(self) -> str:
        return self._id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in ("Arn", f"{self.resource_type.split('::')[-1]}Arn"):
            return self.arn
        if attribute_name in self.props and isinstance(self.props[attribute_name], str):
            return self.props[attribute_name]
        return f"{self._id}.{attribute_name}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> GenericResource:
        rtype = kwargs.get("ResourceType") or cloudformation_json.get("Type", "AWS::Unknown::Type")
        service = rtype.split("::")[1].lower()
        kind = rtype.split("::")[-1].lower()
        arn = f"arn:aws:{service}:{region_name}:{account_id}:{kind}/{resource_name}"
        return cls(rtype, kwargs.get("LogicalId", resource_name), props(cloudformation_json), arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: GenericResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> GenericResource:
        original_resource.props = props(cloudformation_json)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        return None


EMULATED_TYPES: dict[str, type[MotoModel]] = {
    NestedStack.cloudformation_type(): NestedStack,
    EksCluster.cloudformation_type(): EksCluster,
    EksNodegroup.cloudformation_type(): EksNodegroup,
}
