"""config/production.yaml through the real CLI against the emulator: deploy, no-op, destroy.

The production layout uses what the default one does not (3 AZs with NAT per AZ,
HTTPS with a redirect, two routed services with autoscaling, a hardened EKS
cluster, a custom resource); this proves those templates wire up and land in
the service APIs as templated, not only that the stacks reach CREATE_COMPLETE.
"""

from __future__ import annotations

from typing import Any

import boto3

from deploy_env import *  # noqa: F403
from deploy_env import Env

STACK = "shop-prod"
REGION = "eu-west-1"  # the config's region, which the CLI uses


def _client(env: Env, service: str) -> Any:
    return boto3.client(service, endpoint_url=env.url, region_name=REGION)


def _assert_network(env: Env) -> None:
    ec2 = _client(env, "ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.20.0.0/16"]}])["Vpcs"][0]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    public = [s for s in subnets if s["CidrBlock"].endswith("/22")]
    private = [s for s in subnets if s["CidrBlock"].endswith("/19")]
    assert (len(public), len(private)) == (3, 3)
    assert len({s["AvailabilityZone"] for s in public}) == 3
    nats = ec2.describe_nat_gateways(Filters=in_vpc)["NatGateways"]
    assert sorted(n["SubnetId"] for n in nats) == sorted(s["SubnetId"] for s in public)
    assert ec2.describe_flow_logs()["FlowLogs"][0]["ResourceId"] == vpc["VpcId"]


def _assert_load_balancer(env: Env) -> None:
    elbv2 = _client(env, "elbv2")
    (lb,) = elbv2.describe_load_balancers()["LoadBalancers"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    by_port = {listener["Port"]: listener for listener in listeners}
    assert set(by_port) == {80, 443}
    https = by_port[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["Certificates"][0]["CertificateArn"].startswith("arn:aws:acm:eu-west-1:")
    (redirect,) = by_port[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    rules = elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"]
    assert sorted(r["Priority"] for r in rules) == ["100", "default"]
    api_rule = next(r for r in rules if r["Priority"] == "100")
    assert api_rule["Conditions"][0]["PathPatternConfig"]["Values"] == ["/api/*"]
    attrs = elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])
    values = {a["Key"]: a["Value"] for a in attrs["Attributes"]}
    assert values["access_logs.s3.enabled"] == "true"


def _assert_services(env: Env) -> None:
    ecs = _client(env, "ecs")
    assert len(ecs.list_services(cluster=STACK)["serviceArns"]) == 2
    cluster = ecs.describe_clusters(clusters=[STACK], include=["SETTINGS"])["clusters"][0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    scaling = _client(env, "application-autoscaling")
    targets = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert sorted((t["MinCapacity"], t["MaxCapacity"]) for t in targets) == [(3, 12), (3, 20)]
    policies = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert len(policies) == 3
    repos = _client(env, "ecr").describe_repositories()["repositories"]
    assert sorted(r["repositoryName"] for r in repos) == ["shop-prod/api", "shop-prod/web"]
    assert {r["encryptionConfiguration"]["encryptionType"] for r in repos} == {"KMS"}


def _assert_eks(env: Env) -> None:
    cluster = _client(env, "eks").describe_cluster(name=STACK)["cluster"]
    logging = cluster["logging"]["clusterLogging"]
    assert [e["types"] for e in logging if e["enabled"]] == [
        ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    ]
    (encryption,) = cluster["encryptionConfig"]
    assert encryption["resources"] == ["secrets"]
    keys = {k["KeyArn"] for k in _client(env, "kms").list_keys()["Keys"]}
    assert encryption["provider"]["keyArn"] in keys
    assert cluster["resourcesVpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]
    providers = _client(env, "iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert len(providers) == 1


def test_production_deploys_redeploys_as_no_op_and_destroys(env: Env) -> None:
    config = env.example("production")
    code, out, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0, err + out
    cfn = _client(env, "cloudformation")
    stacks = cfn.describe_stacks()["Stacks"]
    assert {s["StackStatus"] for s in stacks} == {"CREATE_COMPLETE"}
    assert len(stacks) == 6
    _assert_network(env)
    _assert_load_balancer(env)
    _assert_services(env)
    _assert_eks(env)

    env.control.reset_calls()
    code, out, _ = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0
    assert "no changes" in out
    assert env.calls().get("cloudformation:ExecuteChangeSet", 0) == 0

    code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0, err
    assert cfn.describe_stacks()["Stacks"] == []
    kept = out.split("kept ", 1)[1]
    for kind in ("AWS::ECR::Repository", "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::S3::Bucket"):
        assert f"  {kind} " in kept, kind
    assert "aws kms schedule-key-deletion --key-id " in kept
    assert "aws s3 rb s3://" in kept
