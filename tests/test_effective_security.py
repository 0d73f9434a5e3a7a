"""Effective security after a rehearsal deploy, read back through the service APIs.

config/production.yaml and config/private.yaml (private EKS endpoint, single NAT, KMS
logs, three services with their own egress, the CNI role through IRSA) are deployed by
the real CLI on the emulator; then only the APIs are asked - DescribeSecurityGroups,
ListAttachedRolePolicies, GetRole, DescribeAddon, DescribePodIdentityAssociation,
DescribeLogGroups, GetKeyPolicy, DescribeCluster - and once the AWS CLI itself. No
template text is read. The emulator models AWS's default allow-all egress on every new
group and its removal by inline egress (see cfngen.emulator.security_fills), so a
group that kept the default would show it here.

What it cannot show: the VPC's default group is emptied by a Lambda custom resource
that a rehearsal never runs, and the EKS-created cluster security group is AWS's own.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any
from urllib.parse import unquote

import boto3
import pytest

from deploy_env import *  # noqa: F403
from deploy_env import VENV_BIN, Env

CNI_POLICY = "AmazonEKS_CNI_Policy"
NODE_POLICIES = {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}
CASES = {
    "production": ("eu-west-1", "shop-prod", "10.20.0.2/32"),
    "private": ("us-west-2", "ledger-prod", "10.40.0.2/32"),
}
EXTRA_EGRESS = {  # what config/private.yaml's services add to the defaults
    "api": {("tcp", 5432, 5432, "10.40.16.0/20"), ("tcp", 5432, 5432, "10.40.32.0/20")},
    "admin": {("tcp", 6379, 6380, "10.40.0.0/16")},
}


class Api:
    def __init__(self, env: Env, region: str) -> None:
        self.env, self.region = env, region

    def __call__(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.env.url, region_name=self.region)


@pytest.fixture(params=sorted(CASES))
def deployed(request: pytest.FixtureRequest, env: Env) -> tuple[str, Api, str, str]:
    name = request.param
    region, cluster, resolver = CASES[name]
    code, out, err = env.cfngen("deploy", "--config", env.example(name), "--yes")
    assert code == 0, err + out
    return name, Api(env, region), cluster, resolver


def _name(group: dict[str, Any]) -> str:
    return {t["Key"]: t["Value"] for t in group.get("Tags", [])}.get("Name", "")


def rules(permissions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """(protocol, from, to, destination) for every destination of every permission."""
    found = set()
    for p in permissions:
        ports = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        found |= {(*ports, r["CidrIp"]) for r in p.get("IpRanges", [])}
        found |= {(*ports, g["GroupId"]) for g in p.get("UserIdGroupPairs", [])}
    return found


def test_no_group_keeps_allow_all_egress(deployed: tuple[str, Api, str, str]) -> None:
    name, api, cluster, resolver = deployed
    ec2, elbv2, ecs = api("ec2"), api("elbv2"), api("ecs")
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    ours = {i: g for i, g in groups.items() if g["GroupName"] != "default"}
    assert ours
    for group in ours.values():
        assert ("-1", None, None, "0.0.0.0/0") not in rules(group["IpPermissionsEgress"]), group

    (lb,) = elbv2.describe_load_balancers()["LoadBalancers"]
    (lb_group,) = lb["SecurityGroups"]
    # moto's ECS and ELB keep no network configuration or target group tags, so each
    # service's task group is found by its Name tag, and its port by the rule that admits
    # the load balancer - both read from EC2.
    task_groups = {}
    for group_id, group in ours.items():
        if _name(group).endswith("-tasks"):
            service = _name(group).removeprefix(f"{cluster}-").removesuffix("-tasks")
            (port,) = {r[1] for r in rules(group["IpPermissions"]) if r[-1] == lb_group}
            task_groups[service] = (group_id, port)
    assert len(task_groups) == len(ecs.list_services(cluster=cluster)["serviceArns"])
    # The load balancer may open connections only to each service's tasks, on its port.
    assert rules(groups[lb_group]["IpPermissionsEgress"]) == {
        ("tcp", port, port, group) for group, port in task_groups.values()
    }
    for service, (group, _) in task_groups.items():
        expected = {
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("udp", 53, 53, resolver),
            ("tcp", 53, 53, resolver),
        } | (EXTRA_EGRESS.get(service, set()) if name == "private" else set())
        assert rules(groups[group]["IpPermissionsEgress"]) == expected, service
        # ... and they accept only the load balancer.
        assert {r[-1] for r in rules(groups[group]["IpPermissions"])} == {lb_group}


def _attached(iam: Any, role_arn: str) -> set[str]:
    name = role_arn.rsplit("/", 1)[-1]
    return {
        p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    }


def test_cni_permissions_only_on_the_cni_role(deployed: tuple[str, Api, str, str]) -> None:
    name, api, cluster, _ = deployed
    eks, iam = api("eks"), api("iam")
    (nodegroup,) = eks.list_nodegroups(clusterName=cluster)["nodegroups"]
    node_role = eks.describe_nodegroup(clusterName=cluster, nodegroupName=nodegroup)["nodegroup"][
        "nodeRole"
    ]
    assert _attached(iam, node_role) == NODE_POLICIES
    assert iam.list_role_policies(RoleName=node_role.rsplit("/", 1)[-1])["PolicyNames"] == []

    addon = eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]
    if name == "production":  # EKS Pod Identity
        assert "serviceAccountRoleArn" not in addon
        (assoc_arn,) = addon["podIdentityAssociations"]
        assoc = eks.describe_pod_identity_association(
            clusterName=cluster, associationId=assoc_arn.rsplit("/", 1)[-1]
        )["association"]
        assert (assoc["namespace"], assoc["serviceAccount"]) == ("kube-system", "aws-node")
        cni_role = assoc["roleArn"]
        assert "eks-pod-identity-agent" in eks.list_addons(clusterName=cluster)["addons"]
    else:  # IRSA: the role trusts the cluster's OIDC provider for aws-node only
        assert addon["podIdentityAssociations"] == []
        cni_role = addon["serviceAccountRoleArn"]
    trust = iam.get_role(RoleName=cni_role.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(unquote(trust)) if isinstance(trust, str) else trust
    (statement,) = trust["Statement"]
    if name == "production":
        assert statement["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
        assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
        conditions = statement["Condition"]["StringEquals"]
        assert conditions["aws:RequestTag/kubernetes-service-account"] == "aws-node"
        assert conditions["aws:RequestTag/eks-cluster-name"] == cluster
    else:
        (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        assert statement["Principal"] == {"Federated": provider["Arn"]}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        (sub,) = [
            v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")
        ]
        assert sub == "system:serviceaccount:kube-system:aws-node"
    assert _attached(iam, cni_role) == {CNI_POLICY}
    # No other role in the account carries the CNI's network permissions.
    carriers = {
        r["Arn"] for r in iam.list_roles()["Roles"] if CNI_POLICY in _attached(iam, r["Arn"])
    }
    assert carriers == {cni_role}


def test_every_log_group_carries_the_logs_key(deployed: tuple[str, Api, str, str]) -> None:
    _, api, cluster, _ = deployed
    groups = api("logs").describe_log_groups()["logGroups"]
    assert f"/aws/eks/{cluster}/cluster" in {g["logGroupName"] for g in groups}
    (key,) = {g.get("kmsKeyId") for g in groups}
    assert key is not None
    policy = json.loads(api("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    (logs_use,) = [s for s in policy["Statement"] if s["Sid"] == "ServiceUsesKey"]
    allowed = logs_use["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert sorted(a.split(":log-group:")[1] for a in allowed) == sorted(
        g["logGroupName"] for g in groups
    )


def test_private_endpoint_is_private(deployed: tuple[str, Api, str, str]) -> None:
    name, api, cluster, _ = deployed
    vpc = api("eks").describe_cluster(name=cluster)["cluster"]["resourcesVpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is (name == "production")


def test_the_aws_cli_sees_the_load_balancer_egress(env: Env) -> None:
    """The same answer through the AWS CLI (its own HTTP client and parsers)."""
    region, _, _ = CASES["private"]
    code, out, err = env.cfngen("deploy", "--config", env.example("private"), "--yes")
    assert code == 0, err + out

    def aws(*args: str) -> Any:
        done = subprocess.run(
            [str(VENV_BIN / "aws"), *args, "--endpoint-url", env.url, "--region", region,
             "--output", "json"],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return json.loads(done.stdout)

    (lb,) = aws("elbv2", "describe-load-balancers")["LoadBalancers"]
    (group,) = aws("ec2", "describe-security-groups", "--group-ids", *lb["SecurityGroups"])[
        "SecurityGroups"
    ]
    egress = group["IpPermissionsEgress"]
    assert egress and all(not p.get("IpRanges") for p in egress)
    assert {p["FromPort"] for p in egress} == {8080, 9000, 8000}
    assert all(p["IpProtocol"] == "tcp" and p["UserIdGroupPairs"] for p in egress)
