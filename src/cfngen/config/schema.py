"""The config schema: frozen dataclasses, the single description of the config file.

The loader (:mod:`cfngen.config.typed_load`) walks their type hints, so adding a key is
adding a field (with a default and a ``doc``), and the README's config reference is
checked against them by a test. Semantic rules (CIDRs, names, Fargate sizes ...) live in
the ``validate*`` modules beside this one; :mod:`cfngen.config` loads and validates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cfngen.config import eks_versions
from cfngen.config.typed_load import doc, doc_factory

PRIORITY_STEP = 10  # listener rule priority of the n-th service when none is given: 10 x n
# What the Kubernetes manifests run until the user points them at a pushed image: a public
# image (no registry login, no Docker Hub rate limits) that starts under the hardened pod
# spec of the base: it runs as any non-root user, writes only to /tmp (the base mounts an
# emptyDir there; the root filesystem is read-only) and listens on 8080.
KUBE_PUBLIC_IMAGE = "public.ecr.aws/nginx/nginx-unprivileged"
KUBE_PUBLIC_TAG = "1.29-alpine"
KUBE_PUBLIC_PORT = 8080
# The seed's ECS service runs the same image, so that it starts before anything is pushed
# and under the hardened task definition: a non-root user (the image's nginx, UID 101), a
# read-only root file system with only /tmp writable (its pid file and caches live there).
SEED_ECS_IMAGE = KUBE_PUBLIC_IMAGE
SEED_ECS_TAG = KUBE_PUBLIC_TAG
SEED_ECS_USER = "101"
# Namespaces the app must not take; a config whose name is one of them gets another.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


@dataclass(frozen=True)
class FlowLogsConfig:
    """VPC flow logs to CloudWatch Logs (`network.flow_logs`)."""

    enabled: bool = doc("Send VPC flow logs to a CloudWatch Logs group (default: off).", False)
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = doc("Which traffic to log.", "ALL")
    retention_days: int = doc("Retention of the flow log group in days.", 365)


@dataclass(frozen=True)
class NetworkConfig:
    """The VPC, its subnets and how they reach the internet (`network`)."""

    vpc_cidr: str = doc("IPv4 CIDR of the VPC.", "10.0.0.0/16")
    availability_zones: int | tuple[str, ...] = doc(
        "How many AZs to spread over (picked with Fn::GetAZs), or a list of AZ names.", 2
    )
    public_subnets: tuple[str, ...] = doc(
        "One public subnet CIDR per AZ, inside vpc_cidr.", ("10.0.1.0/24", "10.0.2.0/24")
    )
    private_subnets: tuple[str, ...] = doc(
        "One private subnet CIDR per AZ, inside vpc_cidr. When given, ECS tasks and EKS "
        "nodes run there (no public IPs). Default: none, everything in the public subnets.",
        (),
    )
    nat_gateways: Literal["none", "single", "per_az"] = doc(
        "NAT gateways giving the private subnets outbound internet: per_az (one per AZ, "
        "survives an AZ outage), single (cheaper, one AZ) or none (only without "
        "private_subnets). Ignored without private_subnets.",
        "per_az",
    )
    s3_gateway_endpoint: bool = doc(
        "With private subnets: an S3 gateway endpoint on their route tables (free; ECR "
        "image layers then bypass the NAT gateways).",
        True,
    )
    restrict_default_security_group: bool = doc(
        "Strip every rule from the VPC's default security group (a small Lambda-backed "
        "custom resource, as CDK does). Default: off.",
        False,
    )
    flow_logs: FlowLogsConfig = doc_factory("VPC flow logs.", FlowLogsConfig)


@dataclass(frozen=True)
class AlbAccessLogsConfig:
    """ALB access logs to an encrypted S3 bucket (`alb.access_logs`)."""

    enabled: bool = doc(
        "Write access logs to an S3 bucket (SSE-S3, versioned, public access blocked).", False
    )
    expire_days: int = doc("Days after which access log objects are deleted (0 = never).", 365)


@dataclass(frozen=True)
class AlbLoadBalancer:
    """A load balancer services are placed on by hand (`alb.load_balancers[]`)."""

    name: str = doc("Name (lowercase letters, digits, hyphens; at most 20; not main or alb-N).")


@dataclass(frozen=True)
class AlbConfig:
    """The internet-facing Application Load Balancer (`alb`)."""

    ingress_cidrs: tuple[str, ...] = doc(
        "CIDRs allowed to reach the load balancer's listener.", ("0.0.0.0/0",)
    )
    certificate_arn: str = doc(
        "ACM certificate ARN. Switches on an HTTPS listener on 443 and turns port 80 into a "
        "redirect to it. Default: none, plain HTTP on 80.",
        "",
    )
    ssl_policy: str = doc(
        "TLS policy of the HTTPS listener (an ELBSecurityPolicy with TLS 1.2 or newer).",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    )
    idle_timeout: int = doc("Connection idle timeout in seconds (1-4000).", 60)
    deletion_protection: bool = doc(
        "Refuse to delete the load balancer (turn on in production; off so dev can be destroyed).",
        False,
    )
    access_logs: AlbAccessLogsConfig = doc_factory(
        "Access logs to an S3 bucket created for them.", AlbAccessLogsConfig
    )
    test_ingress_cidrs: tuple[str, ...] = doc(
        "CIDRs allowed to the test listeners of blue/green services (where the new revision "
        "answers before it takes production traffic). Default: the VPC's CIDR only.",
        (),
    )
    count: int = doc(
        "Automatic load balancers (sharded layout): main, alb-2 ... alb-<count>; each routed "
        "service without load_balancer goes to one of them by a hash of its name. Raising it "
        "moves about 1/count of those services, once; adding or removing services never does.",
        1,
    )
    load_balancers: tuple[AlbLoadBalancer, ...] = doc(
        "More load balancers, by name, for ecs.services[].load_balancer (sharded layout); "
        "each has the settings above.",
        (),
    )


@dataclass(frozen=True)
class EcrRepository:
    """One ECR repository (`ecr.repositories[]`)."""

    name: str = doc("Repository name suffix; the full name is <name>-<environment>/<this>.")
    image_tag_mutability: Literal["IMMUTABLE", "MUTABLE"] = doc(
        "IMMUTABLE: a pushed tag can never point at another image.", "IMMUTABLE"
    )
    encryption: Literal["AES256", "KMS"] = doc(
        "Image encryption at rest: AES256 (S3-managed keys) or KMS.", "AES256"
    )
    kms_key_arn: str = doc(
        "With encryption KMS: the key to use; default: the AWS-managed aws/ecr key.", ""
    )
    keep_tagged: int = doc("Lifecycle: keep the newest N tagged images (0 = keep all).", 50)
    expire_untagged_days: int = doc(
        "Lifecycle: delete untagged images after this many days (0 = never).", 14
    )
    empty_on_delete: bool = doc(
        "Delete the images when the repository is deleted (only with retain.ecr_repositories "
        "false).",
        False,
    )


@dataclass(frozen=True)
class EcrConfig:
    """Container image repositories (`ecr`)."""

    repositories: tuple[EcrRepository, ...] = doc(
        "ECR repositories to create.", (EcrRepository(name="app"),)
    )
    layout: Literal["auto", "single", "sharded"] = doc(
        "single: every repository in the ecr stack; sharded: repositories hashed into "
        "ecr-NN stacks (ecr.shards). auto: sharded above 60 repositories.",
        "auto",
    )
    shards: int = doc(
        "Sharded layout: number of ecr-NN stacks repositories are hashed into (1-64). "
        "Changing it moves repositories between stacks (a replacement): choose it once.",
        8,
    )


@dataclass(frozen=True)
class HealthCheckConfig:
    """Target group health check of one service (`ecs.services[].health_check`)."""

    interval_seconds: int = doc("Seconds between health checks (5-300).", 15)
    timeout_seconds: int = doc("Health check timeout in seconds (2-120, below the interval).", 5)
    healthy_threshold: int = doc("Successes before a target is healthy (2-10).", 2)
    unhealthy_threshold: int = doc("Failures before a target is unhealthy (2-10).", 3)
    matcher: str = doc("HTTP codes that count as healthy (like 200 or 200-399).", "200-399")
    grace_period_seconds: int = doc("Seconds ECS ignores failing health checks of a new task.", 60)


@dataclass(frozen=True)
class AutoscalingConfig:
    """Target-tracking scaling of one service (`ecs.services[].autoscaling`)."""

    min: int = doc("Fewest tasks.")
    max: int = doc("Most tasks.")
    cpu_target: int = doc("Target average CPU utilisation in percent (0 = not used).", 0)
    requests_per_target: int = doc("Target ALB requests per task per minute (0 = not used).", 0)
    scale_in_cooldown: int = doc("Seconds between scale-in steps.", 300)
    scale_out_cooldown: int = doc("Seconds between scale-out steps.", 60)


@dataclass(frozen=True)
class EgressRule:
    """One more destination a service's tasks may reach (`ecs.services[].egress[]`)."""

    cidr: str = doc("IPv4 destination CIDR, like 10.30.0.0/16 or 0.0.0.0/0.")
    port: int = doc(
        "Destination port, or the first port of a range (1-65535); leave out with protocol all.",
        0,
    )
    to_port: int = doc("Last port of a range; default: port alone.", 0)
    protocol: Literal["tcp", "udp", "all"] = doc(
        "tcp, udp, or all (every protocol and port: use sparingly).", "tcp"
    )
    description: str = doc("What the rule is for (shown on the security group rule).", "")


