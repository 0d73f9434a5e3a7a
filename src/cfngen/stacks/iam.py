"""IAM stack: the roles ECS tasks, the EKS control plane, EKS nodes and the VPC CNI run as.

Trust policies carry confused-deputy conditions (aws:SourceAccount) where the
service supports them; the task execution role gets an inline least-privilege
policy scoped to this environment's repositories and log groups instead of the
broad AWS-managed one. The EKS node role holds only what the kubelet needs; the VPC
CNI's network permissions sit on a role of its own that only the ``aws-node``
service account of this cluster can assume through EKS Pod Identity, as an inline
policy scoped to this account and region (:mod:`cfngen.stacks.cni_policy`).
"""

from __future__ import annotations

from typing import Any

from awacs import awslambda, ecr, logs, ssmmessages, sts
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AccountId, GetAtt, Join, Partition, Region, Tags, Template, iam

from cfngen.config import Config
from cfngen.contracts import IamOut
from cfngen.stacks import cni_policy, eks_auto
from cfngen.stacks.common import POLICY_VERSION as POLICY_VERSION  # other stacks import it here
from cfngen.stacks.common import Props, add_output, new_template

PULL_TAG = "cfngen:ecr-pull"  # admitted by the ECR repository policies


def managed_policy(name: str) -> Join:
    """ARN of an AWS-managed policy in the current partition."""
    return Join("", ["arn:", Partition, f":iam::aws:policy/{name}"])


def trust_policy(
    service: str, source_account: bool = False, tag_session: bool = False
) -> PolicyDocument:
    """Let one AWS service assume the role (only on behalf of this account when asked;
    with ``tag_session`` it may also tag the sessions it opens)."""
    condition = Condition(StringEquals("aws:SourceAccount", AccountId)) if source_account else None
    kw: Props = {"Condition": condition} if condition else {}
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", [service]),
                Action=[sts.AssumeRole, sts.TagSession] if tag_session else [sts.AssumeRole],
                **kw,
            )
        ],
    )


def role(cfg: Config, title: str, short_name: str, **props: Any) -> iam.Role:
    """A role with the configured permissions boundary and, if asked, a fixed name.

    Names are left to CloudFormation by default: fixed names block replacement and
    collide when one account deploys several regions (so the region is in the name).
    """
    if cfg.iam.permissions_boundary_arn:
        props["PermissionsBoundary"] = cfg.iam.permissions_boundary_arn
    if cfg.iam.named_roles:
        props["RoleName"] = Join("-", [cfg.prefix, short_name, Region])
    return iam.Role(title, **props)


def _arn(service: str, resource: str) -> Join:
    return Join("", ["arn:", Partition, f":{service}:", Region, ":", AccountId, f":{resource}"])


def execution_policy(cfg: Config) -> PolicyDocument:
    """Pull this environment's images and write its ECS log groups; nothing else."""
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Sid="EcrAuthToken",
                Effect=Allow,
                Action=[ecr.GetAuthorizationToken],
                Resource=["*"],  # the action does not support resource-level permissions
            ),
            Statement(
                Sid="PullImages",
                Effect=Allow,
                Action=[
                    ecr.BatchCheckLayerAvailability,
                    ecr.GetDownloadUrlForLayer,
                    ecr.BatchGetImage,
                ],
                Resource=[_arn("ecr", f"repository/{cfg.prefix}/*")],
            ),
            Statement(
                Sid="WriteLogs",
                Effect=Allow,
                Action=[logs.CreateLogStream, logs.PutLogEvents],
                Resource=[_arn("logs", f"log-group:/ecs/{cfg.prefix}/*:*")],
            ),
        ],
    )


def exec_command_policy() -> PolicyDocument:
    """What ECS Exec needs in the task role: the SSM message channels (no resource scoping)."""
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Sid="EcsExecChannels",
                Effect=Allow,
                Action=[
                    ssmmessages.CreateControlChannel,
                    ssmmessages.CreateDataChannel,
                    ssmmessages.OpenControlChannel,
                    ssmmessages.OpenDataChannel,
                ],
                Resource=["*"],  # ssmmessages has no resource-level permissions
            )
        ],
    )


def pull_tag(cfg: Config) -> Tags:
    """The tag the ECR repository policies admit (see :mod:`cfngen.stacks.ecr`)."""
    return Tags({PULL_TAG: cfg.prefix})


