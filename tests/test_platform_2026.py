"""config/platform-2026.yaml deployed by the real CLI on the emulator, read back through the APIs.

Blue/green (``ecs describe-services``, ``elbv2 describe-rules``, ``iam``), Service Connect
(``servicediscovery``, the task groups in ``ec2 describe-security-groups``), EKS Auto Mode
(``eks describe-cluster``) and the app's Pod Identity (``eks
list-pod-identity-associations``, ``iam get-role``); then a new image tag rolls the web
service out blue/green while ``cfngen deploy`` prints the phases, and the manifests
rendered from the deployment's outputs ask Auto Mode for the NLB. No template text is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
import yaml

from deploy_env import *  # noqa: F403
from deploy_env import ROOT, Env, SharedEnv

CONFIG = ROOT / "config" / "platform-2026.yaml"
CLUSTER = "orbit-dev"
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:orbit-smoke-test"
PORTS = {"web": 8080, "api": 9000, "worker": 7000}


def _deploy(env: Env, config: Path = CONFIG) -> str:
    code, out, err = env.cfngen("deploy", "--config", str(config), "--yes")
    assert code == 0, err + out
    return out


@pytest.fixture
def deployed(deployment: str, shared_env: SharedEnv) -> Env:
    """config/platform-2026.yaml deployed once for the tests that only read it."""

    def make(env: Env) -> Env:
        _deploy(env)
        return env

    return shared_env.once((deployment, str(CONFIG)), make)


# The tests that only read a deployment name it: they run one after another on one deploy.
READS_THE_DEPLOYMENT = pytest.mark.parametrize("deployment", ["platform-2026"])


def _services(env: Env) -> dict[str, dict[str, Any]]:
    """The ECS services by their container name (the service names are generated)."""
    ecs = env.client("ecs")
    arns = ecs.list_services(cluster=CLUSTER)["serviceArns"]
    found = ecs.describe_services(cluster=CLUSTER, services=arns)["services"]
    return {s["loadBalancers"][0]["containerName"]: s for s in found}


def _document(value: Any) -> Any:
    return json.loads(unquote(value)) if isinstance(value, str) else value


def _role(env: Env, arn: str) -> dict[str, Any]:
    return env.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1])["Role"]


def _attached(env: Env, arn: str) -> set[str]:
    listed = env.client("iam").list_attached_role_policies(RoleName=arn.rsplit("/", 1)[-1])
    return {p["PolicyName"] for p in listed["AttachedPolicies"]}


def _forwards(env: Env, rule_arn: str) -> list[tuple[str, int]]:
    (rule,) = env.client("elbv2").describe_rules(RuleArns=[rule_arn])["Rules"]
    (action,) = rule["Actions"]
    return [(g["TargetGroupArn"], g["Weight"]) for g in action["ForwardConfig"]["TargetGroups"]]


@READS_THE_DEPLOYMENT
def test_blue_green_services_have_what_ecs_shifts(deployed: Env) -> None:
    env = deployed
    services = _services(env)
    elbv2 = env.client("elbv2")
    listeners = {
        lst["Port"]: lst
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        for lst in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert set(listeners) == {80, 8080, 9090}  # production, web's and api's test listeners
    for name, bake, test_port in (("web", 10, 8080), ("api", 15, 9090)):
        svc = services[name]
        config = svc["deploymentConfiguration"]
        assert config["strategy"] == "BLUE_GREEN"
        assert config["bakeTimeInMinutes"] == bake
        assert svc["deploymentController"]["type"] == "ECS"
        (lb,) = svc["loadBalancers"]
        advanced = lb["advancedConfiguration"]
        primary, alternate = lb["targetGroupArn"], advanced["alternateTargetGroupArn"]
        assert primary != alternate
        groups = elbv2.describe_target_groups(TargetGroupArns=[primary, alternate])
        assert {g["Port"] for g in groups["TargetGroups"]} == {PORTS[name]}
        # Both rules forward to blue (100) and green (0); ECS swaps the weights.
        assert _forwards(env, advanced["productionListenerRule"]) == [
            (primary, 100),
            (alternate, 0),
        ]
        assert _forwards(env, advanced["testListenerRule"]) == [(primary, 100), (alternate, 0)]
        rules = elbv2.describe_rules(ListenerArn=listeners[test_port]["ListenerArn"])["Rules"]
        assert advanced["testListenerRule"] in {r["RuleArn"] for r in rules}
        role = advanced["roleArn"]
        (trust,) = _document(_role(env, role)["AssumeRolePolicyDocument"])["Statement"]
        assert trust["Principal"] == {"Service": ["ecs.amazonaws.com"]}
        assert _attached(env, role) == {"AmazonECSInfrastructureRolePolicyForLoadBalancers"}
    (hook,) = services["web"]["deploymentConfiguration"]["lifecycleHooks"]
    assert (hook["hookTargetArn"], hook["lifecycleStages"]) == (HOOK, ["POST_TEST_TRAFFIC_SHIFT"])
    iam = env.client("iam")
    hook_role = hook["roleArn"].rsplit("/", 1)[-1]
    (policy_name,) = iam.list_role_policies(RoleName=hook_role)["PolicyNames"]
    policy = _document(
        iam.get_role_policy(RoleName=hook_role, PolicyName=policy_name)["PolicyDocument"]
    )
    (statement,) = policy["Statement"]
    assert (statement["Action"], statement["Resource"]) == (["lambda:InvokeFunction"], [HOOK])
    worker = services["worker"]
    assert worker["deploymentConfiguration"].get("strategy", "ROLLING") == "ROLLING"
    assert "advancedConfiguration" not in worker["loadBalancers"][0]


def _rules(permissions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    found = set()
    for p in permissions:
        ports = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        found |= {(*ports, r["CidrIp"]) for r in p.get("IpRanges", [])}
        found |= {(*ports, g["GroupId"]) for g in p.get("UserIdGroupPairs", [])}
    return found


@READS_THE_DEPLOYMENT
def test_service_connect_namespace_and_peer_traffic_on_service_ports_only(deployed: Env) -> None:
    env = deployed
    discovery = env.client("servicediscovery")
    (namespace,) = discovery.list_namespaces()["Namespaces"]
    assert (namespace["Name"], namespace["Type"]) == ("orbit.internal", "HTTP")
    published = {s["Name"] for s in discovery.list_services()["Services"]}
    assert published == set(PORTS)
    services = _services(env)
    ec2 = env.client("ec2")
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    (lb,) = env.client("elbv2").describe_load_balancers()["LoadBalancers"]
    (lb_group,) = lb["SecurityGroups"]
    members = set()
    for name, svc in services.items():
        (deployment,) = svc["deployments"]
        connect = deployment["serviceConnectConfiguration"]
        assert connect["enabled"] is True
        assert connect["namespace"] == namespace["Arn"]
        (published_as,) = connect["services"]
        assert published_as["discoveryName"] == name
        assert published_as["clientAliases"] == [{"dnsName": name, "port": PORTS[name]}]
        assert connect["logConfiguration"]["logDriver"] == "awslogs"
        task_group, member = svc["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
        members.add(member)
        port = PORTS[name]
        # In: the load balancer and the Service Connect members, on this service's port only.
        assert _rules(groups[task_group]["IpPermissions"]) == {
            ("tcp", port, port, lb_group),
            ("tcp", port, port, member),
        }
        # Out: the defaults, and the members on the other services' ports only.
        peers = {("tcp", p, p, member) for other, p in PORTS.items() if other != name}
        egress = _rules(groups[task_group]["IpPermissionsEgress"])
        assert {r for r in egress if r[-1] == member} == peers
        assert {r[-1] for r in egress} <= {member, "0.0.0.0/0", "10.60.0.2/32"}
    (member,) = members  # one group marks every member ...
    assert groups[member]["IpPermissions"] == []  # ... and admits nothing itself
    assert _rules(groups[member]["IpPermissionsEgress"]) == {
        ("icmp", 252, 86, "255.255.255.255/32")
    }
    # The test listeners admit the configured CIDRs only, not the internet.
    test_ingress = {r for r in _rules(groups[lb_group]["IpPermissions"]) if r[1] in (8080, 9090)}
    assert {r[-1] for r in test_ingress} == {"10.60.0.0/16", "203.0.113.0/24"}


@READS_THE_DEPLOYMENT
def test_auto_mode_cluster_and_the_apps_pod_identity(deployed: Env) -> None:
    env = deployed
    eks = env.client("eks")
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    compute = cluster["computeConfig"]
    assert compute["enabled"] is True
    assert compute["nodePools"] == ["general-purpose", "system"]
    assert cluster["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}
    assert eks.list_nodegroups(clusterName=CLUSTER)["nodegroups"] == []
    assert eks.list_addons(clusterName=CLUSTER)["addons"] == []  # built into Auto Mode nodes
    assert _attached(env, compute["nodeRoleArn"]) == {
        "AmazonEKSWorkerNodeMinimalPolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }
    cluster_role = cluster["roleArn"]
    assert _attached(env, cluster_role) == {
        "AmazonEKSClusterPolicy",
        "AmazonEKSComputePolicy",
        "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy",
        "AmazonEKSNetworkingPolicy",
    }
    (trust,) = _document(_role(env, cluster_role)["AssumeRolePolicyDocument"])["Statement"]
    assert sorted(trust["Action"]) == ["sts:AssumeRole", "sts:TagSession"]

    (assoc,) = eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"]
    assert (assoc["namespace"], assoc["serviceAccount"]) == ("orbit", "app")
    described = eks.describe_pod_identity_association(
        clusterName=CLUSTER, associationId=assoc["associationId"]
    )["association"]
    role = _role(env, described["roleArn"])
    (trust,) = _document(role["AssumeRolePolicyDocument"])["Statement"]
    assert trust["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
    assert sorted(trust["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    pinned = trust["Condition"]["StringEquals"]
    assert pinned["aws:RequestTag/kubernetes-namespace"] == "orbit"
    assert pinned["aws:RequestTag/kubernetes-service-account"] == "app"
    assert pinned["aws:RequestTag/eks-cluster-name"] == CLUSTER
    assert _attached(env, described["roleArn"]) == {"AmazonS3ReadOnlyAccess"}
    iam = env.client("iam")
    (inline,) = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    (statement,) = _document(
        iam.get_role_policy(RoleName=role["RoleName"], PolicyName=inline)["PolicyDocument"]
    )["Statement"]
    assert statement["Sid"] == "SendJobs"
    assert sorted(statement["Action"]) == ["sqs:GetQueueUrl", "sqs:SendMessage"]


def test_rendered_service_asks_auto_mode_for_the_nlb(env: Env) -> None:
    _deploy(env)  # writes output/dev/outputs.json in the test's folder
    code, out, err = env.cfngen("manifests", "render", "--config", str(CONFIG))
    assert code == 0, err + out
    rendered = Path("output/dev/manifests/rendered.yaml").read_text()
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(rendered) if d}
    service = docs[("Service", "app")]
    assert service["spec"]["loadBalancerClass"] == "eks.amazonaws.com/nlb"
    assert service["spec"]["type"] == "LoadBalancer"
    assert "service.beta.kubernetes.io/aws-load-balancer-type" not in service["metadata"].get(
        "annotations", {}
    )
    assert docs[("IngressClass", "orbit-alb")]["spec"]["controller"] == "eks.amazonaws.com/alb"
    ingress = docs[("Ingress", "app")]["spec"]
    assert ingress["ingressClassName"] == "orbit-alb"
    assert ingress["rules"][0]["host"] == "orbit.example.com"
    # the ServiceAccount the Pod Identity association names is the one the pods run as
    assert docs[("ServiceAccount", "app")]["metadata"]["namespace"] == "orbit"
    pod = docs[("Deployment", "app")]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "app"


def test_a_new_tag_rolls_out_blue_green_and_deploy_shows_the_phases(env: Env) -> None:
    _deploy(env)
    data = yaml.safe_load(CONFIG.read_text())
    data["ecs"]["services"][0]["tag"] = "1.5.0"  # web
    bumped = env.workdir / "bumped.yaml"
    bumped.write_text(yaml.safe_dump(data))
    before = _services(env)["web"]["currentServiceDeployment"]

    out = _deploy(env, bumped)
    phases = [line.split("WebService blue/green: ", 1)[1] for line in out.splitlines()
              if "WebService blue/green: " in line]  # fmt: skip
    stages = [p.split(" - ")[0] for p in phases[:-1]]
    assert stages == [
        "PRE_SCALE_UP",
        "SCALE_UP",
        "POST_SCALE_UP",
        "TEST_TRAFFIC_SHIFT",
        "POST_TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT",
        "POST_PRODUCTION_TRAFFIC_SHIFT",
        "BAKE_TIME",
        "CLEAN_UP",
    ]
    assert phases[-1].startswith("rollout complete")
    assert "ApiService blue/green" not in out  # its tag did not change: no rollout
    ecs = env.client("ecs")
    web = _services(env)["web"]
    assert web["currentServiceDeployment"] != before
    listed = ecs.list_service_deployments(cluster=CLUSTER, service=web["serviceArn"])
    newest = listed["serviceDeployments"][0]
    assert newest["serviceDeploymentArn"] == web["currentServiceDeployment"]
    assert newest["status"] == "SUCCESSFUL"
    (deployment,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[newest["serviceDeploymentArn"]]
    )["serviceDeployments"]
    assert deployment["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert len(deployment["sourceServiceRevisions"]) == 1  # blue, replaced by green
    task = ecs.describe_task_definition(taskDefinition=web["taskDefinition"])["taskDefinition"]
    assert task["containerDefinitions"][0]["image"].endswith(":1.5.0")

    out = _deploy(env, bumped)  # nothing changed: no change set, no rollout
    assert "no changes" in out and "blue/green" not in out


def test_destroy_removes_the_namespace_and_its_services(env: Env) -> None:
    _deploy(env)
    code, _, err = env.cfngen("destroy", "--config", str(CONFIG), "--yes")
    assert code == 0, err
    discovery = env.client("servicediscovery")
    assert discovery.list_namespaces()["Namespaces"] == []
    assert discovery.list_services()["Services"] == []
    assert (
        boto3.client(
            "cloudformation", endpoint_url=env.url, region_name="us-east-1"
        ).describe_stacks()["Stacks"]
        == []
    )


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    """The config's region is the fixture's (us-east-1); said once, so a change shows here."""
    assert yaml.safe_load(CONFIG.read_text())["region"] == "us-east-1"


def test_a_failed_hook_rolls_back_to_blue_and_the_deploy_says_so(env: Env) -> None:
    _deploy(env)
    before = _services(env)["web"]
    data = yaml.safe_load(CONFIG.read_text())
    data["ecs"]["services"][0]["tag"] = "1.5.0"
    bumped = env.workdir / "bumped.yaml"
    bumped.write_text(yaml.safe_dump(data))
    env.control.fault("fail_rollout", service="WebService", reason="smoke test: 3 of 20 failed")

    code, out, err = env.cfngen("deploy", "--config", str(bumped), "--yes")
    assert code == 1
    lines = [line.split("WebService blue/green: ", 1)[1] for line in out.splitlines()
             if "WebService blue/green: " in line]  # fmt: skip
    assert [x.split(" - ")[0] for x in lines[:5]][-1] == "POST_TEST_TRAFFIC_SHIFT"
    assert not any(x.startswith("PRODUCTION_TRAFFIC_SHIFT") for x in lines)
    assert lines[-2].startswith("rolling back to blue")
    assert lines[-1] == ("rolled back: blue serves all traffic again (smoke test: 3 of 20 failed)")
    assert "WebService (AWS::ECS::Service): ECS deployment" in err
    after = _services(env)["web"]
    assert after["taskDefinition"].endswith(before["taskDefinition"].rsplit("/", 1)[-1])
    (deployment,) = env.client("ecs").describe_service_deployments(
        serviceDeploymentArns=[after["currentServiceDeployment"]]
    )["serviceDeployments"]
    assert deployment["status"] == "ROLLBACK_SUCCESSFUL"
    assert deployment["rollback"]["reason"] == "smoke test: 3 of 20 failed"


S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.mark.parametrize(
    ("cni", "expected"),
    [
        ({}, {("kube-system", "aws-node"), ("shop", "app")}),  # the CNI's own association too
        ({"pod_identity": False, "oidc_provider": True}, {("shop", "app")}),  # CNI on IRSA
    ],
    ids=["cni-on-pod-identity", "cni-on-irsa"],
)
def test_pod_identity_on_a_node_group_cluster_brings_the_agent(
    env: Env, cni: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    """Without Auto Mode the agent is an add-on: listed by EKS whichever way the CNI signs in."""
    config = env.config(
        "managed",
        eks=cni,
        kubernetes={"namespace": "shop", "pod_identity": {"managed_policy_arns": [S3_READ]}},
    )
    _deploy(env, config)
    eks = env.client("eks")
    cluster = "cfngen-dev"
    assert eks.describe_cluster(name=cluster)["cluster"]["computeConfig"]["enabled"] is False
    assert len(eks.list_nodegroups(clusterName=cluster)["nodegroups"]) == 1
    assert set(eks.list_addons(clusterName=cluster)["addons"]) == {
        "vpc-cni",
        "eks-pod-identity-agent",
    }
    listed = eks.list_pod_identity_associations(clusterName=cluster)["associations"]
    assert {(a["namespace"], a["serviceAccount"]) for a in listed} == expected
    (app,) = eks.list_pod_identity_associations(
        clusterName=cluster, namespace="shop", serviceAccount="app"
    )["associations"]
    assert (
        eks.list_pod_identity_associations(
            clusterName=cluster, namespace="shop", serviceAccount="other"
        )["associations"]
        == []
    )
    role_arn = eks.describe_pod_identity_association(
        clusterName=cluster, associationId=app["associationId"]
    )["association"]["roleArn"]
    (trust,) = _document(_role(env, role_arn)["AssumeRolePolicyDocument"])["Statement"]
    assert trust["Principal"] == {"Service": ["pods.eks.amazonaws.com"]}
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == "shop"
    assert _attached(env, role_arn) == {"AmazonS3ReadOnlyAccess"}


def test_a_running_platform_switches_to_blue_green_and_service_connect(env: Env) -> None:
    """The iam stack gains the blue/green role's output in the same update that uses it."""
    _deploy(env, env.config("seed"))
    data = yaml.safe_load(env.config("seed").read_text())
    data["ecs"]["services"][0]["deployment_strategy"] = "blue_green"
    data["ecs"]["service_connect"] = {"namespace": "shop.internal"}
    switched = env.workdir / "switched.yaml"
    switched.write_text(yaml.safe_dump(data))
    _deploy(env, switched)
    ecs = env.client("ecs")
    (arn,) = ecs.list_services(cluster="cfngen-dev")["serviceArns"]
    (svc,) = ecs.describe_services(cluster="cfngen-dev", services=[arn])["services"]
    assert svc["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    (lb,) = svc["loadBalancers"]
    role = lb["advancedConfiguration"]["roleArn"]
    assert _attached(env, role) == {"AmazonECSInfrastructureRolePolicyForLoadBalancers"}
    (namespace,) = env.client("servicediscovery").list_namespaces()["Namespaces"]
    (deployment,) = svc["deployments"]
    assert deployment["serviceConnectConfiguration"]["namespace"] == namespace["Arn"]


def test_renaming_the_namespace_moves_the_services_before_the_old_one_goes(env: Env) -> None:
    """The namespace is replaced (Name is create-only): the new one first, the services
    move to it, the old one is deleted in the cleanup phase, as CloudFormation does."""
    _deploy(env)
    discovery = env.client("servicediscovery")
    (old,) = discovery.list_namespaces()["Namespaces"]
    data = yaml.safe_load(CONFIG.read_text())
    data["ecs"]["service_connect"]["namespace"] = "orbit.renamed"
    renamed = env.workdir / "renamed.yaml"
    renamed.write_text(yaml.safe_dump(data))
    _deploy(env, renamed)
    (new,) = discovery.list_namespaces()["Namespaces"]
    assert new["Name"] == "orbit.renamed" and new["Id"] != old["Id"]
    published = {s["Id"]: s["Name"] for s in discovery.list_services()["Services"]}
    assert sorted(published.values()) == sorted(PORTS)
    for sid in published:
        assert discovery.get_service(Id=sid)["Service"]["NamespaceId"] == new["Id"]
    services = _services(env)
    assert set(services) == set(PORTS)
    for svc in services.values():
        assert svc["deployments"][0]["serviceConnectConfiguration"]["namespace"] == new["Arn"]
    ecs_alb = next(
        s["StackName"]
        for s in env.client("cloudformation").describe_stacks()["Stacks"]
        if "-EcsAlb-" in s["StackName"]
    )
    listed = env.client("cloudformation").describe_stack_events(StackName=ecs_alb)
    seen = [
        (e["LogicalResourceId"], e["ResourceStatus"], e["PhysicalResourceId"])
        for e in reversed(listed["StackEvents"])
    ]
    old_gone = seen.index(("ServiceConnectNamespace", "DELETE_COMPLETE", old["Id"]))
    moved = max(i for i, e in enumerate(seen) if e[:2] == ("WebService", "UPDATE_COMPLETE"))
    assert moved < old_gone
