"""The plan names every changed property with its values and says what a change replaces.

Through the local endpoint (change sets with ``IncludePropertyValues``) and offline
(``diff --against`` two generated template sets): the same rules, the same answers.
"""

from __future__ import annotations

from pathlib import Path

from cfngen.config.schema import SEED_ECS_IMAGE, SEED_ECS_TAG, SEED_ECS_USER
from deploy_env import *  # noqa: F403
from deploy_env import Env

# The default config's service as written out, so that a change to one key is the only change.
WEB = {
    "name": "web",
    "image": SEED_ECS_IMAGE,
    "tag": SEED_ECS_TAG,
    "container_port": 8080,
    "user": SEED_ECS_USER,
}


def test_desired_count_change_shows_before_and_after_and_gates_ci(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config()), "--yes")[0] == 0
    code, out, err = env.cfngen("diff", "--config", str(env.config()), "--exit-code")
    assert code == 0, err  # nothing to change
    assert "no changes" in out
    changed = str(env.config("changed", ecs={"services": [{**WEB, "desired_count": 3}]}))
    code, out, err = env.cfngen("diff", "--config", changed, "--exit-code")
    assert code == 3, err
    assert "~ DesiredCount: 2 -> 3" in out
    assert "Plan: 0 to add, 1 to change, 0 to replace, 0 to remove" in out
    code, out, _ = env.cfngen("diff", "--config", changed)
    assert code == 0  # without --exit-code a plan with changes is still a success
    cfn = env.client("cloudformation")
    assert cfn.list_change_sets(StackName="cfngen-dev")["Summaries"] == []


def test_a_new_vpc_cidr_replaces_the_vpc_and_what_is_in_it(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config()), "--yes")[0] == 0
    network = {"vpc_cidr": "10.1.0.0/16", "public_subnets": ["10.1.1.0/24", "10.1.2.0/24"]}
    code, out, err = env.cfngen("diff", "--config", str(env.config("moved", network=network)))
    assert code == 0, err
    assert "~ CidrBlock: 10.0.0.0/16 -> 10.1.0.0/16  (forces replacement: create-only)" in out
    rows = {
        tuple(line.split()[:3]): line.split()[-1]
        for line in out.splitlines()
        if line.startswith("  ") and not line.startswith("      ")
    }
    assert rows[("Network", "Modify", "Vpc")] == "yes"
    assert rows[("Network", "Modify", "PublicSubnet1")] == "yes"
    assert rows[("EcsAlb", "Modify", "WebTargetGroup")] == "yes"  # VpcId is create-only
    assert "Network/Vpc (AWS::EC2::VPC) is replaced: CidrBlock is create-only" in out


def test_offline_diff_against_a_template_folder(env: Env, tmp_path: Path) -> None:
    old = tmp_path / "main-templates"
    assert (
        env.cfngen("generate", "--config", str(env.config()), "--out", str(old), "--quiet")[0] == 0
    )
    code, out, err = env.cfngen(
        "diff", "--config", str(env.config()), "--against", str(old), "--exit-code"
    )
    assert code == 0, err
    changed = str(env.config("changed", ecs={"services": [{**WEB, "desired_count": 3}]}))
    code, out, err = env.cfngen("diff", "--config", changed, "--against", str(old), "--exit-code")
    assert code == 3, err
    assert "~ DesiredCount: 2 -> 3" in out
    # The same previews as against a stack: the cost of one more task, the service's time.
    lines = out.splitlines()
    cost = lines.index(next(line for line in lines if line.startswith("monthly cost: $")))
    assert lines[cost + 1 : cost + 3] == [
        "  +$9.01/month: Fargate tasks (web) 2 -> 3 (ecs-alb)",
        "  +$3.65/month: Public IPv4 (ECS tasks) 2 -> 3 (ecs-alb)",
    ]
    assert lines[-2:] == [
        "estimated duration: ~2 min (typical times per resource type)",
        "  critical path: ecs-alb/WebService ~2 min",
    ]
    assert env.calls() == {}  # offline: not one call to any endpoint
    code, _, err = env.cfngen("diff", "--config", changed, "--against", str(tmp_path / "nope"))
    assert code == 2
    assert "no such folder" in err
