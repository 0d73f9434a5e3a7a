"""The deploy-time estimate in a real deploy against the emulator: preview, ETA, records.

The printer's clock is injected (one second per reading), so the ETA column is checked
without racing the wall clock; the recorded durations come from the emulator's own event
timestamps.
"""

from __future__ import annotations

import io
import json
import re

from cfngen.config import load
from cfngen.deploy.flow import deploy
from cfngen.deploy.session import connect
from cfngen.deploy.stack import DeployOptions
from cfngen.deploy.watch import Printer
from deploy_env import *  # noqa: F403
from deploy_env import Env


class Ticks:
    """A clock that advances one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def run_deploy(env: Env, config: str, stream: io.StringIO) -> int:
    cfg = load(config)
    aws = connect(None, "us-east-1", env.url, cfg.region)
    opts = DeployOptions(yes=True, out_dir=env.workdir / "output")
    return deploy(
        aws, cfg, opts, Printer(stream=stream, colour=False, clock=Ticks()), lambda _: True
    )


def test_deploy_previews_the_duration_prints_an_eta_and_records_timings(env: Env) -> None:
    history = env.workdir / "output" / "dev" / "durations.json"
    history.parent.mkdir(parents=True)
    history.write_text(json.dumps({"CREATE": {"AWS::EKS::Cluster": [100.0, 300.0, 200.0]}}))
    out = io.StringIO()
    assert run_deploy(env, str(env.config()), out) == 0
    text = out.getvalue()
    assert "estimated duration: ~" in text
    assert "1 type(s) from this account's recorded deploys" in text
    assert "eks/Cluster ~3 min" in text  # the median of the recorded 100, 200, 300 s
    # Every event line starts with one column "elapsed/~expected end": 00:07/~18:05.
    events = [line for line in text.splitlines() if re.match(r"\d\d:\d\d", line)]
    assert events and all(re.match(r"\d\d:\d\d/~\d\d:\d\d  ", e) for e in events), text
    recorded = json.loads(history.read_text())
    cluster = recorded["CREATE"]["AWS::EKS::Cluster"]
    assert cluster[:3] == [100.0, 300.0, 200.0] and len(cluster) == 4
    assert {"AWS::EC2::VPC", "AWS::ECS::Service", "AWS::EKS::Nodegroup"} <= recorded[
        "CREATE"
    ].keys()
    assert "AWS::CloudFormation::Stack" not in recorded["CREATE"]


def test_an_update_is_estimated_from_its_changes_only(env: Env) -> None:
    assert run_deploy(env, str(env.config()), io.StringIO()) == 0
    web = {
        "name": "web",
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "desired_count": 3,
    }
    out = io.StringIO()
    assert run_deploy(env, str(env.config("more", ecs={"services": [web]})), out) == 0
    line = next(x for x in out.getvalue().splitlines() if x.startswith("estimated duration"))
    assert line.startswith("estimated duration: ~2 min")  # 5 + service 120 + 5 s
    path = next(x for x in out.getvalue().splitlines() if "critical path:" in x)
    assert "ecs-alb/WebService" in path and "Eks" not in path and "eks/" not in path
