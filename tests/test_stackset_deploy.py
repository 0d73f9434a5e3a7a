"""`cfngen stackset` end to end against the local endpoint (moto + cfngen.emulator gap fills).

Real HTTP from boto3 and from the AWS CLI; nothing of cfngen is mocked. The
platform's full nested templates are deployed into 2 accounts x 2 regions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from cfngen.cli import main
from cfngen.emulator import TEST_CREDENTIALS, Emulator, EmulatorClient
from conftest import GUARD

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = ["111111111111", "222222222222"]
REGIONS = ["us-east-1", "eu-west-1"]
NAME = "cfngen-dev"
BUCKET = "cfngen-templates-123456789012-us-east-1"
TWO_BY_TWO = ["--accounts", ",".join(ACCOUNTS), "--regions", ",".join(REGIONS)]
RELEASE_2 = "tags: {release: '2'}\n"
THREE_REGIONS = "  regions: [us-east-1, eu-west-1, us-west-2]\n"


@pytest.fixture
def aws_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """The worker's endpoint, emptied, with test credentials; each test deploys what it needs."""
    for key, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return emulator.url


def cfn(endpoint: str) -> object:
    return boto3.client(
        "cloudformation",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def cli(endpoint: str, *args: str, config: Path | None = None) -> int:
    cfg = ["--config", str(config or ROOT / "config" / "default.yaml")]
    return main(["stackset", *args[:1], *cfg, "--endpoint-url", endpoint, *args[1:]])


def aws_cli(endpoint: str, *args: str) -> dict:
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "aws"),
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "--output",
            "json",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=GUARD,
        env={**os.environ, **TEST_CREDENTIALS},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout or "{}")


def config(tmp_path: Path, extra: str) -> Path:
    """default.yaml with the one-line top-level keys of ``extra`` replaced (a YAML file may
    not hold a key twice)."""
    keys = {line.split(":")[0] for line in extra.splitlines() if line and line[0] != " "}
    base = [
        line
        for line in (ROOT / "config" / "default.yaml").read_text().splitlines()
        if line.split(":")[0] not in keys
    ]
    path = tmp_path / "ss.yaml"
    path.write_text("\n".join(base) + "\n" + extra)
    return path


def instance_stacks(endpoint: str) -> dict[tuple[str, str], str]:
    listed = cfn(endpoint).list_stack_instances(StackSetName=NAME)  # type: ignore[attr-defined]
    return {(s["Account"], s["Region"]): s["StackId"] for s in listed["Summaries"]}


def deployed(endpoint: str, capsys: pytest.CaptureFixture[str], *args: str, **kw: Any) -> Any:
    """Set-up: deploy with the CLI, check that it worked, forget its output."""
    assert cli(endpoint, "deploy", *args, "--yes", **kw) == 0
    capsys.readouterr()
    return instance_stacks(endpoint)


def target_stack(account: str, region: str, stack_id: str) -> Any:
    """A stack in another account, read from the in-process endpoint's backend.

    The endpoint serves one caller account (123456789012) over HTTP; the instance stacks
    live in the target accounts' backends, which this test process can read directly.
    """
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account][region]
    return backend.stacks.get(stack_id) or backend.deleted_stacks[stack_id]


def calls(endpoint: str) -> dict[str, int]:
    return {
        k: v
        for k, v in EmulatorClient(endpoint).calls().items()
        if "StackSet" in k or "StackInstances" in k
    }