def _ecs_roles(cfg: Config) -> tuple[iam.Role, iam.Role]:
    execution = role(
        cfg,
        "EcsTaskExecutionRole",
        "ecs-exec",
        Description=f"{cfg.prefix}: lets ECS pull images and ship logs for the tasks",
        AssumeRolePolicyDocument=trust_policy("ecs-tasks.amazonaws.com", source_account=True),
        Policies=[
            iam.Policy(PolicyName="pull-images-write-logs", PolicyDocument=execution_policy(cfg))
        ],
        Tags=pull_tag(cfg),
    )
    task_props: Props = {}
    if any(s.enable_execute_command for s in cfg.ecs.services):
        task_props["Policies"] = [
            iam.Policy(PolicyName="ecs-exec", PolicyDocument=exec_command_policy())
        ]
    task = role(
        cfg,
        "EcsTaskRole",
        "ecs-task",
        Description=f"{cfg.prefix}: the identity the application containers run as",
        AssumeRolePolicyDocument=trust_policy("ecs-tasks.amazonaws.com", source_account=True),
        **task_props,
    )
    return execution, task


BLUE_GREEN_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"


def _ecs_deploy_roles(cfg: Config) -> list[tuple[str, iam.Role, str]]:
    """Blue/green: the role ECS shifts listener rules with, and the one it invokes the
    lifecycle hooks with (allowed to invoke exactly the configured functions)."""
    blue_green = [s for s in cfg.ecs.services if s.is_blue_green]
    if not blue_green:
        return []
    out = [
        (
            IamOut.ECS_BLUE_GREEN_ROLE_ARN,
            role(
                cfg,
                "EcsBlueGreenRole",
                "ecs-blue-green",
                Description=f"{cfg.prefix}: lets ECS move traffic between the target groups "
                "of blue/green services",
                AssumeRolePolicyDocument=trust_policy("ecs.amazonaws.com"),
                ManagedPolicyArns=[managed_policy(BLUE_GREEN_POLICY)],
            ),
            "role ECS shifts blue/green traffic with",
        )
    ]
    functions = sorted({h.function_arn for s in blue_green for h in s.lifecycle_hooks})
    if functions:
        document = PolicyDocument(
            Version=POLICY_VERSION,
            Statement=[
                Statement(
                    Sid="InvokeLifecycleHooks",
                    Effect=Allow,
                    Action=[awslambda.InvokeFunction],
                    Resource=functions,
                )
            ],
        )
        out.append(
            (
                IamOut.ECS_LIFECYCLE_HOOK_ROLE_ARN,
                role(
                    cfg,
                    "EcsLifecycleHookRole",
                    "ecs-hooks",
                    Description=f"{cfg.prefix}: lets ECS invoke the blue/green lifecycle hooks",
                    AssumeRolePolicyDocument=trust_policy("ecs.amazonaws.com"),
                    Policies=[iam.Policy(PolicyName="invoke-hooks", PolicyDocument=document)],
                ),
                "role ECS invokes the lifecycle hooks with",
            )
        )
    return out


def _eks_roles(cfg: Config) -> tuple[iam.Role, iam.Role]:
    if eks_auto.enabled(cfg):
        return _eks_auto_roles(cfg)
    cluster = role(
        cfg,
        "EksClusterRole",
        "eks-cluster",
        Description=f"{cfg.prefix}: the EKS control plane",
        AssumeRolePolicyDocument=trust_policy("eks.amazonaws.com"),
        ManagedPolicyArns=[managed_policy("AmazonEKSClusterPolicy")],
    )
    # Only what the kubelet needs: join the cluster and pull images. The CNI's EC2 network
    # permissions go to the vpc-cni add-on's own role (every pod could use the node's), and
    # pulls use the pull-only managed policy (no listing or describing of repositories).
    node = role(
        cfg,
        "EksNodeRole",
        "eks-node",
        Description=f"{cfg.prefix}: EC2 instances of the EKS managed node group",
        AssumeRolePolicyDocument=trust_policy("ec2.amazonaws.com"),
        ManagedPolicyArns=[
            managed_policy("AmazonEKSWorkerNodePolicy"),
            managed_policy("AmazonEC2ContainerRegistryPullOnly"),
        ],
        Tags=pull_tag(cfg),
    )
    return cluster, node


