"""Every failure path of the deployer, driven by faults injected at the local endpoint.

Each test checks the message a user sees and the exit code (1 failed, 2 usage).
"""

from __future__ import annotations

import json
import re
import signal

import pytest
from botocore.retries.standard import ExponentialBackoff

from cfngen.cli import main
from conftest import GUARD
from deploy_env import *  # noqa: F403
from deploy_env import STACK, Env, release_when_it_waits, run_cli, wait_for_line

FAULT_REASON = "Nodegroup cfngen-dev failed: instance type not available (injected)"
NOWHERE = "http://aws.invalid"  # not loopback, never resolves: nothing is ever sent
WEB = {"name": "web", "image": "public.ecr.aws/nginx/nginx", "tag": "stable"}


def _deploy(env: Env, config: str, *extra: str) -> tuple[int, str, str]:
    return env.cfngen("deploy", "--config", config, "--yes", *extra)


def test_failed_first_create_then_a_plain_retry_succeeds(env: Env) -> None:
    """RetainExceptOnCreate: the rollback deletes the repository and log group it created,
    so the retry (no flag, no manual clean-up) replaces the empty stack and succeeds."""
    config = str(env.config())
    env.control.fault("fail_resource", type="AWS::EKS::Nodegroup", reason=FAULT_REASON)
    code, _, err = _deploy(env, config)
    assert code == 1
    assert f"cause: Eks: NodeGroup (AWS::EKS::Nodegroup): {FAULT_REASON}" in err
    assert "ROLLBACK_COMPLETE" in err
    assert "run deploy again" in err
    assert env.stack()["StackStatus"] == "ROLLBACK_COMPLETE"
    assert env.client("ecr").describe_repositories()["repositories"] == []
    assert env.client("logs").describe_log_groups()["logGroups"] == []

    env.control.clear_faults()
    code, out, err = _deploy(env, config)
    assert code == 0, err
    assert "is ROLLBACK_COMPLETE from a failed first create; deleting it" in out
    assert env.stack()["StackStatus"] == "CREATE_COMPLETE"
    repos = env.client("ecr").describe_repositories()["repositories"]
    assert [r["repositoryName"] for r in repos] == ["cfngen-dev/app"]


def test_deploy_destroy_deploy_adopts_what_destroy_kept(env: Env) -> None:
    config = str(env.config())
    assert _deploy(env, config)[0] == 0
    code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0, err
    assert re.search(r"^stack cfngen-dev: DELETE_COMPLETE in \d+(m\d\d)?s$", out, re.M)
    assert re.search(r"^  AWS::ECR::Repository +cfngen-dev/app +\(Ecr/AppRepository\)$", out, re.M)
    assert (
        f"aws ecr delete-repository --repository-name cfngen-dev/app --force --region us-east-1 "
        f"--endpoint-url {env.url}"
    ) in out
    assert env.client("ecr").describe_repositories()["repositories"]  # kept, as it said
    code, out, err = _deploy(env, config)
    assert code == 0, err
    assert "preflight: AWS::ECR::Repository cfngen-dev/app (ecr/AppRepository) exists" in out
    assert re.search(r"Ecr +Import +AppRepository +AWS::ECR::Repository", out)
    assert "to import (kept by an earlier stack)" in out
    assert "IMPORT_COMPLETE" in out
    resources = env.client("cloudformation").describe_stack_resources(
        StackName=_nested_id(env, "Ecr")
    )["StackResources"]
    assert [(r["LogicalResourceId"], r["PhysicalResourceId"]) for r in resources] == [
        ("AppRepository", "cfngen-dev/app")
    ]


def _nested_id(env: Env, logical_id: str) -> str:
    res = env.client("cloudformation").describe_stack_resource(
        StackName=STACK, LogicalResourceId=logical_id
    )
    return str(res["StackResourceDetail"]["PhysicalResourceId"])


def test_delete_on_failure_leaves_no_dead_stack(env: Env) -> None:
    env.control.fault("fail_resource", type="AWS::EC2::Subnet", reason="no capacity (injected)")
    code, _, err = _deploy(env, str(env.config()), "--delete-on-failure")
    assert code == 1
    assert "Network: PublicSubnet" in err
    assert "--delete-on-failure" in err
    assert env.stack() is None


def test_replace_failed_refuses_stacks_cfngen_did_not_create(env: Env) -> None:
    cfn = env.client("cloudformation")
    body = '{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}'
    env.control.fault("fail_resource", type="AWS::S3::Bucket")
    cfn.create_stack(StackName=STACK, TemplateBody=body)
    env.control.clear_faults()
    assert env.stack()["StackStatus"] == "ROLLBACK_COMPLETE"
    code, _, err = _deploy(env, str(env.config()), "--replace-failed")
    assert code == 1
    assert "not created by cfngen" in err


def test_update_rollback_failed_needs_continue_rollback(env: Env) -> None:
    assert _deploy(env, str(env.config()))[0] == 0
    changed = str(env.config("changed", ecs={"services": [{**WEB, "desired_count": 3}]}))
    env.control.fault("fail_resource", type="AWS::ECS::Service", reason="service limit (injected)")
    env.control.fault("fail_rollback")
    code, _, err = _deploy(env, changed)
    assert code == 1
    assert "UPDATE_ROLLBACK_FAILED" in err
    assert "EcsAlb: WebService (AWS::ECS::Service): service limit (injected)" in err
    env.control.clear_faults()
    code, _, err = _deploy(env, changed)
    assert code == 1
    assert "--continue-rollback" in err
    code, out, err = _deploy(env, changed, "--continue-rollback")
    assert code == 0, err
    assert "UPDATE_ROLLBACK_COMPLETE" in out
    assert env.stack()["StackStatus"] == "UPDATE_COMPLETE"


