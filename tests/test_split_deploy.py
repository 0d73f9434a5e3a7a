"""A platform split into several top-level stacks, deployed as one plan on the local endpoint.

Three services in four shards, two shards per operation: the platform root and up to two
service groups. Every effect is read back through the service APIs (DescribeStacks,
ListStackResources, ECS ListServices, stack events), never from cfngen's own output alone.
"""

from __future__ import annotations

import json
from typing import Any

from deploy_env import *  # noqa: F403 (the env fixture and its helpers)
from deploy_env import STACK, Env
from split_env import ecs_services, group_stacks, services_of, split_config


def test_split_platform_deploys_as_one_plan_and_redeploys_as_a_no_op(env: Env) -> None:
    config = split_config(env)
    code, out, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0, err
    groups = group_stacks(env)
    assert groups == [f"{STACK}-services-01", f"{STACK}-services-02"]
    for name in [STACK, *groups]:
        assert env.stack(name)["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    in_groups = [services_of(env, g) for g in groups]
    assert all(in_groups) and not in_groups[0] & in_groups[1]
    assert services_of(env, STACK) == set()  # the root holds the platform, not services
    assert set().union(*in_groups) == ecs_services(env) and len(ecs_services(env)) == 3
    # One plan: the groups are previewed before the one confirmation, from their templates.
    assert out.index(f"changes to {STACK}-services-01") < out.index("Plan: ")
    assert "summary:" in out and out.count("CREATE_COMPLETE in") >= 3

    code, out, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0, err
    assert "no changes" in out
    for name in [STACK, *groups]:
        assert env.stack(name)["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    code, _, err = env.cfngen("diff", "--config", config, "--exit-code")
    assert code == 0, err


def test_a_change_in_one_group_is_a_diff_and_an_update_of_that_group(env: Env) -> None:
    assert env.cfngen("deploy", "--config", split_config(env), "--yes")[0] == 0
    changed = split_config(env, "more", gamma=3)
    code, out, err = env.cfngen("diff", "--config", changed, "--exit-code")
    assert code == 3, err
    assert "DesiredCount" in out
    code, out, err = env.cfngen("deploy", "--config", changed, "--yes")
    assert code == 0, err
    ecs = env.client("ecs")
    described = ecs.describe_services(cluster=STACK, services=sorted(ecs_services(env)))
    counts = {s["serviceName"]: s["desiredCount"] for s in described["services"]}
    assert sorted(counts.values()) == [1, 1, 3]
    updated = [g for g in group_stacks(env) if env.stack(g)["StackStatus"] == "UPDATE_COMPLETE"]  # type: ignore[index]
    assert len(updated) == 1


def test_a_failed_group_is_reported_with_its_cause_and_the_other_completes(env: Env) -> None:
    config = split_config(env)
    env.control.fault("fail_resource", logical_id="AlphaService", reason="no capacity (injected)")
    code, out, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 1
    assert f"  {STACK}: CREATE_COMPLETE" in out  # the summary, one line per stack
    assert "no capacity (injected)" in err and "AlphaService" in err
    assert "1 of 3 top-level stacks failed" in err
    statuses = {g: env.stack(g)["StackStatus"] for g in group_stacks(env)}  # type: ignore[index]
    failed = [g for g, s in statuses.items() if s != "CREATE_COMPLETE"]
    assert len(failed) == 1 and failed[0] in err
    assert env.stack(STACK)["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    assert len(ecs_services(env)) == 2


def test_destroy_deletes_the_groups_then_the_root(env: Env) -> None:
    config = split_config(env)
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    ids = {n: env.stack(n)["StackId"] for n in [STACK, *group_stacks(env)]}  # type: ignore[index]
    code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0, err
    assert "deleting 2 service group stacks first" in out and "kept" in out
    cfn = env.client("cloudformation")
    for stack_id in ids.values():
        assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == (
            "DELETE_COMPLETE"
        )

    def first(stack_id: str, status: str) -> Any:
        events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
        return min(
            e["Timestamp"]
            for e in events
            if e["LogicalResourceId"] == e["StackName"] and e["ResourceStatus"] == status
        )

    root_started = first(ids[STACK], "DELETE_IN_PROGRESS")
    for name, stack_id in ids.items():
        if name != STACK:
            assert first(stack_id, "DELETE_COMPLETE") <= root_started
    assert ecs_services(env) == set()


def test_outputs_and_package_cover_every_top_level_stack(env: Env) -> None:
    config = split_config(env)
    code, out, err = env.cfngen("package", "--config", config)
    assert code == 0, err
    links = [line for line in out.splitlines() if line.startswith("quick-create:")]
    assert len(links) == 3
    assert [
        f"stackName={n}" in link
        for n, link in zip(
            [STACK, f"{STACK}-services-01", f"{STACK}-services-02"], links, strict=True
        )
    ] == [True] * 3
    assert "paste these outputs" in out
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    code, out, err = env.cfngen("outputs", "--config", config)
    assert code == 0, err
    values = json.loads(out)
    root = {o["OutputKey"] for o in env.stack(STACK)["Outputs"]}  # type: ignore[index]
    assert root <= set(values)


def test_preflight_checks_every_top_level_stack(env: Env) -> None:
    code, out, err = env.cfngen("preflight", "--config", split_config(env))
    assert code == 0, err
    assert "and its 2 service group stacks" in out


def test_stackset_refuses_a_split_platform(env: Env) -> None:
    code, _, err = env.cfngen(
        "stackset",
        "deploy",
        "--config",
        split_config(env),
        "--yes",
        "--accounts",
        "111111111111",
        "--regions",
        "us-east-1",
    )
    assert code == 2
    assert "split into 3 top-level stacks" in err and "ecs.operations" in err
