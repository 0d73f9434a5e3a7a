"""Deploys that meet each other, a user at the prompt, a lost endpoint, an engine that lies.

Two deploys at once are made deterministic by a real terminal: one deploy waits at its
prompt (it cannot go on until the test answers) while the other runs; an operation is
held in progress by the endpoint's ``hold`` fault until the test releases it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from cfngen.commands.common import load_config
from cfngen.deploy.flow import deploy
from cfngen.deploy.session import connect
from cfngen.deploy.stack import DeployOptions
from cfngen.deploy.watch import Printer, wait_until_idle
from conftest import GUARD
from deploy_env import *  # noqa: F403
from deploy_env import STACK, Env, own_endpoint, run_cli, wait_for_line
from terminal import Terminal

WEB = {"name": "web", "image": "public.ecr.aws/nginx/nginx", "tag": "stable"}
PROMPT = "Execute these changes to cfngen-dev? [y/N]"


def _change_sets(env: Env) -> list[dict]:
    try:
        return env.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"]
    except Exception:
        return []


def test_ctrl_c_at_the_prompt_leaves_no_stack_and_no_change_set(env: Env) -> None:
    term = Terminal(
        ["deploy", "--config", str(env.config()), "--endpoint-url", env.url], env.workdir
    )
    term.expect(PROMPT)
    assert env.stack()["StackStatus"] == "REVIEW_IN_PROGRESS"  # the plan's placeholder
    term.interrupt()
    assert term.finish() == 130
    assert "interrupted before executing: change set deleted, nothing changed" in term.text
    assert "Traceback" not in term.text
    assert env.stack() is None
    assert _change_sets(env) == []


def test_a_second_deploy_while_one_waits_at_its_prompt_stops_and_says_who(env: Env) -> None:
    config = str(env.config())
    first = Terminal(["deploy", "--config", config, "--endpoint-url", env.url], env.workdir)
    first.expect(PROMPT)
    code, _, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 1
    assert re.search(
        r"another cfngen deploy of \S+@\S+ at [-\d: ]+Z is waiting for confirmation on stack "
        r"cfngen-dev \(change set cfngen-deploy-\S+\)",
        err,
    ), err
    assert "aws cloudformation delete-change-set --stack-name cfngen-dev" in err
    first.send("y\n")
    assert first.finish() == 0, first.text
    assert env.stack()["StackStatus"] == "CREATE_COMPLETE"


def test_a_plan_made_stale_by_someone_else_is_not_executed(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config()), "--yes")[0] == 0
    changed = str(env.config("changed", ecs={"services": [{**WEB, "desired_count": 3}]}))
    first = Terminal(["deploy", "--config", changed, "--endpoint-url", env.url], env.workdir)
    first.expect(PROMPT)
    # Someone else updates the stack meanwhile (the AWS API, not cfngen): CloudFormation
    # removes every other change set of the stack when one is executed.
    cfn = env.client("cloudformation")
    template = cfn.get_template(StackName=STACK)["TemplateBody"]
    template["Outputs"]["TouchedBy"] = {"Value": "someone else"}
    cfn.create_change_set(
        StackName=STACK,
        ChangeSetName="by-hand",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    cfn.get_waiter("change_set_create_complete").wait(
        StackName=STACK, ChangeSetName="by-hand", WaiterConfig={"Delay": 1}
    )
    cfn.execute_change_set(ChangeSetName="by-hand", StackName=STACK)
    first.send("y\n")
    assert first.finish() == 1
    assert "changed since this plan was made" in first.text
    assert "run cfngen deploy again for a fresh plan" in first.text
    assert "Traceback" not in first.text
    svc = env.client("ecs").describe_services(
        cluster="cfngen-dev",
        services=env.client("ecs").list_services(cluster="cfngen-dev")["serviceArns"],
    )["services"][0]
    assert svc["desiredCount"] == 2  # the stale plan did not win


def test_busy_with_another_deploy_says_whose_it_is(env: Env) -> None:
    config = str(env.config())
    hold = env.control.fault("hold", stack=STACK)
    first = run_cli(["deploy", "--config", config, "--yes", "--endpoint-url", env.url], env.workdir)
    started = wait_for_line(first, "User Initiated")
    code, _, err = env.cfngen("deploy", "--config", config, "--yes", "--no-wait")
    assert code == 1
    assert re.search(r"is busy \(CREATE_IN_PROGRESS\), started by cfngen deploy of \S+@\S+", err)
    env.control.release(hold)
    out = started + first.communicate(timeout=GUARD)[0]
    assert first.returncode == 0
    assert re.search(r"^stack cfngen-dev: CREATE_COMPLETE in \d+(m\d\d)?s$", out, re.M)


class FakeClock:
    """The printer's clock: time moves only when the deploy sleeps or the user thinks."""

    def __init__(self, on_sleep: object = None) -> None:
        self.now = 1000.0
        self.sleeps = 0
        self.on_sleep = on_sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.sleeps += 1
        if callable(self.on_sleep):
            self.on_sleep(self.sleeps)