LifecycleStage = Literal[
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
]


@dataclass(frozen=True)
class LifecycleHook:
    """A Lambda function called during a blue/green rollout (`ecs.services[].lifecycle_hooks[]`)."""

    function_arn: str = doc(
        "ARN of the Lambda function (same region and account). It answers SUCCEEDED, FAILED "
        "(ECS rolls back) or IN_PROGRESS (ECS asks again)."
    )
    stages: tuple[LifecycleStage, ...] = doc(
        "Lifecycle stages at which ECS invokes it. Default: POST_TEST_TRAFFIC_SHIFT (the "
        "green revision has all test traffic and no production traffic yet).",
        ("POST_TEST_TRAFFIC_SHIFT",),
    )


@dataclass(frozen=True)
class EcsService:
    """One Fargate service behind the ALB (`ecs.services[]`)."""

    name: str = doc("Service name (letters, digits, hyphens; unique).")
    image: str = doc(
        "An ECR repository name from ecr.repositories, or a full image URI "
        "(registry/path, optionally with :tag or @digest)."
    )
    tag: str = doc("Image tag; ignored when image already carries a tag or digest.", "latest")
    container_port: int = doc("Port the container listens on.", 80)
    cpu: int = doc("Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).", 256)
    memory: int = doc("Fargate task memory in MiB; must be valid for cpu.", 512)
    desired_count: int = doc("Number of tasks to run.", 2)
    health_check_path: str = doc("HTTP path the target group checks.", "/")
    path_patterns: tuple[str, ...] = doc(
        "Listener rule: request paths (like /api/*) routed to this service.", ()
    )
    host_headers: tuple[str, ...] = doc(
        "Listener rule: host names (like api.example.com) routed to this service.", ()
    )
    priority: int = doc(
        "Listener rule priority (1-50000, lower is evaluated first). 0: 10 x the service's "
        "position in ecs.services (set it to pin a rule when reordering services); in the "
        "sharded layout, derived from the service's name.",
        0,
    )
    load_balancer: str = doc(
        "Sharded layout: the load balancer of the service's rule (main, alb-N, or a name from "
        "alb.load_balancers); default: one of the automatic ones by a hash of its name.",
        "",
    )
    health_check: HealthCheckConfig = doc_factory(
        "Target group health check settings.", HealthCheckConfig
    )
    autoscaling: AutoscalingConfig | None = doc(
        "Target-tracking autoscaling of the task count; default: none (desired_count fixed).",
        None,
    )
    enable_execute_command: bool = doc("Allow ECS Exec (a shell in running tasks).", False)
    egress: tuple[EgressRule, ...] = doc(
        "Outbound rules added to the task security group. By default tasks may only reach "
        "HTTPS (443, for ECR, CloudWatch Logs and other AWS APIs) and DNS at the VPC "
        "resolver; list what else the service talks to (a database, an API on another port).",
        (),
    )
    user: str = doc(
        "User the container runs as: a UID or user name, optionally with :GID or :group "
        "(like 10001 or 10001:10001). Default: the image's own user, which is often root "
        "(scanners flag a task definition that names none: set it).",
        "",
    )
    readonly_root_filesystem: bool = doc(
        "Mount the container's root file system read-only; it writes only to writable_paths "
        "(and its logs go to CloudWatch through stdout). false: the whole file system is "
        "writable and writable_paths is not mounted.",
        True,
    )
    writable_paths: tuple[str, ...] = doc(
        "With a read-only root: directories the container may write to, each an empty "
        "volume on the task's ephemeral storage (gone when the task stops). Absolute paths "
        "(like /tmp or /var/cache/nginx), no duplicates.",
        ("/tmp",),
    )
    deployment_strategy: Literal["rolling", "blue_green"] = doc(
        "rolling: ECS replaces tasks in place (circuit breaker with rollback). blue_green: "
        "ECS starts the new (green) revision beside the old (blue) one behind an alternate "
        "target group, shifts test traffic to it, then all production traffic at once, and "
        "keeps blue for bake_time_minutes to roll back instantly.",
        "rolling",
    )
    bake_time_minutes: int | None = doc(
        "Minutes both revisions keep running after the production traffic shift (0-1440). "
        "Default: 15 with blue_green, none with rolling.",
        None,
    )
    test_listener_port: int = doc(
        "With blue_green: the load balancer port of the test listener, where the green "
        "revision answers before production traffic moves (services sharing a port share "
        "the listener, routed by their path_patterns/host_headers). Default: 8080 (8443 with "
        "alb.certificate_arn).",
        0,
    )
    lifecycle_hooks: tuple[LifecycleHook, ...] = doc(
        "With blue_green: Lambda functions ECS invokes at chosen lifecycle stages (for "
        "example tests against the test listener); any of them failing rolls back.",
        (),
    )

    @property
    def is_blue_green(self) -> bool:
        return self.deployment_strategy == "blue_green"

    @property
    def is_routed(self) -> bool:
        """True if the service has its own listener rule (else it is the listener's default)."""
        return bool(self.path_patterns or self.host_headers)

    def rule_priority(self, index: int) -> int:
        """Listener rule priority at position ``index`` of ecs.services: explicit, else 10 x
        position, so that appending a service never renumbers existing rules."""
        return self.priority or PRIORITY_STEP * (index + 1)


