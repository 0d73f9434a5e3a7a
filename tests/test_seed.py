"""The default config yields exactly the seed architecture's resources."""

from __future__ import annotations

import json
from collections import Counter

from cfngen.config import load, loads
from cfngen.render import render
from conftest import ROOT


def resource_types(name: str) -> Counter[str]:
    files = render(load(ROOT / "config/default.yaml"), ["json"]).files
    resources = json.loads(files[f"{name}.json"])["Resources"]
    return Counter(r["Type"] for r in resources.values())


def test_network_is_the_seed() -> None:
    assert resource_types("network") == Counter(
        {
            "AWS::EC2::VPC": 1,
            "AWS::EC2::Subnet": 2,
            "AWS::EC2::InternetGateway": 1,
            "AWS::EC2::VPCGatewayAttachment": 1,
            "AWS::EC2::RouteTable": 1,
            "AWS::EC2::Route": 1,
            "AWS::EC2::SubnetRouteTableAssociation": 2,
        }
    )


def test_subnets_are_in_two_different_azs() -> None:
    files = render(load(ROOT / "config/default.yaml"), ["json"]).files
    res = json.loads(files["network.json"])["Resources"]
    azs = [
        r["Properties"]["AvailabilityZone"] for r in res.values() if r["Type"] == "AWS::EC2::Subnet"
    ]
    assert azs == [{"Fn::Select": [i, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]} for i in (0, 1)]
    cidrs = sorted(
        r["Properties"]["CidrBlock"] for r in res.values() if r["Type"] == "AWS::EC2::Subnet"
    )
    assert cidrs == ["10.0.1.0/24", "10.0.2.0/24"]


def test_iam_ecr_ecs_eks_are_the_seed() -> None:
    # 4 platform roles + the VPC CNI's own (the node role no longer carries its policy)
    assert resource_types("iam") == Counter({"AWS::IAM::Role": 5})
    assert resource_types("ecr") == Counter({"AWS::ECR::Repository": 1})
    ecs = resource_types("ecs-alb")
    for kind in (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::ECS::Cluster",
        "AWS::ECS::TaskDefinition",
        "AWS::ECS::Service",
        "AWS::Logs::LogGroup",
    ):
        assert ecs[kind] == 1, kind
    assert resource_types("eks") == Counter(
        {
            "AWS::EKS::Cluster": 1,
            "AWS::EKS::Nodegroup": 1,
            "AWS::EKS::Addon": 2,  # vpc-cni with its Pod Identity role, and the agent
            "AWS::Logs::LogGroup": 1,  # the control-plane log group, before the cluster
        }
    )
    assert resource_types("root") == Counter({"AWS::CloudFormation::Stack": 5})


def test_task_security_group_admits_only_the_load_balancer() -> None:
    files = render(load(ROOT / "config/default.yaml"), ["json"]).files
    res = json.loads(files["ecs-alb.json"])["Resources"]
    ingress = [
        r["Properties"] for r in res.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"
    ]
    assert ingress and all(
        i["SourceSecurityGroupId"] == {"Ref": "LoadBalancerSecurityGroup"} and "CidrIp" not in i
        for i in ingress
    )


def test_an_empty_config_is_exactly_the_seed_that_default_yaml_writes_out() -> None:
    """README: an empty file gives the seed; config/default.yaml is that seed written out."""
    empty, default = loads(""), load(ROOT / "config/default.yaml")
    assert empty == default
    assert render(empty, ["json", "yaml"]).files == render(default, ["json", "yaml"]).files
