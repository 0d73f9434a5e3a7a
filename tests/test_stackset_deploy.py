"""`cfngen stackset` end to end against the local endpoint (moto + cfngen.emulator gap fills).

Real HTTP from boto3 and from the AWS CLI; nothing of cfngen is mocked. The
platform's full nested templates are deployed into 2 accounts x 2 regions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cfngen.cli import main
from cfngen.emulator import TEST_CREDENTIALS, Emulator
from cfngen.emulator import stacksets as emulated_stacksets

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = ["111111111111", "222222222222"]
REGIONS = ["us-east-1", "eu-west-1"]
NAME = "cfngen-dev"
BUCKET = "cfngen-templates-123456789012-us-east-1"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    emulated_stacksets.install()
    with Emulator() as emu:
        # The deployer's new template bucket gets a TLS-only Deny policy, and moto, served
        # over plain http on loopback, then answers 403 to every HEAD; a bucket that
        # already exists keeps that policy off (reported to the deployer's owner).
        s3 = boto3.client(
            "s3",
            endpoint_url=emu.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield emu.url


@pytest.fixture
def aws_env(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return endpoint


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
        timeout=60,
        env={**os.environ, **TEST_CREDENTIALS},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout or "{}")


def test_deploy_two_accounts_two_regions(aws_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli(
        aws_env, "deploy", "--accounts", ",".join(ACCOUNTS), "--regions", ",".join(REGIONS), "--yes"
    )
    out = capsys.readouterr()
    print(out.out, out.err)
    assert rc == 0
    listed = aws_cli(aws_env, "cloudformation", "list-stack-instances", "--stack-set-name", NAME)
    rows = {(s["Account"], s["Region"]): s["Status"] for s in listed["Summaries"]}
    assert rows == {(a, r): "CURRENT" for a in ACCOUNTS for r in REGIONS}
