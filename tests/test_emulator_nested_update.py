"""A nested stack's update removes what its template no longer declares, seen through the
service APIs: a service taken out of an ``ecs-services-NN`` shard leaves no target group,
listener rule, task security group or listed ECS service behind, and the other services
keep their ARNs (moto marked them deleted but kept them: it has no ELBv2 deletes)."""

from __future__ import annotations

import json
from typing import Any

from deploy_env import *  # noqa: F403 (the env fixture and its helpers)
from deploy_env import Env, routed_service

SECTIONS: dict[str, Any] = {"eks": {"enabled": False}}
ECS: dict[str, Any] = {"layout": "sharded", "shards": 2}


def _by_service(env: Env) -> dict[str, dict[str, str]]:
    """Per service (by its path pattern): its rule, target group, ECS service and task group."""
    elb, ecs, ec2 = env.client("elbv2"), env.client("ecs"), env.client("ec2")
    found: dict[str, dict[str, str]] = {}
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            for rule in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
                for condition in rule["Conditions"]:  # the default rule has none
                    name = condition["PathPatternConfig"]["Values"][0].strip("/*")
                    group = rule["Actions"][0]["TargetGroupArn"]
                    found[name] = {"rule": rule["RuleArn"], "target group": group}
    groups = {g["TargetGroupArn"] for g in elb.describe_target_groups()["TargetGroups"]}
    for entry in found.values():
        assert entry["target group"] in groups  # a rule forwards only to a group that exists
    (cluster,) = ecs.list_clusters()["clusterArns"]
    arns = ecs.list_services(cluster=cluster)["serviceArns"]
    for svc in ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []:
        assert svc["status"] == "ACTIVE"
        (balanced,) = svc["loadBalancers"]
        name = next(n for n, e in found.items() if e["target group"] == balanced["targetGroupArn"])
        found[name]["service"] = svc["serviceArn"]
        (found[name]["task group"],) = svc["networkConfiguration"]["awsvpcConfiguration"][
            "securityGroups"
        ][:1]
    live = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    for entry in found.values():
        assert entry.get("task group", "") in live
    return found


def test_a_service_removed_from_a_shard_leaves_nothing_and_the_others_keep_their_arns(
    env: Env,
) -> None:
    names = ["alpha", "bravo", "charlie"]
    first = env.config(
        "first", ecs={**ECS, "services": [routed_service(n) for n in names]}, **SECTIONS
    )
    code, _, err = env.cfngen("deploy", "--config", str(first), "--yes")
    assert code == 0, err
    before = _by_service(env)
    assert sorted(before) == names and all("service" in e for e in before.values())

    kept = [routed_service(n) for n in names if n != "bravo"]
    second = env.config("second", ecs={**ECS, "services": kept}, **SECTIONS)
    code, _, err = env.cfngen("deploy", "--config", str(second), "--yes")
    assert code == 0, err
    after = _by_service(env)
    assert after == {n: before[n] for n in ("alpha", "charlie")}  # same ARNs, bravo's gone
    elb, ecs = env.client("elbv2"), env.client("ecs")
    groups = [g["TargetGroupArn"] for g in elb.describe_target_groups()["TargetGroups"]]
    assert before["bravo"]["target group"] not in groups
    # ECS lists it no more, and still describes it as INACTIVE, as ECS does for a while.
    (gone,) = ecs.describe_services(cluster="cfngen-dev", services=[before["bravo"]["service"]])[
        "services"
    ]
    assert gone["status"] == "INACTIVE"
    found = env.client("ec2").describe_security_groups()["SecurityGroups"]
    assert before["bravo"]["task group"] not in {g["GroupId"] for g in found}

    code, _, err = env.cfngen("destroy", "--config", str(second), "--yes")
    assert code == 0, err
    assert elb.describe_target_groups()["TargetGroups"] == []
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    assert ecs.list_clusters()["clusterArns"] == []


def _services(env: Env) -> dict[str, str]:
    """ECS service ARN by the service's logical id prefix (``Bravo``), as listed."""
    ecs = env.client("ecs")
    arns = ecs.list_services(cluster="cfngen-dev")["serviceArns"]
    return {arn.split("-")[-2].removesuffix("Service").lower(): arn for arn in arns}


