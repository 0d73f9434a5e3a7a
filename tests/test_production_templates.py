"""config/production.yaml builds every production feature the issue asks for."""

from __future__ import annotations

from typing import Any

import pytest

from cfngen.config import load, loads
from cfngen.contracts import NetworkOut, Stack
from cfngen.stacks import root
from conftest import ROOT

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def prod() -> dict[str, Doc]:
    cfg = load(ROOT / "config" / "production.yaml")
    return {Stack.FILES[lid]: t.to_dict() for lid, t in root.build_children(cfg).items()}


def of_type(doc: Doc, kind: str) -> dict[str, Doc]:
    return {k: v for k, v in doc["Resources"].items() if v["Type"] == kind}


def props(doc: Doc, lid: str) -> Doc:
    return doc["Resources"][lid]["Properties"]


def test_three_private_subnets_each_routed_through_its_own_nat(prod: dict[str, Doc]) -> None:
    net = prod["network"]
    assert len(of_type(net, "AWS::EC2::NatGateway")) == 3
    for n in (1, 2, 3):
        assert props(net, f"PrivateSubnet{n}")["MapPublicIpOnLaunch"] is False
        route = props(net, f"PrivateDefaultRoute{n}")
        assert route["NatGatewayId"] == {"Ref": f"NatGateway{n}"}
        assert route["RouteTableId"] == {"Ref": f"PrivateRouteTable{n}"}
        nat = props(net, f"NatGateway{n}")
        assert nat["SubnetId"] == {"Ref": f"PublicSubnet{n}"}
    assert NetworkOut.PRIVATE_SUBNET_IDS in net["Outputs"]


def test_single_nat_serves_every_private_subnet() -> None:
    cfg = loads("network: {private_subnets: [10.0.11.0/24, 10.0.12.0/24], nat_gateways: single}")
    net = root.build_children(cfg)[Stack.NETWORK].to_dict()
    assert list(of_type(net, "AWS::EC2::NatGateway")) == ["NatGateway1"]
    for n in (1, 2):
        assert props(net, f"PrivateDefaultRoute{n}")["NatGatewayId"] == {"Ref": "NatGateway1"}


def test_subnets_carry_kubernetes_discovery_tags(prod: dict[str, Doc]) -> None:
    def tags(lid: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in props(prod["network"], lid)["Tags"]}

    assert tags("PublicSubnet1")["kubernetes.io/role/elb"] == "1"
    assert tags("PrivateSubnet1")["kubernetes.io/role/internal-elb"] == "1"
    assert tags("PrivateSubnet1")["kubernetes.io/cluster/shop-prod"] == "shared"


