"""The AWS CLI against the same local endpoint: it deploys our templates, and sees our stacks."""

from __future__ import annotations

import json
import os
import subprocess

from cfngen.emulator import TEST_CREDENTIALS
from conftest import GUARD
from deploy_env import *  # noqa: F403
from deploy_env import STACK, VENV_BIN, Env


def aws(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    # AWS_ENDPOINT_URL too: `aws cloudformation package` makes its S3 client without the flag.
    environ = {
        **os.environ,
        **TEST_CREDENTIALS,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": env.url,
    }
    return subprocess.run(
        [str(VENV_BIN / "aws"), *args, "--endpoint-url", env.url, "--region", "us-east-1"],
        cwd=env.workdir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )


def test_aws_cli_package_and_deploy_our_templates(env: Env) -> None:
    assert env.cfngen("generate", "--config", str(env.config()), "--out", "templates")[0] == 0
    env.client("s3").create_bucket(Bucket="cli-templates")
    packaged = aws(
        env,
        "cloudformation",
        "package",
        "--template-file",
        "templates/root.yaml",
        "--s3-bucket",
        "cli-templates",
        "--output-template-file",
        "packaged.yaml",
    )
    assert packaged.returncode == 0, packaged.stderr
    deployed = aws(
        env,
        "cloudformation",
        "deploy",
        "--template-file",
        "packaged.yaml",
        "--stack-name",
        STACK,
        "--capabilities",
        "CAPABILITY_IAM",
        "CAPABILITY_NAMED_IAM",
    )
    assert deployed.returncode == 0, deployed.stderr
    stack = env.stack()
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"] for o in stack["Outputs"]}
    assert {"VpcId", "EksClusterName", "AppRepositoryUri", "LoadBalancerUrl"} <= outputs
    assert env.client("eks").describe_cluster(name="cfngen-dev")["cluster"]["status"] == "ACTIVE"


def test_aws_cli_sees_the_stacks_and_outputs_cfngen_deployed(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config()), "--yes")[0] == 0
    result = aws(env, "cloudformation", "describe-stacks", "--stack-name", STACK)
    assert result.returncode == 0, result.stderr
    stack = json.loads(result.stdout)["Stacks"][0]
    seen = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    saved = json.loads((env.workdir / "output" / "dev" / "outputs.json").read_text())
    assert seen == saved
    listed = aws(env, "cloudformation", "list-stacks", "--stack-status-filter", "CREATE_COMPLETE")
    names = [s["StackName"] for s in json.loads(listed.stdout)["StackSummaries"]]
    assert len(names) == 6