@dataclass(frozen=True)
class CapacityProvidersConfig:
    """FARGATE / FARGATE_SPOT split (`ecs.capacity_providers`)."""

    fargate_weight: int = doc("Relative share of tasks on FARGATE.", 1)
    fargate_spot_weight: int = doc(
        "Relative share of tasks on FARGATE_SPOT (0 = none; any other value uses a capacity "
        "provider strategy instead of the FARGATE launch type).",
        0,
    )
    fargate_base: int = doc("Tasks always placed on FARGATE before weights apply.", 0)


@dataclass(frozen=True)
class ServiceConnectConfig:
    """ECS Service Connect between the services (`ecs.service_connect`)."""

    namespace: str = doc(
        "Name of the Cloud Map HTTP namespace created for the services (like "
        "shop.internal); every service is reachable by the others as "
        "http://<service name>:<container_port>."
    )


@dataclass(frozen=True)
class EcsConfig:
    """The ECS cluster and its services (`ecs`)."""

    services: tuple[EcsService, ...] = doc(
        "Fargate services behind the ALB.",
        (
            EcsService(
                name="web",
                image=SEED_ECS_IMAGE,
                tag=SEED_ECS_TAG,
                container_port=8080,
                user=SEED_ECS_USER,
            ),
        ),
    )
    log_retention_days: int = doc("CloudWatch Logs retention of the service log groups.", 30)
    log_encryption: Literal["default", "kms"] = doc(
        "default: CloudWatch Logs' own encryption; kms: a customer-managed key with rotation, "
        "created in the network stack, encrypts every log group cfngen creates (services, "
        "flow logs, custom-resource functions, EKS control plane) and no other.",
        "default",
    )
    container_insights: Literal["enabled", "enhanced", "disabled"] = doc(
        "CloudWatch Container Insights on the cluster.", "enabled"
    )
    capacity_providers: CapacityProvidersConfig = doc_factory(
        "Fargate capacity provider weights.", CapacityProvidersConfig
    )
    service_connect: ServiceConnectConfig | None = doc(
        "Service Connect: a Cloud Map namespace and a Service Connect proxy in every task, "
        "so services call each other by name; their security groups then admit each other "
        "on the container ports (and nothing else). Default: off.",
        None,
    )
    layout: Literal["auto", "single", "sharded"] = doc(
        "single: every service in the ecs-alb stack; sharded: the cluster and load balancers "
        "in ecs-alb, services hashed into ecs-services-NN stacks (ecs.shards). auto: sharded "
        "above 60 services or with more than one load balancer. Switching moves every service "
        "(a replacement): a platform that will grow sets sharded early.",
        "auto",
    )
    shards: int = doc(
        "Sharded layout: number of ecs-services-NN stacks services are hashed into (1-99); "
        "only stacks that hold a service are created. Changing it moves services between "
        "stacks (a replacement): choose it once.",
        40,
    )
    operations: Literal["auto", "single", "split"] = doc(
        "single: every stack nested under root, one CloudFormation operation (at most 2,500 "
        "resources). split: root keeps network, iam, ecr, ecs-alb and eks; the "
        "ecs-services-NN stacks go into service-group top-level stacks services-GG "
        "(ecs.shards_per_operation each), deployed after root. auto: split when one "
        "operation would exceed 2,500 resources (sharded layout only). split needs the "
        "sharded layout (auto becomes sharded with it).",
        "auto",
    )
    shards_per_operation: int = doc(
        "Split operations: ecs-services-NN stacks per service group (1-99); shard NN is in "
        "group 1 + (NN - 1) // this. Changing it moves services between top-level stacks.",
        10,
    )


