"""Names of every cross-stack output and parameter, defined once.

A producer stack outputs a value under one of these names and a consumer stack
declares a Parameter of the same name; the root stack wires them by name
(see :mod:`cfngen.stacks.root`). Changing a name here changes a public contract:
users' stacks and scripts read these outputs.
"""

from __future__ import annotations

from cfngen.naming import logical_id

# The tag the deployer puts on the root stack it manages (and that CloudFormation then
# propagates to every resource, so the tag quota counts it).
MANAGED_BY_TAG = "cfngen:managed-by"
# The ServiceAccount the Kubernetes manifests run the app as (every object of the base is
# named so): the eks stack's Pod Identity association names it, the manifests create it.
KUBE_APP = "app"


class Stack:
    """Logical IDs of the nested stacks in the root template, and their file names."""

    NETWORK = "Network"
    IAM = "Iam"
    ECR = "Ecr"
    ECS_ALB = "EcsAlb"
    EKS = "Eks"

    FILES = {NETWORK: "network", IAM: "iam", ECR: "ecr", ECS_ALB: "ecs-alb", EKS: "eks"}
    # The sharded layouts' stacks: EcsServices07 in ecs-services-07, Ecr03 in ecr-03.
    ECS_SHARD = "EcsServices"
    ECR_SHARD = "Ecr"

    @staticmethod
    def ecs_shard(number: int) -> str:
        return f"{Stack.ECS_SHARD}{number:02d}"

    @staticmethod
    def ecr_shard(number: int) -> str:
        return f"{Stack.ECR_SHARD}{number:02d}"

    @staticmethod
    def ecs_shard_number(lid: str) -> int | None:
        """NN of an ecs-services-NN stack's logical ID (EcsServices07 -> 7), else None."""
        rest = lid[len(Stack.ECS_SHARD) :]
        return int(rest) if lid.startswith(Stack.ECS_SHARD) and rest.isdigit() else None

    # A service group of a split platform: the top-level stack services-GG (its template
    # file stem; the stack is named <stack_name>-services-GG).
    GROUP = "services-"

    @staticmethod
    def group(number: int) -> str:
        return f"{Stack.GROUP}{number:02d}"

    @staticmethod
    def file(lid: str) -> str:
        """The file name (without extension) of a nested stack's template."""
        if lid in Stack.FILES:
            return Stack.FILES[lid]
        for prefix, name in ((Stack.ECS_SHARD, "ecs-services"), (Stack.ECR_SHARD, "ecr")):
            if lid.startswith(prefix) and lid[len(prefix) :].isdigit():
                return f"{name}-{lid[len(prefix) :]}"
        raise KeyError(lid)


class NetworkOut:
    VPC_ID = "VpcId"
    VPC_CIDR = "VpcCidr"
    PUBLIC_SUBNET_IDS = "PublicSubnetIds"
    PRIVATE_SUBNET_IDS = "PrivateSubnetIds"  # only when network.private_subnets is set
    AVAILABILITY_ZONES = "AvailabilityZones"
    LOGS_KEY_ARN = "LogsKeyArn"  # only with ecs.log_encryption: kms


class NetworkIn:
    """Parameters of the network stack that no other stack provides (they have defaults)."""

    AVAILABILITY_ZONE_NAMES = "AvailabilityZoneNames"  # only with AZs listed by name


class IamOut:
    ECS_TASK_EXECUTION_ROLE_ARN = "EcsTaskExecutionRoleArn"
    ECS_TASK_ROLE_ARN = "EcsTaskRoleArn"
    ECS_BLUE_GREEN_ROLE_ARN = "EcsBlueGreenRoleArn"  # only with a blue/green service
    ECS_LIFECYCLE_HOOK_ROLE_ARN = "EcsLifecycleHookRoleArn"  # only with lifecycle hooks
    EKS_CLUSTER_ROLE_ARN = "EksClusterRoleArn"
    EKS_NODE_ROLE_ARN = "EksNodeRoleArn"
    EKS_VPC_CNI_ROLE_ARN = "EksVpcCniRoleArn"  # eks.pod_identity (the default), not Auto Mode


class EcrOut:
    @staticmethod
    def repository_uri(repo: str) -> str:
        return f"{logical_id(repo)}RepositoryUri"

    @staticmethod
    def repository_name(repo: str) -> str:
        return f"{logical_id(repo)}RepositoryName"


class EcsAlbOut:
    ALB_DNS_NAME = "LoadBalancerDnsName"
    URL = "LoadBalancerUrl"
    CLUSTER_NAME = "EcsClusterName"
    SERVICE_CONNECT_NAMESPACE_ARN = "ServiceConnectNamespaceArn"  # with ecs.service_connect
    # ... and, in the sharded layout, the group its members join
    SERVICE_CONNECT_SECURITY_GROUP_ID = "ServiceConnectSecurityGroupId"

    @staticmethod
    def service_name(service: str) -> str:
        return f"{logical_id(service)}ServiceName"

    # Per load balancer (sharded layout): ``main`` keeps the names above, another one
    # prefixes them with its logical ID (alb-2 -> Alb2LoadBalancerDnsName).
    @staticmethod
    def prefix(load_balancer: str) -> str:
        return "" if load_balancer == "main" else logical_id(load_balancer)

    @staticmethod
    def dns_name(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}{EcsAlbOut.ALB_DNS_NAME}"

    @staticmethod
    def url(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}{EcsAlbOut.URL}"

    @staticmethod
    def listener_arn(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}ListenerArn"

    @staticmethod
    def security_group_id(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}LoadBalancerSecurityGroupId"

    @staticmethod
    def targets_security_group_id(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}TargetsSecurityGroupId"

    @staticmethod
    def full_name(load_balancer: str) -> str:
        return f"{EcsAlbOut.prefix(load_balancer)}LoadBalancerFullName"

    @staticmethod
    def test_listener_arn(load_balancer: str, port: int) -> str:
        """A load balancer's blue/green test listener on ``port`` (sharded layout)."""
        return f"{EcsAlbOut.prefix(load_balancer)}TestListener{port}Arn"


class EksOut:
    CLUSTER_NAME = "EksClusterName"
    ENDPOINT = "EksClusterEndpoint"
    CERTIFICATE_AUTHORITY_DATA = "EksCertificateAuthorityData"
    CLUSTER_SECURITY_GROUP_ID = "EksClusterSecurityGroupId"
    NODE_GROUP_NAME = "EksNodeGroupName"  # not with eks.auto_mode (no node group)
    APP_ROLE_ARN = "EksAppRoleArn"  # only with kubernetes.pod_identity
    APP_POD_IDENTITY_ASSOCIATION_ARN = "EksAppPodIdentityAssociationArn"  # same
    OIDC_PROVIDER_ARN = "EksOidcProviderArn"  # only with eks.oidc_provider
    OIDC_ISSUER_URL = "EksOidcIssuerUrl"  # only with eks.oidc_provider


class RootOut:
    """What the root stack outputs for users: a subset of the children's outputs."""

    FROM_CHILDREN = (
        (Stack.NETWORK, NetworkOut.VPC_ID),
        (Stack.ECS_ALB, EcsAlbOut.URL),
        (Stack.ECS_ALB, EcsAlbOut.ALB_DNS_NAME),
        (Stack.ECS_ALB, EcsAlbOut.CLUSTER_NAME),
        (Stack.EKS, EksOut.CLUSTER_NAME),
        (Stack.EKS, EksOut.ENDPOINT),
    )
