"""Effective security after a rehearsal deploy, read back through the service APIs.

config/production.yaml and config/private.yaml (private EKS endpoint, single NAT, KMS
logs, three services with their own egress, the CNI role through IRSA) are deployed by
the real CLI on the emulator; then only the APIs are asked - DescribeSecurityGroups,
ListRoles, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy, GetPolicyVersion,
GetRole, DescribeAddon, DescribePodIdentityAssociation, DescribeLogGroups, GetKeyPolicy,
DescribeCluster - and the AWS CLI itself; every other shipped example is deployed for
the egress and role guarantees. No template text is read. The emulator models
AWS's default allow-all egress on every new group and its removal by inline egress (see
cfngen.emulator.security_fills), so a group that kept the default would show it here.
What a role may do is evaluated from the policy documents the API returns, by moto's
IAM policy evaluator (not by cfngen code).

What it cannot show: the VPC's default group is emptied by a Lambda custom resource
that a rehearsal never runs, and the EKS-created cluster security group is AWS's own.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
import yaml

from cfngen.emulator.moto_adapter import policy_permission
from conftest import EXAMPLES, GUARD, ROOT
from deploy_env import *  # noqa: F403
from deploy_env import VENV_BIN, Env, SharedEnv

CNI_MANAGED_POLICY = "AmazonEKS_CNI_Policy"
NODE_POLICIES = {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}
# What AmazonEKS_CNI_Policy (v6) allows; the CNI's own role must allow the same actions.
CNI_DESCRIBE = {
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
}
CNI_ON_INTERFACES = {
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:CreateNetworkInterface",
    "ec2:CreateTags",
    "ec2:DeleteNetworkInterface",
    "ec2:DetachNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
}
ACCOUNT = "123456789012"
PLACEHOLDER = ("icmp", 252, 86, "255.255.255.255/32")  # matches no packet


@dataclass(frozen=True)
class Case:
    region: str
    cluster: str
    resolver: str  # the VPC's DNS resolver (VPC base + 2)
    public_endpoint: bool
    pod_identity: bool
    extra_egress: dict[str, set[tuple[Any, ...]]]  # service -> what its `egress` adds


CASES = {
    "production": Case("eu-west-1", "shop-prod", "10.20.0.2/32", True, True, {}),
    "private": Case(
        "us-west-2",
        "ledger-prod",
        "10.40.0.2/32",
        False,
        False,
        {
            "api": {("tcp", 5432, 5432, "10.40.16.0/20"), ("tcp", 5432, 5432, "10.40.32.0/20")},
            "admin": {("tcp", 6379, 6380, "10.40.0.0/16")},
        },
    ),
}


class Api:
    def __init__(self, env: Env, region: str) -> None:
        self.env, self.region = env, region

    def __call__(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.env.url, region_name=self.region)


@dataclass(frozen=True)
class Deployed:
    name: str
    case: Case
    api: Api


def deploy(shared_env: SharedEnv, name: str) -> Api:
    """config/<name>.yaml deployed by the real CLI: once for all the tests that read it
    (each only reads), in the example's region."""

    def make(env: Env) -> Api:
        code, out, err = env.cfngen("deploy", "--config", env.example(name), "--yes")
        assert code == 0, err + out
        config = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
        return Api(env, config.get("region", "us-east-1"))

    return shared_env.once(("example", name), make)