@dataclass(frozen=True)
class NodeTaint:
    """A Kubernetes taint on the managed nodes (`eks.node_group.taints[]`)."""

    key: str = doc("Taint key.")
    value: str = doc("Taint value.", "")
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] = doc(
        "Taint effect.", "NO_SCHEDULE"
    )


@dataclass(frozen=True)
class EksAddon:
    """A managed EKS add-on (`eks.addons[]`)."""

    name: Literal["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent"] = doc(
        "Managed add-on name."
    )
    version: str = doc("Add-on version (like v1.19.2-eksbuild.1); default: EKS picks.", "")


@dataclass(frozen=True)
class NodeGroupConfig:
    """The EKS managed node group (`eks.node_group`)."""

    instance_types: tuple[str, ...] = doc("EC2 instance types of the node group.", ("t3.medium",))
    min_size: int = doc("Minimum number of nodes.", 1)
    max_size: int = doc("Maximum number of nodes.", 3)
    desired_size: int = doc("Desired number of nodes (min_size <= desired_size <= max_size).", 2)
    disk_size: int = doc("Root volume size of each node in GiB.", 20)
    ami_type: Literal[
        "AL2023_x86_64_STANDARD",
        "AL2023_ARM_64_STANDARD",
        "AL2023_x86_64_NVIDIA",
        "BOTTLEROCKET_x86_64",
        "BOTTLEROCKET_ARM_64",
    ] = doc("AMI type of the nodes.", "AL2023_x86_64_STANDARD")
    capacity_type: Literal["ON_DEMAND", "SPOT"] = doc("ON_DEMAND or SPOT instances.", "ON_DEMAND")
    labels: dict[str, str] = doc_factory("Kubernetes labels put on every node.", dict)
    taints: tuple[NodeTaint, ...] = doc("Kubernetes taints put on every node.", ())
    launch_template: bool = doc(
        "Use a launch template: IMDSv2 required with metadata_hop_limit, encrypted gp3 root "
        "volume of disk_size GiB. Default: off (the EKS default launch template).",
        False,
    )
    metadata_hop_limit: int = doc(
        "With launch_template: IMDS hop limit (1 keeps pods off the node role).", 1
    )
    detailed_monitoring: bool = doc(
        "With launch_template: EC2 detailed monitoring (1-minute instance metrics, billed "
        "per instance). Default: off (5-minute metrics, free).",
        False,
    )


