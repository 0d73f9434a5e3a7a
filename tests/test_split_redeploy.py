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
