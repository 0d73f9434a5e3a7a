"""A split platform changing shape on the local endpoint: a failed group retried, leaving
split mode. Both delete ELBv2 rules and target groups inside nested stacks (the emulator's
ELBv2 delete fills), read back through the APIs."""

from __future__ import annotations

from deploy_env import *  # noqa: F403 (the env fixture and its helpers)
from deploy_env import STACK, Env
from split_env import ecs_services, group_stacks, services_of, split_config


def test_a_failed_group_is_created_by_the_next_deploy(env: Env) -> None:
    config = split_config(env)
    fault = env.control.fault("fail_resource", logical_id="AlphaService", reason="(injected)")
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 1
    failed = [g for g in group_stacks(env) if env.stack(g)["StackStatus"] != "CREATE_COMPLETE"]  # type: ignore[index]
    assert len(failed) == 1
    env.control.release(fault)
    code, _, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0, err
    assert env.stack(failed[0])["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    assert len(ecs_services(env)) == 3


def test_leaving_split_mode_deletes_the_groups_before_the_root_takes_the_services(
    env: Env,
) -> None:
    assert env.cfngen("deploy", "--config", split_config(env), "--yes")[0] == 0
    assert len(group_stacks(env)) == 2
    single = split_config(env, "single", operations="single")
    code, out, err = env.cfngen("diff", "--config", single, "--exit-code")
    assert code == 3, err
    assert f"stack {STACK}-services-01 is deleted first" in out
    assert len(group_stacks(env)) == 2  # a preview deletes nothing
    code, out, err = env.cfngen("deploy", "--config", single, "--yes")
    assert code == 0, err
    assert group_stacks(env) == []
    assert len(services_of(env, STACK)) == 3 and len(ecs_services(env)) == 3
    # and back: the root gives the services up, then the groups create them
    code, out, err = env.cfngen("deploy", "--config", split_config(env), "--yes")
    assert code == 0, err
    assert services_of(env, STACK) == set() and len(ecs_services(env)) == 3


def test_services_moving_between_kept_groups_are_refused_before_any_change(env: Env) -> None:
    """One shard per group instead of two: gamma's shard goes from services-01 to
    services-02 and alpha's from services-02 to a new services-03, while the groups run
    at once. Refused in the preflight, naming each move and the key; nothing changes."""
    config = split_config(env)
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    before = {g: env.stack(g)["StackStatus"] for g in [STACK, *group_stacks(env)]}  # type: ignore[index]
    regrouped = split_config(env, "regrouped", per_group=1)
    for command in (["diff"], ["deploy", "--yes"]):
        code, out, err = env.cfngen(*command, "--config", regrouped)
        assert code == 2, out + err
        assert "ecs.shards_per_operation: " in err
        assert "would move between top-level stacks" in err
        assert "services-01/ecs-services-02 -> services-02/ecs-services-02" in err
        assert "services-02/ecs-services-03 -> services-03/ecs-services-03" in err
        assert "keep ecs.shards_per_operation as deployed, or move the services in two" in err
        assert "Traceback" not in err
    # nothing changed: the same stacks, in the same states, no group added, no change set
    cfn = env.client("cloudformation")
    assert {g: env.stack(g)["StackStatus"] for g in [STACK, *group_stacks(env)]} == before  # type: ignore[index]
    for name in before:
        assert cfn.list_change_sets(StackName=name)["Summaries"] == []