def test_failed_update_rolls_back_and_says_so(env: Env) -> None:
    assert _deploy(env, str(env.config()))[0] == 0
    changed = str(env.config("changed", ecs={"services": [{**WEB, "desired_count": 3}]}))
    env.control.fault("fail_resource", type="AWS::ECS::Service", reason="boom (injected)")
    code, _, err = _deploy(env, changed)
    assert code == 1
    assert "UPDATE_ROLLBACK_COMPLETE" in err
    assert "EcsAlb: WebService (AWS::ECS::Service): boom (injected)" in err
    assert env.stack()["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"


def test_busy_stack_waits_or_fails_fast_with_no_wait(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(env.config())
    assert _deploy(env, config)[0] == 0
    busy = env.control.fault("busy", stack=STACK, status="UPDATE_IN_PROGRESS")
    code, _, err = _deploy(env, config, "--no-wait")
    assert code == 1
    assert "busy (UPDATE_IN_PROGRESS)" in err
    assert [f["id"] for f in env.control.faults()] == [busy]  # still busy
    # Without --no-wait the deploy says it waits and sleeps between looks; the stack turns
    # idle during its first sleep, it finds it idle on the next look and carries on.
    sleeps = release_when_it_waits(monkeypatch, env.control, busy)
    code, out, err = _deploy(env, config)
    assert code == 0, err
    assert "is busy (UPDATE_IN_PROGRESS); waiting" in out  # a busy fault: no token to name
    assert len(sleeps) == 1
    assert "no changes" in out
    assert env.control.faults() == []


def test_change_set_failed_for_another_reason_is_shown_and_cleaned_up(env: Env) -> None:
    reason = "Template error: the number of resources exceeds the limit (injected)"
    env.control.fault("fail_change_set", reason=reason)
    code, _, err = _deploy(env, str(env.config()))
    assert code == 1
    assert reason in err
    assert env.stack() is None  # the REVIEW_IN_PROGRESS placeholder is gone too


def test_throttling_is_retried(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore's own jittered backoff (up to 2**n s per retry) is not under test here, and
    # would make this test sleep for seconds: a short fixed delay keeps its retry path.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    env.control.fault("throttle", action="CreateChangeSet", count=2)
    env.control.fault("throttle", action="DescribeStackEvents", count=3)
    env.control.fault("throttle", action="HeadObject", count=2)
    code, _, err = _deploy(env, str(env.config()))
    assert code == 0, err
    calls = env.calls()
    assert calls["cloudformation:CreateChangeSet"] == 3
    assert calls["cloudformation:ExecuteChangeSet"] == 1


def test_missing_credentials_and_profile_are_one_line_errors(env: Env, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(env.workdir / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(env.workdir / "none"))
    # Only a loopback endpoint makes do without credentials; `.invalid` never resolves.
    code = main(["deploy", "--config", str(env.config()), "--yes", "--endpoint-url", NOWHERE])
    err = env.capsys.readouterr().err
    assert code == 2
    assert err.startswith("cfngen: no AWS credentials found")
    assert len(err.strip().splitlines()) == 1
    code, _, err = env.cfngen("outputs", "--config", str(env.config()), "--profile", "nope")
    assert code == 2
    assert "profile 'nope' not found" in err


def test_the_local_endpoint_needs_no_credentials(env: Env, monkeypatch) -> None:
    """README: a rehearsal against `cfngen emulator` works with nothing configured."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(env.workdir / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(env.workdir / "none"))
    code, out, err = env.cfngen("deploy", "--config", str(env.config()), "--yes")
    assert code == 0, out + err
    code, out, err = env.cfngen("outputs", "--config", str(env.config()))
    assert code == 0, err
    assert json.loads(out)["EksClusterName"] == "cfngen-dev"
    code, out, err = env.cfngen("outputs", "--config", str(env.config()), "--profile", "nope")
    assert code == 2  # a profile asked for is never replaced by the test keys
    assert "profile 'nope' not found" in err


def test_no_terminal_without_yes_never_prompts(env: Env) -> None:
    code, _, err = env.cfngen("deploy", "--config", str(env.config()))
    assert code == 2
    assert "pass --yes" in err
    assert env.stack() is None


def test_ctrl_c_while_watching_says_how_to_resume(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(env.config())
    # The create stays in progress (its final event hidden) until released: the deploy
    # cannot finish before Ctrl-C; `cfngen watch` below releases it when it first waits.
    hold = env.control.fault("hold", stack=STACK)
    proc = run_cli(["deploy", "--config", config, "--yes", "--endpoint-url", env.url], env.workdir)
    # printed by the watcher, which cannot finish while the hold lasts
    wait_for_line(proc, "User Initiated", "cfngen-dev (AWS::CloudFormation::Stack)")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130
    assert "the operation goes on in CloudFormation" in err
    assert f"cfngen watch --config {config} --endpoint-url {env.url}" in err
    assert "Traceback" not in err
    sleeps = release_when_it_waits(monkeypatch, env.control, hold)
    code, out, _ = env.cfngen("watch", "--config", config)
    assert code == 0
    assert len(sleeps) == 1
    assert re.search(
        r"is busy \(CREATE_IN_PROGRESS\), started by cfngen deploy of \S+@\S+ at [-\d: ]+Z; "
        "waiting",
        out,
    )
    assert "CREATE_COMPLETE" in out
    assert env.control.faults() == []