@dataclass(frozen=True)
class EksConfig:
    """The EKS cluster (`eks`)."""

    enabled: bool = doc(
        "Create the EKS cluster, its node group and their IAM roles. false: an ECS-only "
        "platform (no eks stack, EKS roles, EKS outputs or Kubernetes subnet tags).",
        True,
    )
    version: str = doc(
        "Kubernetes version of the cluster (major.minor), one EKS still creates clusters "
        "with (see cfngen.config.eks_versions).",
        eks_versions.DEFAULT,
    )
    node_group: NodeGroupConfig = doc_factory("The managed node group.", NodeGroupConfig)
    endpoint_public_access: bool = doc("Kubernetes API reachable from the internet.", True)
    endpoint_private_access: bool = doc("Kubernetes API reachable from inside the VPC.", True)
    public_access_cidrs: tuple[str, ...] = doc(
        "CIDRs allowed to the public API endpoint.", ("0.0.0.0/0",)
    )
    logging: tuple[
        Literal["api", "audit", "authenticator", "controllerManager", "scheduler"], ...
    ] = doc(
        "Control-plane log types sent to CloudWatch Logs (default: all five).",
        ("api", "audit", "authenticator", "controllerManager", "scheduler"),
    )
    secrets_encryption: bool = doc(
        "Envelope-encrypt Kubernetes secrets with a customer-managed KMS key (created, with "
        "rotation). Default: off (EKS's default encryption with AWS-owned keys).",
        False,
    )
    authentication_mode: Literal["API_AND_CONFIG_MAP", "API"] = doc(
        "How IAM principals are mapped: access entries (API) and/or the aws-auth ConfigMap.",
        "API_AND_CONFIG_MAP",
    )
    admin_principal_arn: str = doc(
        "IAM role/user ARN given cluster-admin through an access entry; default: none.", ""
    )
    bootstrap_creator_admin: bool = doc(
        "Make the identity that creates the cluster a cluster admin.", True
    )
    oidc_provider: bool = doc(
        "Create the IAM OIDC provider for IAM roles for service accounts (IRSA).", False
    )
    addons: tuple[EksAddon, ...] = doc(
        "Managed add-ons (vpc-cni, coredns, kube-proxy, eks-pod-identity-agent). vpc-cni "
        "(with its own IAM role) and, with pod_identity, eks-pod-identity-agent are always "
        "installed; list them only to pin a version.",
        (),
    )
    pod_identity: bool = doc(
        "Give the vpc-cni add-on its IAM role through EKS Pod Identity (the "
        "eks-pod-identity-agent add-on is installed). false: through IAM roles for service "
        "accounts instead (needs oidc_provider: true).",
        True,
    )
    log_retention_days: int = doc(
        "Retention of the control-plane log group /aws/eks/<cluster>/cluster, which cfngen "
        "creates (with the logs key under ecs.log_encryption: kms) when logging is on.",
        90,
    )
    auto_mode: bool = doc(
        "EKS Auto Mode: EKS runs the nodes (built-in general-purpose and system node pools), "
        "block storage and load balancers; no managed node group (eks.node_group is not "
        "used) and no vpc-cni/kube-proxy/coredns add-ons. Chosen when the cluster is "
        "created: switching it on an existing cluster replaces the cluster.",
        False,
    )