def _deploy_in_process(
    env: Env, config: Path, clock: FakeClock, confirm: object
) -> tuple[int, str]:
    import io

    cfg = load_config(config)
    aws = connect(None, None, env.url, cfg.region)
    out = io.StringIO()
    printer = Printer(stream=out, clock=clock, sleep=clock.sleep)
    opts = DeployOptions(interactive=True, out_dir=env.workdir / "output")
    return deploy(aws, cfg, opts, printer, confirm), out.getvalue()  # type: ignore[arg-type]


def test_time_at_the_prompt_is_not_counted_and_a_long_wait_has_a_heartbeat(env: Env) -> None:
    hold = env.control.fault("hold", stack=STACK)

    def release_later(sleeps: int) -> None:
        if sleeps == 14:  # the deploy has polled a while without news: let it finish
            env.control.release(hold)

    clock = FakeClock(release_later)

    def think_for_ten_minutes(prompt: str) -> bool:
        clock.now += 600
        return True

    code, out = _deploy_in_process(env, env.config(), clock, think_for_ten_minutes)
    assert code == 0, out
    finished = re.search(r"^stack cfngen-dev: CREATE_COMPLETE in (?:(\d+)m)?(\d+)s$", out, re.M)
    assert finished, out
    took = int(finished.group(1) or 0) * 60 + int(finished.group(2))
    assert took < 300  # the polling only, not the 600 s at the prompt
    assert re.search(r"^\d\d:\d\d  \.\.\. still (in progress|waiting)", out, re.M), out


def test_losing_the_endpoint_while_watching_says_how_to_resume(env: Env, tmp_path: Path) -> None:
    with own_endpoint(tmp_path) as (url, stop):
        from cfngen.emulator import EmulatorClient

        EmulatorClient(url).fault("hold", stack=STACK)
        proc = run_cli(
            ["deploy", "--config", str(env.config()), "--yes", "--endpoint-url", url],
            env.workdir,
            env_extra={"AWS_MAX_ATTEMPTS": "1"},
        )
        wait_for_line(proc, "User Initiated")
        stop()
        _, err = proc.communicate(timeout=GUARD)
        assert proc.returncode == 1
        assert "lost the connection to the endpoint while watching" in err
        assert (
            f"Resume watching with: cfngen watch --config {env.config()} --endpoint-url {url}"
            in err
        )
        assert "Traceback" not in err


def test_deploy_with_manifests_on_the_local_endpoint_skips_kubectl_in_one_line(env: Env) -> None:
    code, out, err = env.cfngen(
        "deploy", "--config", str(env.config()), "--yes", "--with-manifests"
    )
    assert code == 0, err
    said = [line for line in (out + err).splitlines() if "kubernetes: local endpoint" in line]
    assert len(said) == 1
    assert said[0].startswith("kubernetes: local endpoint, no Kubernetes API to apply to (skipped")
    assert "kubectl" not in out + err