@pytest.fixture(params=sorted(CASES))
def deployment(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def deployed(deployment: str, shared_env: SharedEnv) -> Deployed:
    return Deployed(deployment, CASES[deployment], deploy(shared_env, deployment))


def _name(group: dict[str, Any]) -> str:
    return {t["Key"]: t["Value"] for t in group.get("Tags", [])}.get("Name", "")


def rules(permissions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """(protocol, from, to, destination) for every destination of every permission."""
    found = set()
    for p in permissions:
        ports = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        found |= {(*ports, r["CidrIp"]) for r in p.get("IpRanges", [])}
        found |= {(*ports, r["CidrIpv6"]) for r in p.get("Ipv6Ranges", [])}
        found |= {(*ports, g["GroupId"]) for g in p.get("UserIdGroupPairs", [])}
        found |= {(*ports, g["PrefixListId"]) for g in p.get("PrefixListIds", [])}
    return found


def test_no_group_keeps_allow_all_egress(deployed: Deployed) -> None:
    case, api = deployed.case, deployed.api
    ec2, elbv2, ecs = api("ec2"), api("elbv2"), api("ecs")
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    ours = {i: g for i, g in groups.items() if g["GroupName"] != "default"}
    assert ours
    for group in ours.values():
        destinations = {r[-1] for r in rules(group["IpPermissionsEgress"]) if r[0] == "-1"}
        assert not destinations & {"0.0.0.0/0", "::/0"}, group

    (lb,) = elbv2.describe_load_balancers()["LoadBalancers"]
    (lb_group,) = lb["SecurityGroups"]
    # moto's ECS and ELB keep no network configuration or target group tags, so each
    # service's task group is found by its Name tag, and its port by the rule that admits
    # the load balancer - both read from EC2.
    task_groups = {}
    for group_id, group in ours.items():
        if _name(group).endswith("-tasks"):
            service = _name(group).removeprefix(f"{case.cluster}-").removesuffix("-tasks")
            (port,) = {r[1] for r in rules(group["IpPermissions"]) if r[-1] == lb_group}
            task_groups[service] = (group_id, port)
    assert len(task_groups) == len(ecs.list_services(cluster=case.cluster)["serviceArns"])
    # The load balancer may open connections only to each service's tasks, on its port.
    assert rules(groups[lb_group]["IpPermissionsEgress"]) == {
        ("tcp", port, port, group) for group, port in task_groups.values()
    }
    for service, (group, _) in task_groups.items():
        expected = {
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("udp", 53, 53, case.resolver),
            ("tcp", 53, 53, case.resolver),
        } | case.extra_egress.get(service, set())
        assert rules(groups[group]["IpPermissionsEgress"]) == expected, service
        # ... and they accept only the load balancer.
        assert {r[-1] for r in rules(groups[group]["IpPermissions"])} == {lb_group}


def test_the_aws_cli_sees_no_allow_all_egress_on_the_load_balancer(deployed: Deployed) -> None:
    """The same answer through the AWS CLI (its own HTTP client and parsers)."""
    region, url = deployed.case.region, deployed.api.env.url

    def aws(*args: str) -> Any:
        done = subprocess.run(
            [str(VENV_BIN / "aws"), *args, "--endpoint-url", url, "--region", region,
             "--output", "json"],
            capture_output=True, text=True, timeout=GUARD, check=True,
        )  # fmt: skip
        return json.loads(done.stdout)

    (lb,) = aws("elbv2", "describe-load-balancers")["LoadBalancers"]
    (group,) = aws("ec2", "describe-security-groups", "--group-ids", *lb["SecurityGroups"])[
        "SecurityGroups"
    ]
    tasks = aws("ec2", "describe-security-groups", "--filters", "Name=tag:Name,Values=*-tasks")[
        "SecurityGroups"
    ]
    egress = group["IpPermissionsEgress"]
    assert egress and tasks
    assert all(p["IpProtocol"] == "tcp" and not p["IpRanges"] for p in egress)
    assert all(not p.get("Ipv6Ranges") and not p.get("PrefixListIds") for p in egress)
    assert {g["GroupId"] for p in egress for g in p["UserIdGroupPairs"]} == {
        t["GroupId"] for t in tasks
    }


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _attached(iam: Any, role: str) -> set[str]:
    listed = iam.list_attached_role_policies(RoleName=_role_name(role))["AttachedPolicies"]
    return {p["PolicyName"] for p in listed}


def _document(value: Any) -> dict[str, Any]:
    """A policy document as IAM returns it (URL-encoded JSON text, or already parsed)."""
    return dict(json.loads(unquote(value)) if isinstance(value, str) else value)


def policies(iam: Any, role: str) -> list[dict[str, Any]]:
    """Every policy document that grants the role something: inline and attached."""
    name = _role_name(role)
    found = [
        _document(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        got = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
        found.append(_document(got["Document"]))
    return found


def allows(documents: list[dict[str, Any]], action: str, resource: str) -> bool:
    """moto's IAM evaluation: does any document allow the action on the resource?"""
    return any(policy_permission(d, action, resource).name == "PERMITTED" for d in documents)


def _cni_role(deployed: Deployed) -> str:
    """The vpc-cni add-on's role, as EKS reports it (association, or IRSA role)."""
    eks, cluster = deployed.api("eks"), deployed.case.cluster
    addon = eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]
    if not deployed.case.pod_identity:
        assert addon["podIdentityAssociations"] == []
        return str(addon["serviceAccountRoleArn"])
    assert "serviceAccountRoleArn" not in addon
    assert "eks-pod-identity-agent" in eks.list_addons(clusterName=cluster)["addons"]
    (assoc_arn,) = addon["podIdentityAssociations"]
    assoc = eks.describe_pod_identity_association(
        clusterName=cluster, associationId=assoc_arn.rsplit("/", 1)[-1]
    )["association"]
    assert (assoc["namespace"], assoc["serviceAccount"]) == ("kube-system", "aws-node")
    return str(assoc["roleArn"])


def test_no_role_carries_the_managed_cni_policy(deployed: Deployed) -> None:
    iam = deployed.api("iam")
    roles = [r["Arn"] for r in iam.list_roles()["Roles"]]
    assert len(roles) >= 5  # ECS execution and task, EKS cluster and node, the CNI's
    carriers = [r for r in roles if CNI_MANAGED_POLICY in _attached(iam, r)]
    assert carriers == []


def test_node_role_keeps_only_what_nodes_need(deployed: Deployed) -> None:
    eks, iam, cluster = deployed.api("eks"), deployed.api("iam"), deployed.case.cluster
    (nodegroup,) = eks.list_nodegroups(clusterName=cluster)["nodegroups"]
    node_role = eks.describe_nodegroup(clusterName=cluster, nodegroupName=nodegroup)["nodegroup"][
        "nodeRole"
    ]
    assert _attached(iam, node_role) == NODE_POLICIES
    assert iam.list_role_policies(RoleName=_role_name(node_role))["PolicyNames"] == []
    documents = policies(iam, node_role)
    here = f"arn:aws:ec2:{deployed.case.region}:{ACCOUNT}"
    # Every pod on the node can reach these: no network-interface management ...
    for action in CNI_ON_INTERFACES - {"ec2:CreateTags"}:
        assert not allows(documents, action, f"{here}:network-interface/eni-1"), action
    # ... and ECR pulls without listing or describing the account's repositories.
    repo = f"arn:aws:ecr:{deployed.case.region}:{ACCOUNT}:repository/any"
    assert allows(documents, "ecr:BatchGetImage", repo)
    for action in ("ecr:ListImages", "ecr:DescribeRepositories", "ecr:DescribeImages"):
        assert not allows(documents, action, repo), action


def test_cni_role_holds_the_cni_permissions_here_only(deployed: Deployed) -> None:
    iam, case = deployed.api("iam"), deployed.case
    cni_role = _cni_role(deployed)
    trust = _document(
        iam.get_role(RoleName=_role_name(cni_role))["Role"]["AssumeRolePolicyDocument"]
    )
    (statement,) = trust["Statement"]
    if case.pod_identity:
        assert statement["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
        assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
        conditions = statement["Condition"]["StringEquals"]
        assert conditions["aws:RequestTag/kubernetes-service-account"] == "aws-node"
        assert conditions["aws:RequestTag/eks-cluster-name"] == case.cluster
    else:  # IRSA: the role trusts the cluster's OIDC provider for aws-node only
        (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        assert statement["Principal"] == {"Federated": provider["Arn"]}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        (sub,) = [
            v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")
        ]
        assert sub == "system:serviceaccount:kube-system:aws-node"

    assert _attached(iam, cni_role) == set()
    documents = policies(iam, cni_role)
    granted = {
        a
        for d in documents
        for s in d["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert granted == CNI_DESCRIBE | CNI_ON_INTERFACES
    here, elsewhere = (
        f"arn:aws:ec2:{case.region}:{ACCOUNT}",
        f"arn:aws:ec2:ap-south-1:{ACCOUNT}",
    )
    for action in CNI_DESCRIBE:
        assert allows(documents, action, "*"), action
    for action in CNI_ON_INTERFACES:
        assert allows(documents, action, f"{here}:network-interface/eni-1"), action
        assert not allows(documents, action, f"{elsewhere}:network-interface/eni-1"), action
        assert not allows(
            documents, action, f"arn:aws:ec2:{case.region}:210987654321:network-interface/eni-1"
        ), action
    for resource in ("subnet/subnet-1", "security-group/sg-1"):
        assert allows(documents, "ec2:CreateNetworkInterface", f"{here}:{resource}")
    assert allows(documents, "ec2:AttachNetworkInterface", f"{here}:instance/i-1")
    assert not allows(documents, "ec2:TerminateInstances", f"{here}:instance/i-1")


def test_every_log_group_carries_the_logs_key_for_a_year(deployed: Deployed) -> None:
    api, cluster = deployed.api, deployed.case.cluster
    groups = api("logs").describe_log_groups()["logGroups"]
    assert f"/aws/eks/{cluster}/cluster" in {g["logGroupName"] for g in groups}
    assert min(g["retentionInDays"] for g in groups) >= 365
    (key,) = {g.get("kmsKeyId") for g in groups}
    assert key is not None
    policy = json.loads(api("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    (logs_use,) = [s for s in policy["Statement"] if s["Sid"] == "ServiceUsesKey"]
    allowed = logs_use["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert sorted(a.split(":log-group:")[1] for a in allowed) == sorted(
        g["logGroupName"] for g in groups
    )


def test_keys_grant_only_for_aws_resources(deployed: Deployed) -> None:
    api, cluster = deployed.api, deployed.case.cluster
    kms = api("kms")
    (config,) = api("eks").describe_cluster(name=cluster)["cluster"]["encryptionConfig"]
    keys = {k["KeyArn"] for k in kms.list_keys()["Keys"]}
    assert config["provider"]["keyArn"] in keys and len(keys) == 2  # secrets and logs
    for key in keys:
        policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
        granting = [s for s in policy["Statement"] if "kms:CreateGrant" in s["Action"]]
        (deny,) = [s for s in granting if s["Effect"] == "Deny"]
        assert (deny["Principal"], deny["Resource"]) == ("*", ["*"])
        assert deny["Condition"] == {
            "BoolIfExists": {
                "kms:GrantIsForAWSResource": "false",
                "aws:PrincipalIsAWSService": "false",
            }
        }
        for allow in (s for s in granting if s["Effect"] == "Allow"):  # the cluster role's
            assert allow["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_endpoint_access(deployed: Deployed) -> None:
    eks, case = deployed.api("eks"), deployed.case
    vpc = eks.describe_cluster(name=case.cluster)["cluster"]["resourcesVpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is case.public_endpoint


def assert_guarantees(api: Api) -> None:
    """No group keeps allow-all egress, each load balancer's group reaches only task groups
    over TCP, and no role has the CNI or read-all ECR policy - all read from the APIs."""
    ec2, elbv2, iam = api("ec2"), api("elbv2"), api("iam")
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    ours = {i: g for i, g in groups.items() if g["GroupName"] != "default"}
    assert ours
    for group in ours.values():
        assert group["IpPermissionsEgress"], group  # AWS's default was removed, not emptied
        everywhere = {r[-1] for r in rules(group["IpPermissionsEgress"]) if r[0] == "-1"}
        assert not everywhere & {"0.0.0.0/0", "::/0"}, group
    tasks = {i for i, g in ours.items() if _name(g).endswith("-tasks")}
    # The sharded layout's targets groups: every task a load balancer serves joins its one;
    # a member group that sends nothing itself (CDK's placeholder only).
    targets = {i for i, g in ours.items() if _name(g).endswith("-targets")}
    for group in targets:
        assert rules(groups[group]["IpPermissionsEgress"]) == {PLACEHOLDER}, groups[group]
    balancers = elbv2.describe_load_balancers()["LoadBalancers"]
    assert tasks and balancers
    for lb in balancers:
        for group in lb["SecurityGroups"]:
            egress = rules(groups[group]["IpPermissionsEgress"])
            assert egress and {r[0] for r in egress} == {"tcp"}, lb["LoadBalancerName"]
            assert {r[-1] for r in egress} <= tasks | targets, lb["LoadBalancerName"]
    for role in iam.list_roles()["Roles"]:
        attached = _attached(iam, role["Arn"])
        assert not attached & {CNI_MANAGED_POLICY, "AmazonEC2ContainerRegistryReadOnly"}, role


ROOT_USERS = {"", "0", "root"}


def assert_containers_harden(ecs: Any) -> None:
    """Every container of every task definition runs as a named non-root user on a
    read-only root file system, and each path it may write is a volume of its task
    (DescribeTaskDefinition)."""
    arns = ecs.list_task_definitions()["taskDefinitionArns"]
    assert arns
    for arn in arns:
        task = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        volumes = {v["name"] for v in task.get("volumes", [])}
        for container in task["containerDefinitions"]:
            user = container.get("user", "")
            assert user.split(":")[0] not in ROOT_USERS, (arn, user)
            assert container.get("readonlyRootFilesystem") is True, arn
            mounts = container.get("mountPoints", [])
            assert mounts and {m["sourceVolume"] for m in mounts} == volumes, arn
            assert all(m.get("readOnly") is False for m in mounts), arn


@pytest.mark.parametrize("deployment", [p.stem for p in EXAMPLES])
def test_every_example_keeps_issue_11s_guarantees_after_a_deploy(
    shared_env: SharedEnv, deployment: str
) -> None:
    """Every shipped example, not only the two above (no example's `egress` asks for
    allow-all)."""
    api = deploy(shared_env, deployment)
    assert_guarantees(api)
    assert_containers_harden(api("ecs"))  # every example names a non-root user


def test_the_sharded_layout_keeps_them_with_many_load_balancers(env: Env) -> None:
    """Services in ecs-services-NN stacks, two load balancers: each group still reaches only
    its targets group, which only the tasks it serves join."""
    services = [
        {"name": f"svc{i}", "image": "public.ecr.aws/nginx/nginx", "tag": "stable",
         "container_port": 8000 + i, "path_patterns": [f"/s{i}/*"]}
        for i in range(4)
    ]  # fmt: skip
    config = env.config(
        alb={"count": 2}, ecs={"layout": "sharded", "shards": 3, "services": services},
        eks={"enabled": False},
    )  # fmt: skip
    code, out, err = env.cfngen("deploy", "--config", str(config), "--yes")
    assert code == 0, err + out
    api = Api(env, "us-east-1")
    balancers = api("elbv2").describe_load_balancers()["LoadBalancers"]
    assert len(balancers) == 2
    assert_guarantees(api)
    groups = api("ec2").describe_security_groups()["SecurityGroups"]
    targets = {g["GroupId"] for g in groups if _name(g).endswith("-targets")}
    assert len(targets) == 2
    reached = set()
    for lb in balancers:  # each reaches its own targets group and nothing else
        (group,) = lb["SecurityGroups"]
        (own,) = [g for g in groups if g["GroupId"] == group]
        (target,) = {r[-1] for r in rules(own["IpPermissionsEgress"])}
        reached.add(target)
    assert reached == targets