def test_deploy_two_accounts_two_regions(aws_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(aws_env, "deploy", *TWO_BY_TWO, "--yes") == 0
    listed = cfn(aws_env).list_stack_instances(StackSetName=NAME)  # type: ignore[attr-defined]
    rows = {(s["Account"], s["Region"]): s["Status"] for s in listed["Summaries"]}
    assert rows == {(a, r): "CURRENT" for a in ACCOUNTS for r in REGIONS}
    ss = aws_cli(aws_env, "cloudformation", "describe-stack-set", "--stack-set-name", NAME)
    assert ss["StackSet"]["ManagedExecution"] == {"Active": True}
    assert "CAPABILITY_NAMED_IAM" in ss["StackSet"]["Capabilities"]
    body = json.loads(ss["StackSet"]["TemplateBody"])
    urls = [
        r["Properties"]["TemplateURL"]
        for r in body["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::Stack"
    ]
    assert urls and all(u.startswith(f"https://{BUCKET}.s3.us-east-1.amazonaws.com/") for u in urls)
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    principals = [
        s["Principal"]["AWS"] for s in policy["Statement"] if s.get("Sid", "").startswith("Cfngen")
    ]
    assert principals == [[f"arn:aws:iam::{a}:root" for a in ACCOUNTS]]
    # the nested stacks really exist in each target account and region
    for (account, region), stack_id in instance_stacks(aws_env).items():
        assert f":{region}:{account}:stack/StackSet-{NAME}-" in stack_id
    capsys.readouterr()

    EmulatorClient(aws_env).reset_calls()
    assert cli(aws_env, "deploy", *TWO_BY_TWO, "--yes") == 0
    assert "no changes" in capsys.readouterr().out
    mutating = [k for k in calls(aws_env) if not k.split(":")[1].startswith(("Describe", "List"))]
    assert mutating == []


def test_template_update_updates_every_instance(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = deployed(aws_env, capsys, *TWO_BY_TWO)
    cfg = config(tmp_path, RELEASE_2)
    assert cli(aws_env, "deploy", *TWO_BY_TWO, "--yes", config=cfg) == 0
    out = capsys.readouterr().out
    assert "0 to add, 4 to update, 0 to remove" in out
    assert instance_stacks(aws_env) == before  # updated in place, not replaced
    for (account, region), stack_id in before.items():
        body = target_stack(account, region, stack_id).template
        assert "release" in json.dumps(body)


def test_add_region_creates_only_new_instances(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = deployed(aws_env, capsys, *TWO_BY_TWO, config=config(tmp_path, RELEASE_2))
    cfg = config(
        tmp_path,
        RELEASE_2 + "stackset:\n  accounts: ['111111111111', '222222222222']\n" + THREE_REGIONS,
    )
    EmulatorClient(aws_env).reset_calls()
    assert cli(aws_env, "deploy", "--yes", config=cfg) == 0
    assert "2 to add, 0 to update, 0 to remove" in capsys.readouterr().out
    after = instance_stacks(aws_env)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {(a, "us-west-2") for a in ACCOUNTS}
    counted = calls(aws_env)
    assert counted.get("cloudformation:CreateStackInstances") == 1
    assert "cloudformation:UpdateStackSet" not in counted


def test_remove_account_then_status_then_destroy(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = RELEASE_2 + "stackset:\n  accounts: ['111111111111', '222222222222']\n"
    every = deployed(aws_env, capsys, config=config(tmp_path, both + THREE_REGIONS))
    assert len(every) == 6
    gone = {k: v for k, v in every.items() if k[0] == ACCOUNTS[1]}
    cfg = config(tmp_path, RELEASE_2 + "stackset:\n  accounts: ['111111111111']\n" + THREE_REGIONS)
    assert cli(aws_env, "deploy", "--yes", config=cfg) == 0
    assert "0 to add, 0 to update, 3 to remove" in capsys.readouterr().out
    assert {a for a, _ in instance_stacks(aws_env)} == {ACCOUNTS[0]}
    for (account, region), stack_id in gone.items():
        status = target_stack(account, region, stack_id).status
        assert status == "DELETE_COMPLETE"

    assert cli(aws_env, "status", config=cfg) == 0
    out = capsys.readouterr().out
    assert "3 instances" in out and out.count("CURRENT") == 3

    assert cli(aws_env, "destroy", "--yes", config=cfg) == 0
    gone_set = subprocess.run(
        [
            str(Path(sys.executable).parent / "aws"),
            "--endpoint-url",
            aws_env,
            "--region",
            "us-east-1",
            "cloudformation",
            "describe-stack-set",
            "--stack-set-name",
            NAME,
        ],
        capture_output=True,
        text=True,
        timeout=GUARD,
        env={**os.environ, **TEST_CREDENTIALS},
    )
    assert gone_set.returncode != 0 and "StackSetNotFound" in gone_set.stderr
    assert cli(aws_env, "status", config=cfg) == 1