def test_an_engine_that_loses_a_nested_failure_never_gets_exit_0(env: Env) -> None:
    env.control.fault("fail_resource", type="AWS::EKS::Nodegroup", reason="no capacity (injected)")
    env.control.fault("lose_nested_failure")
    code, out, err = env.cfngen("deploy", "--config", str(env.config()), "--yes")
    assert code == 1, out
    assert "stack cfngen-dev reports CREATE_COMPLETE, but the operation is not complete" in err
    assert "failed: Eks (AWS::CloudFormation::Stack): CREATE_FAILED" in err
    assert not (env.workdir / "output" / "dev" / "outputs.json").exists()


def test_declining_a_stack_set_plan_leaves_the_bucket_policy_as_it_was(env: Env) -> None:
    accounts = ["--accounts", "111111111111,222222222222", "--regions", "us-east-1"]
    args = ["stackset", "deploy", "--config", str(env.config()), *accounts]
    term = Terminal([*args, "--endpoint-url", env.url], env.workdir)
    term.expect("~ bucket policy of cfngen-templates-123456789012-us-east-1")
    term.expect("Apply these changes? [y/N]")
    term.send("n\n")
    assert term.finish() == 0, term.text
    assert "cancelled; nothing changed" in term.text
    policy = json.loads(
        env.client("s3").get_bucket_policy(Bucket="cfngen-templates-123456789012-us-east-1")[
            "Policy"
        ]
    )
    assert [s.get("Sid") for s in policy["Statement"]] == ["DenyInsecureTransport"]
    assert env.client("cloudformation").list_stack_sets()["Summaries"] == []


def test_waiting_for_a_busy_stack_that_has_no_events_yet() -> None:
    """A stack busy before its first event: the watcher starts from the beginning of time
    (an aware one: CloudFormation's event times carry a time zone)."""
    from datetime import UTC, datetime

    import boto3
    from botocore.stub import Stubber

    cfn = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"
    busy = {"StackName": "s", "StackId": stack_id, "CreationTime": datetime.now(UTC)}
    event = {
        "StackId": stack_id,
        "EventId": "e1",
        "StackName": "s",
        "LogicalResourceId": "s",
        "ResourceType": "AWS::CloudFormation::Stack",
        "Timestamp": datetime(2026, 1, 1, tzinfo=UTC),
        "ResourceStatus": "UPDATE_COMPLETE",
    }
    with Stubber(cfn) as stub:
        stub.add_response("describe_stack_events", {"StackEvents": []})
        stub.add_response(
            "describe_stacks", {"Stacks": [{**busy, "StackStatus": "UPDATE_IN_PROGRESS"}]}
        )
        stub.add_response("describe_stack_events", {"StackEvents": []})  # started_by: nothing
        stub.add_response("describe_stack_events", {"StackEvents": [event]})
        stub.add_response(
            "describe_stacks", {"Stacks": [{**busy, "StackStatus": "UPDATE_COMPLETE"}]}
        )
        import io

        out = io.StringIO()
        final = wait_until_idle(cfn, stack_id, Printer(stream=out), sleep=lambda _: None)
    assert final == "UPDATE_COMPLETE"
    assert "UPDATE_COMPLETE" in out.getvalue()


def test_manifests_apply_on_the_local_endpoint_is_one_line_like_destroy(env: Env) -> None:
    config = str(env.config())
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    code, out, err = env.cfngen("manifests", "apply", "--config", config)
    assert code == 0, err
    said = (out + err).strip().splitlines()
    assert said[-1].startswith("kubernetes: local endpoint, no Kubernetes API to apply to")
    assert (env.workdir / "output" / "dev" / "manifests" / "rendered.yaml").is_file()
    assert "kubectl" not in out + err and "TLS" not in out + err
    code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0
    assert "kubernetes: local endpoint, no Kubernetes API to clean up (skipped)" in out + err
