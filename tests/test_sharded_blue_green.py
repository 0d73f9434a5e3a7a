"""Blue/green services in the sharded layout (``ecs-services-NN`` stacks, several ALBs).

Generated: each blue/green service's shard holds its alternate target group and its rules
on the production and test listeners of its own load balancer, whose test listener is in
``ecs-alb`` with the load balancer; only the load balancers that serve blue/green services
get test listeners (and their ingress); templates lint clean; the alternates count against
the ALB's target-group quota; switching one service to blue/green touches only it and
what its load balancer adds. Deployed on the emulator and read back through the ECS and
ELBv2 APIs; a new image tag then rolls a sharded service out blue/green while ``cfngen
deploy`` prints the phases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfngen.config import loads, placement
from cfngen.render import QuotaError, render
from deploy_env import *  # noqa: F403
from deploy_env import Env
from test_properties import lint

HOOK = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
CLUSTER = "shop-dev"
CONFIG: dict[str, Any] = {
    "name": "shop",
    "environment": "dev",
    "region": "us-east-1",
    "eks": {"enabled": False},
    "alb": {"load_balancers": [{"name": "internal"}], "test_ingress_cidrs": ["10.0.0.0/16"]},
    "ecs": {
        "layout": "sharded",
        "shards": 3,
        "services": [
            {
                "name": "web",  # the default route: a catch-all rule at 50,000
                "image": "public.ecr.aws/nginx/nginx",
                "tag": "stable",
                "desired_count": 1,
                "deployment_strategy": "blue_green",
                "bake_time_minutes": 5,
                "lifecycle_hooks": [{"function_arn": HOOK, "stages": ["POST_TEST_TRAFFIC_SHIFT"]}],
            },
            {
                "name": "api",
                "image": "public.ecr.aws/nginx/nginx",
                "tag": "stable",
                "container_port": 9000,
                "desired_count": 1,
                "path_patterns": ["/api/*"],
                "load_balancer": "internal",
                "deployment_strategy": "blue_green",
                "test_listener_port": 9443,
            },
            {
                "name": "jobs",
                "image": "public.ecr.aws/nginx/nginx",
                "tag": "stable",
                "desired_count": 1,
                "path_patterns": ["/jobs/*"],
            },
            {
                "name": "shop",
                "image": "public.ecr.aws/nginx/nginx",
                "tag": "stable",
                "desired_count": 1,
                "path_patterns": ["/shop/*"],
                "deployment_strategy": "blue_green",
            },
        ],
    },
}
# service -> (its load balancer, its test listener port)
BLUE_GREEN = {"web": ("main", 8080), "api": ("internal", 9443), "shop": ("main", 8080)}


def _templates(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    files = render(loads(yaml.safe_dump(data))).files
    return {n[:-5]: json.loads(b) for n, b in files.items() if n.endswith(".json") and "/" not in n}


def _home(templates: dict[str, dict[str, Any]], service: str) -> dict[str, Any]:
    (found,) = [
        t
        for name, t in templates.items()
        if name.startswith("ecs-services-") and f"{service.title()}Service" in t["Resources"]
    ]
    return found


def test_each_blue_green_service_shifts_on_its_own_load_balancers_listeners(
    tmp_path: Path,
) -> None:
    templates = _templates(CONFIG)
    assert placement.ecs_sharded(loads(yaml.safe_dump(CONFIG)))
    alb = templates["ecs-alb"]
    listeners = {
        lid: r["Properties"]
        for lid, r in alb["Resources"].items()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
    }
    # Test listeners only where blue/green services are, on their load balancer.
    assert {lid: p["Port"] for lid, p in listeners.items() if "Test" in lid} == {
        "TestListener8080": 8080,
        "InternalTestListener9443": 9443,
    }
    assert listeners["InternalTestListener9443"]["LoadBalancerArn"] == {
        "Ref": "InternalLoadBalancer"
    }
    groups = {
        lid: {
            (rule["FromPort"], rule["CidrIp"]) for rule in r["Properties"]["SecurityGroupIngress"]
        }
        for lid, r in alb["Resources"].items()
        if lid.endswith("LoadBalancerSecurityGroup")
    }
    assert groups["LoadBalancerSecurityGroup"] == {(80, "0.0.0.0/0"), (8080, "10.0.0.0/16")}
    assert groups["InternalLoadBalancerSecurityGroup"] == {(80, "0.0.0.0/0"), (9443, "10.0.0.0/16")}

    for name, (lb, port) in BLUE_GREEN.items():
        shard = _home(templates, name)
        res, lid = shard["Resources"], name.title()
        test_listener = f"{'' if lb == 'main' else 'Internal'}TestListener{port}Arn"
        assert test_listener in shard["Parameters"]
        service = res[f"{lid}Service"]["Properties"]
        assert service["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
        assert service["DeploymentController"] == {"Type": "ECS"}
        (balancer,) = service["LoadBalancers"]
        assert balancer["AdvancedConfiguration"] == {
            "AlternateTargetGroupArn": {"Ref": f"{lid}AlternateTargetGroup"},
            "ProductionListenerRule": {"Ref": f"{lid}ListenerRule"},
            "TestListenerRule": {"Ref": f"{lid}TestListenerRule"},
            "RoleArn": {"Ref": "EcsBlueGreenRoleArn"},
        }
        production, test = (
            res[f"{lid}ListenerRule"]["Properties"],
            res[f"{lid}TestListenerRule"]["Properties"],
        )
        assert test["ListenerArn"] == {"Ref": test_listener}
        assert production["ListenerArn"] == {
            "Ref": f"{'' if lb == 'main' else 'Internal'}ListenerArn"
        }
        assert (test["Priority"], test["Conditions"]) == (
            production["Priority"],
            production["Conditions"],
        )
        weights = [
            (g["TargetGroupArn"]["Ref"], g["Weight"])
            for g in test["Actions"][0]["ForwardConfig"]["TargetGroups"]
        ]
        assert weights == [(f"{lid}TargetGroup", 100), (f"{lid}AlternateTargetGroup", 0)]
    web = _home(templates, "web")
    hooks = web["Resources"]["WebService"]["Properties"]["DeploymentConfiguration"][
        "LifecycleHooks"
    ]
    assert hooks[0]["RoleArn"] == {"Ref": "EcsLifecycleHookRoleArn"}
    jobs = _home(templates, "jobs")["Resources"]
    assert "JobsAlternateTargetGroup" not in jobs
    assert "Strategy" not in jobs["JobsService"]["Properties"]["DeploymentConfiguration"]

    for name, template in templates.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(template))
    assert lint(tmp_path, "us-east-1") == []


def test_switching_one_service_to_blue_green_touches_only_it_and_its_load_balancer() -> None:
    names = [f"svc{i:02d}" for i in range(12)]
    services = [
        {"name": n, "image": "public.ecr.aws/n/n", "path_patterns": [f"/{n}/*"]} for n in names
    ]
    base = {
        "eks": {"enabled": False},
        "alb": {"count": 2},
        "ecs": {"layout": "sharded", "shards": 4},
    }
    before = _templates({**base, "ecs": {**base["ecs"], "services": services}})
    switched = [dict(s) for s in services]
    switched[5]["deployment_strategy"] = "blue_green"
    after = _templates({**base, "ecs": {**base["ecs"], "services": switched}})
    home = next(n for n, t in after.items() if "Svc05Service" in t.get("Resources", {}))
    changed = {
        (name, lid)
        for name in after
        for lid in set(after[name]["Resources"]) | set(before.get(name, {}).get("Resources", {}))
        if after[name]["Resources"].get(lid) != before.get(name, {}).get("Resources", {}).get(lid)
    }
    cfg = loads(yaml.safe_dump({**base, "ecs": {**base["ecs"], "services": switched}}))
    lb = placement.load_balancer(cfg, cfg.ecs.services[5])
    prefix = "" if lb == "main" else "Alb2"
    for name, lid in changed:
        if name == home:
            assert lid.startswith("Svc05"), lid
        elif name == "ecs-alb":
            assert lid in {f"{prefix}TestListener8080", f"{prefix}LoadBalancerSecurityGroup"}, lid
        else:
            assert (name, lid) in {("iam", "EcsBlueGreenRole"), ("root", "Iam")} or (
                name == "root" and lid.startswith("EcsServices")
            ), (name, lid)


def test_alternate_target_groups_count_against_the_load_balancers_quota() -> None:
    services = [
        {"name": f"s{i:02d}", "image": "public.ecr.aws/n/n", "path_patterns": [f"/s{i:02d}/*"]}
        for i in range(51)
    ]
    data = {"eks": {"enabled": False}, "ecs": {"layout": "sharded", "services": services}}
    _templates(data)  # 51 target groups: fits
    for svc in services:
        svc["deployment_strategy"] = "blue_green"
    with pytest.raises(QuotaError) as caught:
        _templates(data)
    assert any(
        p.startswith("alb.count: load balancer main would forward to 102 target groups")
        for p in caught.value.problems
    ), caught.value.problems


def _deploy(env: Env, data: dict[str, Any], name: str) -> str:
    path = env.workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    code, out, err = env.cfngen("deploy", "--config", str(path), "--yes")
    assert code == 0, err + out
    return out


def _forwards(env: Env, rule_arn: str) -> tuple[str, list[tuple[str, int]]]:
    (rule,) = env.client("elbv2").describe_rules(RuleArns=[rule_arn])["Rules"]
    (action,) = rule["Actions"]
    groups = [(g["TargetGroupArn"], g["Weight"]) for g in action["ForwardConfig"]["TargetGroups"]]
    return rule["Priority"], groups


def test_a_sharded_platform_deploys_blue_green_services_and_rolls_one_out(env: Env) -> None:
    _deploy(env, CONFIG, "first")
    ecs, elbv2, cfn = env.client("ecs"), env.client("elbv2"), env.client("cloudformation")
    arns = ecs.list_services(cluster=CLUSTER)["serviceArns"]
    services = {
        s["loadBalancers"][0]["containerName"]: s
        for s in ecs.describe_services(cluster=CLUSTER, services=arns)["services"]
    }
    by_name = {
        lb["LoadBalancerName"]: lb["LoadBalancerArn"]
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
    }
    assert len(by_name) == 2
    listeners = {  # (load balancer ARN, port) -> listener ARN
        (arn, lst["Port"]): lst["ListenerArn"]
        for arn in by_name.values()
        for lst in elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    }
    ports = sorted(port for _, port in listeners)
    assert ports == [80, 80, 8080, 9443]  # each load balancer: production, its test listener
    for name, (_, port) in BLUE_GREEN.items():
        svc = services[name]
        (owner,) = cfn.describe_stack_resources(PhysicalResourceId=svc["serviceArn"])[
            "StackResources"
        ]
        assert "-EcsServices0" in owner["StackName"]  # in its shard's stack
        assert svc["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
        assert svc["deploymentController"]["type"] == "ECS"
        (balancer,) = svc["loadBalancers"]
        advanced = balancer["advancedConfiguration"]
        primary, alternate = balancer["targetGroupArn"], advanced["alternateTargetGroupArn"]
        assert primary != alternate
        prod_priority, prod = _forwards(env, advanced["productionListenerRule"])
        test_priority, test = _forwards(env, advanced["testListenerRule"])
        assert prod == test == [(primary, 100), (alternate, 0)]
        assert prod_priority == test_priority
        (group,) = elbv2.describe_target_groups(TargetGroupArns=[primary])["TargetGroups"]
        (lb_arn,) = set(group["LoadBalancerArns"])  # one load balancer, through two rules
        on_test = elbv2.describe_rules(ListenerArn=listeners[(lb_arn, port)])["Rules"]
        assert advanced["testListenerRule"] in {r["RuleArn"] for r in on_test}
        on_production = elbv2.describe_rules(ListenerArn=listeners[(lb_arn, 80)])["Rules"]
        assert advanced["productionListenerRule"] in {r["RuleArn"] for r in on_production}
        role = advanced["roleArn"].rsplit("/", 1)[-1]
        attached = env.client("iam").list_attached_role_policies(RoleName=role)
        assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
            "AmazonECSInfrastructureRolePolicyForLoadBalancers"
        ]
    (hook,) = services["web"]["deploymentConfiguration"]["lifecycleHooks"]
    assert hook["hookTargetArn"] == HOOK and hook["roleArn"]
    assert services["jobs"]["deploymentConfiguration"].get("strategy", "ROLLING") == "ROLLING"

    bumped = json.loads(json.dumps(CONFIG))
    bumped["ecs"]["services"][3]["tag"] = "mainline"  # shop
    out = _deploy(env, bumped, "bumped")
    phases = [
        line.split("ShopService blue/green: ", 1)[1]
        for line in out.splitlines()
        if "ShopService blue/green: " in line
    ]
    assert [p.split(" - ")[0] for p in phases[:-1]][-1] == "CLEAN_UP", out
    assert "PRODUCTION_TRAFFIC_SHIFT" in {p.split(" - ")[0] for p in phases}
    assert phases[-1].startswith("rollout complete")
    assert "WebService blue/green" not in out and "ApiService blue/green" not in out
