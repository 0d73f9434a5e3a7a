"""The monthly cost change printed by `cfngen diff` and the deploy preview, on the emulator.

The deployed side is read back through GetTemplate (root and nested stacks) over real
HTTP; expected deltas are hand-computed from us-east-1 list prices (730 h/month).
"""

from __future__ import annotations

from deploy_env import *  # noqa: F403
from deploy_env import Env

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
