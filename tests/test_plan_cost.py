"""The monthly cost change printed by `cfngen diff` and the deploy preview, on the emulator.

The deployed side is read back through GetTemplate (root and nested stacks) over real
HTTP; expected deltas are hand-computed from us-east-1 list prices (730 h/month).
"""

from __future__ import annotations

import re

from deploy_env import *  # noqa: F403
from deploy_env import STACK, Env
from split_env import group_stacks, services_of, split_config

H = 730
TASK_HOUR = 0.25 * 0.04048 + 0.5 * 0.004445  # 256 CPU units, 512 MiB on Fargate


def web(desired: int) -> dict[str, object]:
    service = {
        "name": "web",
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "cpu": 256,
        "memory": 512,
        "desired_count": desired,
    }
    return {"services": [service]}


def test_diff_prints_the_cost_change_of_the_pending_change(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config(ecs=web(2))), "--yes")[0] == 0
    code, out, err = env.cfngen("diff", "--config", str(env.config("more", ecs=web(3))))
    assert code == 0, err
    one_task = TASK_HOUR * H  # 9.01
    one_address = 0.005 * H  # 3.65: tasks in public subnets get a public IPv4 each
    assert f"  +${one_task:.2f}/month: Fargate tasks (web) 2 -> 3 (ecs-alb)" in out
    assert f"  +${one_address:.2f}/month: Public IPv4 (ECS tasks) 2 -> 3 (ecs-alb)" in out
    assert f"(+${one_task + one_address:.2f}/month, on-demand list prices in us-east-1)" in out


def test_first_deploy_preview_prices_everything_as_new(env: Env) -> None:
    code, out, err = env.cfngen("diff", "--config", str(env.config()))
    assert code == 0, err
    assert "monthly cost: $0.00 -> $" in out
    assert f"  +${0.10 * H:.2f}/month: EKS control plane 0 -> 1 (eks)" in out


def test_split_preview_prices_the_group_that_changes_and_names_every_stack(env: Env) -> None:
    assert env.cfngen("deploy", "--config", split_config(env), "--yes")[0] == 0
    holder = next(g for g in group_stacks(env) if "GammaService" in " ".join(services_of(env, g)))
    code, out, err = env.cfngen("diff", "--config", split_config(env, "more", gamma=3))
    assert code == 0, err
    two_tasks = 2 * (TASK_HOUR + 0.005) * H  # two more tasks, each with its public address
    assert "cost and duration of the whole plan (cfngen-dev first, then 2 service group" in out
    assert f"(+${two_tasks:.2f}/month, on-demand list prices in us-east-1)" in out
    key = holder.removeprefix(f"{STACK}-")
    assert re.search(
        rf"\+\$18\.02/month: Fargate tasks \(gamma\) 1 -> 3 \({key}/ecs-services-\d\d\)", out
    )
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("    cfngen-dev")}
    assert set(rows) == {STACK, *group_stacks(env)}
    assert rows[holder].endswith(f"(+${two_tasks:.2f}/month)")
    assert all(rows[n].endswith("(no change)") for n in rows if n != holder)
    # only that group's service changes: its time, after a root with nothing to do
    assert re.search(rf"estimated duration: ~2 min \({holder} ~2 min; ", out)


def test_split_preview_prices_a_group_the_deploy_adds(env: Env) -> None:
    config = split_config(env, "two", names=("beta", "gamma"))
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    assert group_stacks(env) == [f"{STACK}-services-01"]  # read through ListStacks
    code, out, err = env.cfngen("diff", "--config", split_config(env))
    assert code == 0, err
    one = (TASK_HOUR + 0.005) * H + 0.50  # its task, its address, its assumed 1 GB of logs
    assert f"  +${TASK_HOUR * H:.2f}/month: Fargate tasks (alpha) 0 -> 1 (services-02/" in out
    new = next(line for line in out.splitlines() if line.startswith(f"    {STACK}-services-02"))
    assert new.split()[1:] == ["$0.00", "->", f"${one:.2f}", f"(+${one:.2f}/month,", "new)"]
    assert f"{STACK}-services-02 ~2 min" in out