@dataclass(frozen=True)
class KubeResources:
    """Container requests and limits (`kubernetes.resources`)."""

    cpu_request: str = doc("CPU the scheduler reserves per pod (Kubernetes quantity).", "100m")
    memory_request: str = doc("Memory the scheduler reserves per pod.", "128Mi")
    cpu_limit: str = doc("CPU limit per pod (throttled above it).", "500m")
    memory_limit: str = doc("Memory limit per pod (killed above it).", "256Mi")


@dataclass(frozen=True)
class HpaConfig:
    """HorizontalPodAutoscaler bounds (`kubernetes.hpa`)."""

    max_replicas: int = doc("Most pods the HorizontalPodAutoscaler scales out to.", 6)
    cpu_utilization: int = doc(
        "Average CPU use (percent of cpu_request) the autoscaler aims for.", 70
    )


@dataclass(frozen=True)
class PolicyStatement:
    """One statement of the app role (`kubernetes.pod_identity.policy_statements[]`)."""

    actions: tuple[str, ...] = doc("IAM actions like s3:GetObject (service:Action, * allowed).")
    resources: tuple[str, ...] = doc("Resource ARNs the actions apply to, or '*'.")
    effect: Literal["Allow", "Deny"] = doc("Allow or Deny.", "Allow")
    sid: str = doc("Statement id (letters and digits).", "")
    conditions: dict[str, dict[str, str | tuple[str, ...]]] = doc_factory(
        "IAM conditions: operator -> {condition key: value or list}, like "
        "{StringEquals: {aws:ResourceTag/team: shop}}.",
        dict,
    )


@dataclass(frozen=True)
class PodIdentityConfig:
    """The app's own IAM role through EKS Pod Identity (`kubernetes.pod_identity`)."""

    managed_policy_arns: tuple[str, ...] = doc(
        "Managed policies attached to the app's role (at most 10).", ()
    )
    policy_statements: tuple[PolicyStatement, ...] = doc(
        "Statements of the role's inline policy.", ()
    )


@dataclass(frozen=True)
class IngressConfig:
    """An Ingress served by an ALB that EKS Auto Mode runs (`kubernetes.ingress`)."""

    enabled: bool = doc("Render an IngressClass (and its parameters) and an Ingress.", False)
    scheme: Literal["internet-facing", "internal"] = doc(
        "internet-facing (public subnets) or internal (private subnets) load balancer.",
        "internet-facing",
    )
    host: str = doc("Host name the Ingress answers (like app.example.com); default: any.", "")
    certificate_arn: str = doc(
        "ACM certificate ARN: the ALB then listens on HTTPS (443). Default: HTTP on 80.", ""
    )