def test_flow_logs_s3_endpoint_and_default_sg_lockdown(prod: dict[str, Doc]) -> None:
    net = prod["network"]
    (flow,) = of_type(net, "AWS::EC2::FlowLog").values()
    assert flow["Properties"]["LogDestinationType"] == "cloud-watch-logs"
    assert props(net, "FlowLogsLogGroup")["RetentionInDays"] == 365
    endpoint = props(net, "S3GatewayEndpoint")
    assert endpoint["VpcEndpointType"] == "Gateway"
    assert len(endpoint["RouteTableIds"]) == 3
    custom = props(net, "RestrictDefaultSecurityGroup")
    assert custom["GroupId"] == {"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}


def test_https_listener_with_tls12_policy_and_port_80_redirect(prod: dict[str, Doc]) -> None:
    ecs = prod["ecs-alb"]
    https = props(ecs, "HttpsListener")
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")
    (action,) = props(ecs, "HttpListener")["DefaultActions"]
    assert action["Type"] == "redirect"
    assert action["RedirectConfig"]["Protocol"] == "HTTPS"
    attrs = {a["Key"]: a["Value"] for a in props(ecs, "LoadBalancer")["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["deletion_protection.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    bucket = ecs["Resources"]["AccessLogsBucket"]
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    assert bucket["UpdateReplacePolicy"] == "Retain"
    block = bucket["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_two_routed_services_with_autoscaling_and_circuit_breaker(prod: dict[str, Doc]) -> None:
    ecs = prod["ecs-alb"]
    https = props(ecs, "HttpsListener")
    assert https["DefaultActions"][0]["TargetGroupArn"] == {"Ref": "WebTargetGroup"}
    (rule_id,) = of_type(ecs, "AWS::ElasticLoadBalancingV2::ListenerRule")
    rule = props(ecs, rule_id)
    assert rule["Priority"] == 100
    assert rule["ListenerArn"] == {"Ref": "HttpsListener"}
    assert rule["Conditions"][0]["PathPatternConfig"]["Values"] == ["/api/*"]
    for svc in ("Web", "Api"):
        p = props(ecs, f"{svc}Service")
        breaker = p["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
        assert breaker == {"Enable": True, "Rollback": True}
        assert p["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
        assert p["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == {
            "Ref": NetworkOut.PRIVATE_SUBNET_IDS
        }
        assert "LaunchType" not in p and p["CapacityProviderStrategy"]
    assert len(of_type(ecs, "AWS::ApplicationAutoScaling::ScalableTarget")) == 2
    metrics = sorted(
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]
        for p in of_type(ecs, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    )
    assert metrics == [
        "ALBRequestCountPerTarget",
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageCPUUtilization",
    ]


def test_every_log_group_is_kms_encrypted_and_retained(prod: dict[str, Doc]) -> None:
    """The logs key sits in the network stack; every other stack receives its ARN."""
    key = prod["network"]["Resources"]["LogsKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "RetainExceptOnCreate"
    (service_use,) = [
        s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Sid"] == "ServiceUsesKey"
    ]
    arns = service_use["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    named = sorted(a["Fn::Join"][1][-1].split(":log-group:")[1] for a in arns)
    assert named == [
        "/aws/eks/shop-prod/cluster",
        "/aws/lambda/shop-prod-restrict-default-sg",
        "/aws/vpc/flow-logs/shop-prod",
        "/ecs/shop-prod/api",
        "/ecs/shop-prod/web",
    ]
    groups = {}
    for stack in ("network", "ecs-alb", "eks"):
        key_ref = (
            {"Fn::GetAtt": ["LogsKey", "Arn"]} if stack == "network" else {"Ref": "LogsKeyArn"}
        )
        for lid, group in of_type(prod[stack], "AWS::Logs::LogGroup").items():
            assert group["Properties"]["KmsKeyId"] == key_ref, lid
            assert group["DeletionPolicy"] == "RetainExceptOnCreate", lid
            assert group["UpdateReplacePolicy"] == "Retain", lid
            groups[group["Properties"]["LogGroupName"]] = lid
    assert sorted(groups) == named


def test_ecr_repositories_hardened_and_pullable_by_tagged_roles(prod: dict[str, Doc]) -> None:
    ecr, iam = prod["ecr"], prod["iam"]
    assert "Parameters" not in ecr  # no dependency on the iam stack
    for repo in of_type(ecr, "AWS::ECR::Repository").values():
        p = repo["Properties"]
        assert repo["DeletionPolicy"] == "RetainExceptOnCreate"
        assert p["ImageTagMutability"] == "IMMUTABLE"
        assert p["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert p["EncryptionConfiguration"]["EncryptionType"] == "KMS"
        assert '"tagStatus": "untagged"' in p["LifecyclePolicy"]["LifecyclePolicyText"]
        (stmt,) = p["RepositoryPolicyText"]["Statement"]
        assert stmt["Condition"] == {
            "StringEquals": {"aws:PrincipalTag/cfngen:ecr-pull": "shop-prod"}
        }
    tagged = sorted(
        lid
        for lid, r in of_type(iam, "AWS::IAM::Role").items()
        if {"Key": "cfngen:ecr-pull", "Value": "shop-prod"} in r["Properties"].get("Tags", [])
    )
    assert tagged == ["EcsTaskExecutionRole", "EksNodeRole"]


def test_hardened_eks(prod: dict[str, Doc]) -> None:
    eks = prod["eks"]
    cluster = props(eks, "Cluster")
    vpc = cluster["ResourcesVpcConfig"]
    assert vpc["PublicAccessCidrs"] == ["203.0.113.0/24"]
    assert vpc["SubnetIds"] == {"Ref": NetworkOut.PRIVATE_SUBNET_IDS}
    assert len(cluster["Logging"]["ClusterLogging"]["EnabledTypes"]) == 5
    assert cluster["EncryptionConfig"][0]["Resources"] == ["secrets"]
    assert eks["Resources"]["SecretsKey"]["Properties"]["EnableKeyRotation"] is True
    assert cluster["AccessConfig"]["AuthenticationMode"] == "API"
    entry = props(eks, "AdminAccessEntry")
    assert entry["PrincipalArn"] == "arn:aws:iam::123456789012:role/platform-admin"
    assert of_type(eks, "AWS::IAM::OIDCProvider")
    addons = sorted(a["Properties"]["AddonName"] for a in of_type(eks, "AWS::EKS::Addon").values())
    assert addons == ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    data = props(eks, "NodeLaunchTemplate")["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    assert ebs == {
        "DeleteOnTermination": True,
        "Encrypted": True,
        "VolumeSize": 50,
        "VolumeType": "gp3",
    }
    assert "DiskSize" not in props(eks, "NodeGroup")


def test_permissions_boundary_and_names_reach_every_role() -> None:
    boundary = "arn:aws:iam::123456789012:policy/platform-boundary"
    text = (ROOT / "config" / "production.yaml").read_text()
    text = text.replace('permissions_boundary_arn: ""', f"permissions_boundary_arn: {boundary}")
    text = text.replace("named_roles: false", "named_roles: true")
    cfg = loads(text)
    roles = {
        (name, lid): r["Properties"]
        for name, t in root.build_children(cfg).items()
        for lid, r in of_type(t.to_dict(), "AWS::IAM::Role").items()
    }
    assert len(roles) == 7  # 4 platform roles + vpc-cni + flow logs + default-SG function
    for key, p in roles.items():
        assert p["PermissionsBoundary"] == boundary, key
        assert "RoleName" in p, key


def test_no_policy_allows_every_action(prod: dict[str, Doc]) -> None:
    def actions(node: Any) -> list[Any]:
        if isinstance(node, dict):
            found = [node["Action"]] if "Action" in node else []
            return found + [a for v in node.values() for a in actions(v)]
        if isinstance(node, list):
            return [a for v in node for a in actions(v)]
        return []

    every = [a for doc in prod.values() for a in actions(doc)]
    assert every
    assert all(a != "*" and "*" not in (a if isinstance(a, list) else [a]) for a in every)


def test_retain_can_be_switched_off_per_kind() -> None:
    cfg = loads(
        "retain: {ecr_repositories: false, log_groups: false}\n"
        "ecr: {repositories: [{name: app, empty_on_delete: true}]}"
    )
    children = {Stack.FILES[lid]: t.to_dict() for lid, t in root.build_children(cfg).items()}
    repo = children["ecr"]["Resources"]["AppRepository"]
    assert repo["DeletionPolicy"] == "Delete" and repo["Properties"]["EmptyOnDelete"] is True
    assert children["ecs-alb"]["Resources"]["WebLogGroup"]["DeletionPolicy"] == "Delete"


def test_node_agent_addons_do_not_wait_for_the_nodes(prod: dict[str, Doc]) -> None:
    """vpc-cni makes nodes Ready, so it (and the other node agents) must not wait for them."""
    waits = {
        a["Properties"]["AddonName"]: a.get("DependsOn", [])
        for a in of_type(prod["eks"], "AWS::EKS::Addon").values()
    }
    assert waits == {
        "coredns": ["NodeGroup"],
        "eks-pod-identity-agent": [],
        "kube-proxy": [],
        "vpc-cni": ["EksPodIdentityAgentAddon"],  # the agent hands aws-node its role
    }


def test_default_sg_function_logs_to_its_own_managed_group(prod: dict[str, Doc]) -> None:
    net = prod["network"]
    fn = props(net, "RestrictDefaultSecurityGroupFunction")
    assert fn["LoggingConfig"] == {"LogGroup": {"Ref": "RestrictDefaultSecurityGroupLogGroup"}}
    group = net["Resources"]["RestrictDefaultSecurityGroupLogGroup"]
    assert group["Properties"]["RetentionInDays"] == 365  # a year (CT.CLOUDWATCH.PR.2)
    statements = props(net, "RestrictDefaultSecurityGroupRole")["Policies"][0]["PolicyDocument"]
    (write,) = [s for s in statements["Statement"] if s.get("Sid") == "WriteOwnLogs"]
    assert write["Resource"] == [{"Fn::GetAtt": ["RestrictDefaultSecurityGroupLogGroup", "Arn"]}]