def _eks_auto_roles(cfg: Config) -> tuple[iam.Role, iam.Role]:
    """EKS Auto Mode: the cluster role runs nodes, volumes and load balancers; the nodes'
    role is the minimal one of an Auto Mode node (same logical ids as without Auto Mode)."""
    cluster = role(
        cfg,
        "EksClusterRole",
        "eks-cluster",
        Description=f"{cfg.prefix}: the EKS Auto Mode control plane (nodes, storage, "
        "load balancing)",
        AssumeRolePolicyDocument=trust_policy("eks.amazonaws.com", tag_session=True),
        ManagedPolicyArns=[managed_policy(p) for p in eks_auto.CLUSTER_POLICIES],
    )
    node = role(
        cfg,
        "EksNodeRole",
        "eks-node",
        Description=f"{cfg.prefix}: EC2 instances EKS Auto Mode launches",
        AssumeRolePolicyDocument=trust_policy("ec2.amazonaws.com"),
        ManagedPolicyArns=[managed_policy(p) for p in eks_auto.NODE_POLICIES],
        Tags=pull_tag(cfg),
    )
    return cluster, node


def uses_vpc_cni_role(cfg: Config) -> bool:
    """The vpc-cni add-on's Pod Identity role: not with IRSA, not with Auto Mode (no add-on)."""
    return cfg.eks.pod_identity and not eks_auto.enabled(cfg)


CNI_NAMESPACE = "kube-system"
CNI_SERVICE_ACCOUNT = "aws-node"  # the vpc-cni add-on's DaemonSet runs as this account


def pod_identity_trust(cfg: Config, namespace: str, service_account: str) -> PolicyDocument:
    """Let EKS Pod Identity assume the role for one service account of this cluster only.

    Pod Identity tags each session with the cluster, namespace and service account
    (sts:TagSession), so the trust policy can pin all three.
    """
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Sid="EksPodIdentity",
                Effect=Allow,
                Principal=Principal("Service", ["pods.eks.amazonaws.com"]),
                Action=[sts.AssumeRole, sts.TagSession],
                Condition=Condition(
                    StringEquals(
                        {
                            "aws:RequestTag/eks-cluster-name": cfg.prefix,
                            "aws:RequestTag/kubernetes-namespace": namespace,
                            "aws:RequestTag/kubernetes-service-account": service_account,
                        }
                    )
                ),
            )
        ],
    )


def vpc_cni_role(cfg: Config) -> iam.Role:
    """The vpc-cni add-on's role (through Pod Identity): the CNI's EC2 permissions, no more."""
    return role(
        cfg,
        "EksVpcCniRole",
        "vpc-cni",
        Description=f"{cfg.prefix}: the VPC CNI (aws-node) through EKS Pod Identity",
        AssumeRolePolicyDocument=pod_identity_trust(cfg, CNI_NAMESPACE, CNI_SERVICE_ACCOUNT),
        Policies=[cni_policy.inline()],
    )


def build(cfg: Config) -> Template:
    what = "ECS tasks, the EKS cluster and EKS nodes" if cfg.eks.enabled else "ECS tasks"
    t = new_template(cfg, f"IAM roles for {what}")
    execution, task = (t.add_resource(r) for r in _ecs_roles(cfg))
    roles = [
        (IamOut.ECS_TASK_EXECUTION_ROLE_ARN, execution, "ECS task execution role"),
        (IamOut.ECS_TASK_ROLE_ARN, task, "ECS task role"),
    ]
    for name, res, description in _ecs_deploy_roles(cfg):
        roles.append((name, t.add_resource(res), description))
    if cfg.eks.enabled:
        cluster, node = (t.add_resource(r) for r in _eks_roles(cfg))
        roles += [
            (IamOut.EKS_CLUSTER_ROLE_ARN, cluster, "EKS cluster role"),
            (IamOut.EKS_NODE_ROLE_ARN, node, "EKS node role"),
        ]
        if uses_vpc_cni_role(cfg):  # the IRSA variant trusts the cluster's issuer: eks stack
            cni = t.add_resource(vpc_cni_role(cfg))
            roles.append((IamOut.EKS_VPC_CNI_ROLE_ARN, cni, "vpc-cni add-on role (Pod Identity)"))
    for name, res, description in roles:
        add_output(t, name, GetAtt(res, "Arn"), f"ARN of the {description}")
    return t