@dataclass(frozen=True)
class KubernetesConfig:
    """The app the static manifests deploy to EKS (`kubernetes`)."""

    namespace: str = doc("Namespace of the app's objects; default: the config's name.", "")
    image: str = doc(
        "An ECR repository name from ecr.repositories, or a full image URI without tag "
        "(registry/path). Default: the first ECS service's ECR image when it has a fixed "
        "tag and a port of 1024 or above, else the public nginx-unprivileged image.",
        KUBE_PUBLIC_IMAGE,
    )
    tag: str = doc(
        "Image tag (or sha256:<digest>) to run; 'latest' is refused. Default: the tag the "
        "followed ECS service runs, or the public image's.",
        KUBE_PUBLIC_TAG,
    )
    replicas: int = doc(
        "Pods always running: the autoscaler's minimum. The Deployment carries no replica "
        "count of its own, so re-applying never undoes a scale-out.",
        2,
    )
    container_port: int = doc(
        "Port the container listens on (the Service sends port 80 there).", KUBE_PUBLIC_PORT
    )
    health_check_path: str = doc("HTTP path of the readiness and liveness probes.", "/")
    labels: dict[str, str] = doc_factory("Extra labels on every object and pod.", dict)
    resources: KubeResources = doc_factory(
        "Requests and limits of the app container.", KubeResources
    )
    hpa: HpaConfig = doc_factory("The HorizontalPodAutoscaler.", HpaConfig)
    pod_identity: PodIdentityConfig | None = doc(
        "An IAM role for the app's ServiceAccount through EKS Pod Identity (the role trusts "
        "pods.eks.amazonaws.com for this cluster, namespace and ServiceAccount only); the "
        "eks-pod-identity-agent add-on is added. Default: none, the pods get no AWS "
        "credentials.",
        None,
    )
    ingress: IngressConfig = doc_factory(
        "An Ingress through an ALB; needs eks.auto_mode (its load balancing runs the ALB).",
        IngressConfig,
    )


@dataclass(frozen=True)
class RetainConfig:
    """What survives a stack delete (`retain`)."""

    ecr_repositories: bool = doc("Keep ECR repositories (and images) when deleted.", True)
    log_groups: bool = doc("Keep CloudWatch log groups when deleted.", True)
    kms_keys: bool = doc(
        "Keep KMS keys when deleted (data encrypted with them stays readable).", True
    )
    access_log_bucket: bool = doc("Keep the ALB access-log bucket when deleted.", True)


@dataclass(frozen=True)
class IamConfig:
    """Role naming and permissions boundary (`iam`)."""

    permissions_boundary_arn: str = doc(
        "Managed policy ARN set as permissions boundary on every role; default: none.", ""
    )
    named_roles: bool = doc(
        "Give roles fixed names <name>-<environment>-<role>-<region>; default: CloudFormation "
        "generates them.",
        False,
    )


@dataclass(frozen=True)
class DeployConfig:
    """How the deployer names and stores stacks (`deploy`)."""

    stack_name: str = doc("Root stack name; default <name>-<environment>.", "")
    template_bucket: str = doc(
        "S3 bucket for packaged templates; default cfngen-templates-<account>-<region>, "
        "created (encrypted, private, TLS-only, old objects expire) when missing.",
        "",
    )
    termination_protection: bool = doc(
        "Turn on termination protection when the root stack is created.", False
    )


@dataclass(frozen=True)
class StackSetOverride:
    """Parameter overrides for some accounts/regions (`stackset.overrides[]`)."""

    accounts: tuple[str, ...] = doc(
        "Account ids this override applies to (default: every target account).", ()
    )
    regions: tuple[str, ...] = doc(
        "Regions this override applies to (default: every target region).", ()
    )
    parameters: dict[str, str] = doc_factory(
        "Root template parameter values for these instances (ParameterOverrides).", dict
    )