def test_changing_shards_that_would_move_named_resources_is_refused_before_any_change(
    env: Env,
) -> None:
    """alpha stays in shard 1; bravo goes 1 -> 2 and foxtrot 2 -> 3 when ecs.shards goes 2 -> 3.

    CloudFormation would create their log groups and listener rules in the new shard while
    the old shard, whose deletes wait for the root's cleanup phase, still holds them.
    """
    names = ["alpha", "bravo", "foxtrot"]
    first = env.config(
        "first", ecs={**ECS, "services": [routed_service(n) for n in names]}, **SECTIONS
    )
    code, _, err = env.cfngen("deploy", "--config", str(first), "--yes")
    assert code == 0, err
    before = _services(env)
    updated = env.stack()
    wider = {**ECS, "shards": 3}
    third = env.config(
        "third", ecs={**wider, "services": [routed_service(n) for n in names]}, **SECTIONS
    )

    for command in (["diff"], ["deploy", "--yes"]):
        code, _, err = env.cfngen(*command, "--config", str(third))
        assert code == 2, err
        (line,) = [ln for ln in err.splitlines() if "would move between nested stacks" in ln]
        assert line.strip().startswith("ecs.shards: 4 fixed names or priorities"), line
        assert "ecs-services-01 -> ecs-services-02" in line and "-> ecs-services-03" in line
        assert "BravoListenerRule" in line and "FoxtrotListenerRule" in line
        assert "/bravo" in line and "/foxtrot" in line and "alpha" not in line.lower()
        assert "keep ecs.shards as deployed, or move the services in two deploys" in line
    assert env.stack() == updated and _services(env) == before  # nothing was touched

    # The way out: without the movers, then with them in their new shards.
    without = [routed_service("alpha")]
    step = env.config("step", ecs={**wider, "services": without}, **SECTIONS)
    code, _, err = env.cfngen("deploy", "--config", str(step), "--yes")
    assert code == 0, err
    code, _, err = env.cfngen("deploy", "--config", str(third), "--yes")
    assert code == 0, err
    after = _services(env)
    assert sorted(after) == names and after["alpha"] == before["alpha"]
    assert "-EcsServices02-" in after["bravo"] and "-EcsServices03-" in after["foxtrot"]


def _log_groups(*names: str) -> dict[str, Any]:
    return {
        f"Group{i}": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name}}
        for i, name in enumerate(names)
    }


def test_a_named_resource_moved_between_nested_stacks_fails_the_update_as_in_aws(
    env: Env,
) -> None:
    """Why the preflight refuses moves: the new stack creates before the old one's cleanup.

    Straight through the API (no preflight): the log group ``/moves/svc`` goes from nested
    stack A to nested stack B in one update. B's create finds the name taken (A deletes it
    only in the cleanup phase, after every stack has updated) and the update rolls back.
    """
    s3, cfn = env.client("s3"), env.client("cloudformation")
    s3.create_bucket(Bucket="moves")
    bodies = {
        "a1.json": _log_groups("/moves/a", "/moves/svc"),
        "b1.json": _log_groups("/moves/b"),
        "a2.json": _log_groups("/moves/a"),
        "b2.json": _log_groups("/moves/b", "/moves/svc"),
    }
    for key, resources in bodies.items():
        s3.put_object(Bucket="moves", Key=key, Body=json.dumps({"Resources": resources}).encode())

    def root(version: int) -> str:
        url = "https://moves.s3.us-east-1.amazonaws.com/{}{}.json"
        nested = {
            name: {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": url.format(name.lower(), version)},
            }
            for name in ("A", "B")
        }
        return json.dumps({"Resources": nested})

    cfn.create_stack(StackName="moves", TemplateBody=root(1))
    assert env.stack("moves")["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    made = cfn.create_change_set(
        StackName="moves", ChangeSetName="move", ChangeSetType="UPDATE", TemplateBody=root(2)
    )
    cfn.execute_change_set(ChangeSetName=made["Id"])
    assert env.stack("moves")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"  # type: ignore[index]
    nested = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName="moves")["StackResourceSummaries"]
    }
    failed = [
        e
        for e in cfn.describe_stack_events(StackName=nested["B"])["StackEvents"]
        if e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert [e["LogicalResourceId"] for e in failed] == ["Group1"]
    assert "already exists" in failed[0]["ResourceStatusReason"]
