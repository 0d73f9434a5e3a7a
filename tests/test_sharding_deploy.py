"""Stable placement through the service APIs: a change set on the local endpoint shows
that adding, removing and reordering services touches no other service."""

from __future__ import annotations

import re

from cfngen.naming import logical_id
from deploy_env import *  # noqa: F403 (the env fixture and its helpers)
from deploy_env import Env, routed_service

ROW = re.compile(r"^  (\S+) +(Add|Modify|Remove) +(\S+) +(\S+) +(\S+)$", re.M)


def _target_groups(env: Env) -> set[str]:
    groups = env.client("elbv2").describe_target_groups()["TargetGroups"]
    return {g["TargetGroupArn"] for g in groups}


def test_adding_removing_and_reordering_touch_no_otherrouted_service(env: Env) -> None:
    names = [f"svc{i}" for i in range(8)]
    sections = {"alb": {"count": 2}, "eks": {"enabled": False}}
    ecs = {"layout": "sharded", "shards": 4}
    first = env.config(
        "first", ecs={**ecs, "services": [routed_service(n) for n in names]}, **sections
    )
    code, _, err = env.cfngen("deploy", "--config", str(first), "--yes")
    assert code == 0, err
    before = _target_groups(env)
    kept = [n for n in names if n != "svc3"][::-1]  # svc3 goes, the rest reversed
    services = [routed_service(n) for n in [*kept[:3], "newcomer", *kept[3:]]]
    second = env.config("second", ecs={**ecs, "services": services}, **sections)

    code, out, err = env.cfngen("diff", "--config", str(second))
    assert code == 0, err
    rows = [m.groups() for m in ROW.finditer(out)]
    changes = [r for r in rows if r[3] != "AWS::CloudFormation::Stack"]
    assert changes, out
    for stack, action, lid, *_ in changes:
        if lid.startswith(logical_id("newcomer")):
            assert action == "Add", (stack, lid)
        else:
            assert lid.startswith("Svc3") and action == "Remove", (stack, action, lid)
    # The nested stacks that change are updated in place, never replaced.
    assert all(r[-1] == "no" for r in rows if r[3] == "AWS::CloudFormation::Stack"), out

    code, _, err = env.cfngen("deploy", "--config", str(second), "--yes")
    assert code == 0, err
    after = _target_groups(env)
    # One new target group (a replaced one would have a new ARN too); svc3's is gone.
    assert len(after - before) == 1 and len(before - after) == 1