@dataclass(frozen=True)
class StackSetPreferences:
    """StackSets operation preferences (`stackset.preferences`)."""

    region_concurrency: Literal["SEQUENTIAL", "PARALLEL"] = doc(
        "Deploy to one region at a time (SEQUENTIAL, in region_order) or all at once.",
        "SEQUENTIAL",
    )
    region_order: tuple[str, ...] = doc(
        "Order of the regions for SEQUENTIAL deployment; default: the order of regions.", ()
    )
    max_concurrent: int | str = doc(
        "Accounts per region acted on at once: a count (3) or a percentage ('25%').", 1
    )
    failure_tolerance: int | str = doc(
        "Failed instances per region tolerated before the operation stops: a count (0) "
        "or a percentage ('10%').",
        0,
    )
    concurrency_mode: Literal["STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"] = doc(
        "STRICT lowers concurrency as failures approach the tolerance; SOFT keeps "
        "max_concurrent regardless of failures.",
        "STRICT_FAILURE_TOLERANCE",
    )


@dataclass(frozen=True)
class StackSetConfig:
    """Targets of a StackSets deployment (`stackset`)."""

    name: str = doc("Stack set name; default <name>-<environment>.", "")
    accounts: tuple[str, ...] = doc("Target AWS account ids (12 digits) - self-managed.", ())
    organizational_units: tuple[str, ...] = doc(
        "Target organizational unit ids (ou-xxxx-yyyyyyyy or r-xxxx) - service-managed.", ()
    )
    regions: tuple[str, ...] = doc(
        "Target regions; each account/OU gets one instance per region.", ()
    )
    permission_model: Literal["self-managed", "service-managed"] = doc(
        "self-managed (admin/execution roles you create; needed for nested stacks) or "
        "service-managed (AWS Organizations; no nested stacks).",
        "self-managed",
    )
    organization_id: str = doc(
        "AWS Organizations id (o-...); when set the template bucket admits the whole "
        "organization (aws:PrincipalOrgID) instead of listing accounts.",
        "",
    )
    parameters: dict[str, str] = doc_factory(
        "Root template parameter values of the stack set.", dict
    )
    overrides: tuple[StackSetOverride, ...] = doc(
        "Parameter overrides per account and/or region (later entries win).", ()
    )
    preferences: StackSetPreferences = doc_factory(
        "Operation preferences (command-line flags take precedence).", StackSetPreferences
    )


@dataclass(frozen=True)
class Config:
    """A whole config file; every section has defaults (an empty file is the seed)."""

    name: str = doc("Prefix of stacks and named resources: lowercase, 1-20 chars.", "cfngen")
    environment: str = doc(
        "Environment name (dev, staging, prod ...): lowercase, 1-12 chars.", "dev"
    )
    region: str = doc("AWS region the stacks are deployed to.", "us-east-1")
    tags: dict[str, str] = doc_factory("Tags put on every stack and taggable resource.", dict)
    network: NetworkConfig = doc_factory("The VPC.", NetworkConfig)
    alb: AlbConfig = doc_factory("The Application Load Balancer.", AlbConfig)
    ecr: EcrConfig = doc_factory("Container image repositories.", EcrConfig)
    ecs: EcsConfig = doc_factory("ECS cluster and services.", EcsConfig)
    eks: EksConfig = doc_factory("EKS cluster.", EksConfig)
    iam: IamConfig = doc_factory("IAM roles.", IamConfig)
    retain: RetainConfig = doc_factory(
        "What survives a stack delete or replacement (DeletionPolicy/UpdateReplacePolicy Retain).",
        RetainConfig,
    )
    kubernetes: KubernetesConfig = doc_factory(
        "The app deployed on EKS by `cfngen manifests`.", KubernetesConfig
    )
    deploy: DeployConfig = doc_factory("Deployment settings.", DeployConfig)
    stackset: StackSetConfig = doc_factory(
        "StackSets: the same templates across accounts and regions.", StackSetConfig
    )

    @property
    def prefix(self) -> str:
        """Name prefix of every named resource, unique per environment."""
        return f"{self.name}-{self.environment}"

    @property
    def stack_name(self) -> str:
        return self.deploy.stack_name or self.prefix

    def az_count(self) -> int:
        azs = self.network.availability_zones
        return azs if isinstance(azs, int) else len(azs)

    def ecr_repository(self, name: str) -> EcrRepository | None:
        return next((r for r in self.ecr.repositories if r.name == name), None)

    @property
    def kube_namespace(self) -> str:
        """kubernetes.namespace, else the config's name (<name>-<environment> when the name
        is a system namespace such as ``default``)."""
        if self.kubernetes.namespace:
            return self.kubernetes.namespace
        return self.prefix if self.name in SYSTEM_NAMESPACES else self.name
