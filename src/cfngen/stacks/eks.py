"""EKS stack: the cluster control plane and one managed node group."""

from __future__ import annotations

from troposphere import GetAtt, Template, eks

from cfngen.config import Config
from cfngen.contracts import EksOut, IamOut, NetworkOut
from cfngen.stacks.common import add_output, add_parameter, new_template

ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"


def _cluster(cfg: Config, subnets: object, role: object) -> eks.Cluster:
    return eks.Cluster(
        "Cluster",
        Name=cfg.prefix,
        Version=cfg.eks.version,
        RoleArn=role,
        ResourcesVpcConfig=eks.ResourcesVpcConfig(
            SubnetIds=subnets,
            EndpointPublicAccess=True,
            EndpointPrivateAccess=True,
        ),
        AccessConfig=eks.AccessConfig(
            AuthenticationMode="API_AND_CONFIG_MAP",
            BootstrapClusterCreatorAdminPermissions=True,
        ),
    )


def _node_group(cfg: Config, cluster: eks.Cluster, subnets: object, role: object) -> eks.Nodegroup:
    ng = cfg.eks.node_group
    return eks.Nodegroup(
        "NodeGroup",
        ClusterName=cluster.ref(),
        NodeRole=role,
        Subnets=subnets,
        AmiType="AL2023_x86_64_STANDARD",
        CapacityType="ON_DEMAND",
        InstanceTypes=list(ng.instance_types),
        DiskSize=ng.disk_size,
        ScalingConfig=eks.ScalingConfig(
            MinSize=ng.min_size, MaxSize=ng.max_size, DesiredSize=ng.desired_size
        ),
        UpdateConfig=eks.UpdateConfig(MaxUnavailable=1),
    )


def build(cfg: Config) -> Template:
    t = new_template(cfg, "EKS cluster and managed node group")
    subnets = add_parameter(
        t,
        NetworkOut.PUBLIC_SUBNET_IDS,
        "List<AWS::EC2::Subnet::Id>",
        "Subnets (one per AZ) for the cluster and its nodes",
    )
    cluster_role = add_parameter(
        t,
        IamOut.EKS_CLUSTER_ROLE_ARN,
        "String",
        "ARN of the EKS cluster role",
        AllowedPattern=ROLE_ARN_PATTERN,
    )
    node_role = add_parameter(
        t,
        IamOut.EKS_NODE_ROLE_ARN,
        "String",
        "ARN of the EKS node role",
        AllowedPattern=ROLE_ARN_PATTERN,
    )
    cluster = t.add_resource(_cluster(cfg, subnets.ref(), cluster_role.ref()))
    node_group = t.add_resource(_node_group(cfg, cluster, subnets.ref(), node_role.ref()))
    add_output(t, EksOut.CLUSTER_NAME, cluster.ref(), "Name of the EKS cluster")
    add_output(t, EksOut.ENDPOINT, GetAtt(cluster, "Endpoint"), "Kubernetes API endpoint")
    add_output(
        t,
        EksOut.CERTIFICATE_AUTHORITY_DATA,
        GetAtt(cluster, "CertificateAuthorityData"),
        "Base64 CA certificate of the Kubernetes API (for kubeconfig)",
    )
    add_output(
        t,
        EksOut.CLUSTER_SECURITY_GROUP_ID,
        GetAtt(cluster, "ClusterSecurityGroupId"),
        "Security group EKS created for the cluster",
    )
    add_output(
        t,
        EksOut.NODE_GROUP_NAME,
        GetAtt(node_group, "NodegroupName"),
        "Name of the managed node group",
    )
    return t
