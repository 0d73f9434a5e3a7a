"""Preflight: what a deploy would hit is found by read-only calls, before anything exists.

Each case goes through the real CLI against the local endpoint and checks three things:
exit 2 with one line naming the config key and the fix, and nothing created (no stack,
no template bucket, no change set).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import GUARD
from deploy_env import *  # noqa: F403
from deploy_env import STACK, VENV_BIN, Env

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b3f4c1e-9d9a-4c1e-8f00-000000000000"


def _nothing_created(env: Env) -> None:
    assert env.stack() is None
    assert env.client("s3").list_buckets()["Buckets"] == []
    calls = env.calls()
    assert not [c for c in calls if c.split(":")[1].startswith(("Create", "Put", "Execute"))]


def test_a_certificate_that_does_not_exist_stops_the_deploy_before_any_stack(env: Env) -> None:
    config = str(env.config(alb={"certificate_arn": CERT}))
    code, _, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 2, err
    assert f"alb.certificate_arn: certificate {CERT} does not exist" in err
    assert "aws acm list-certificates --region us-east-1" in err
    _nothing_created(env)


def test_a_certificate_not_issued_or_in_another_region(env: Env) -> None:
    pending = env.client("acm").request_certificate(DomainName="app.example.com")
    config = str(env.config(alb={"certificate_arn": pending["CertificateArn"]}))
    code, _, err = env.cfngen("preflight", "--config", config)
    assert code == 2
    assert "is PENDING_VALIDATION, not ISSUED" in err
    config = str(env.config("cert", alb={"certificate_arn": CERT}))
    code, _, err = env.cfngen("diff", "--config", config, "--region", "eu-west-1")
    assert code == 2
    assert "the certificate is in us-east-1 but the load balancer is in eu-west-1" in err
    _nothing_created(env)


def test_more_azs_than_the_region_has(env: Env) -> None:
    config = str(
        env.config(
            network={
                "availability_zones": 3,
                "public_subnets": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
            }
        )
    )
    code, _, err = env.cfngen("diff", "--config", config, "--region", "us-west-1")
    assert code == 2, err
    assert "network.availability_zones: 3 AZs asked for, but us-west-1 has 2 available" in err
    _nothing_created(env)


def test_eks_version_out_of_support_and_instance_type_not_offered(env: Env) -> None:
    eks = {"version": "1.31", "node_group": {"instance_types": ["t3.medium", "x9.huge"]}}
    code, _, err = env.cfngen("deploy", "--config", str(env.config(eks=eks)), "--yes")
    assert code == 2, err
    assert "1.31" in err  # the config's own rules or the preflight refuse it
    if "preflight found" in err:
        assert "eks.version: Kubernetes 1.31 is past its end of support by EKS" in err
        assert "eks.node_group.instance_types[1]: x9.huge is not an EC2 instance type" in err
    _nothing_created(env)


def test_a_name_owned_by_another_stack_is_a_finding_one_kept_by_an_earlier_one_is_not(
    env: Env,
) -> None:
    cfn = env.client("cloudformation")
    body = (
        '{"Resources": {"Repo": {"Type": "AWS::ECR::Repository", '
        '"Properties": {"RepositoryName": "cfngen-dev/app"}}}}'
    )
    cfn.create_stack(StackName="someone-else", TemplateBody=body)
    code, _, err = env.cfngen("preflight", "--config", str(env.config()))
    assert code == 2
    assert (
        "ecr.repositories: AWS::ECR::Repository cfngen-dev/app (ecr/AppRepository) already "
        "exists and belongs to stack someone-else" in err
    )
    cfn.delete_stack(StackName="someone-else")
    env.client("ecr").create_repository(repositoryName="cfngen-dev/app")  # kept, owner gone
    code, out, err = env.cfngen("preflight", "--config", str(env.config()))
    assert code == 0, err
    assert "exists outside any stack; the deploy adopts it" in out


def test_a_vpc_quota_that_is_full(env: Env) -> None:
    ec2 = env.client("ec2")
    while len(ec2.describe_vpcs()["Vpcs"]) < 5:  # the default VPC and four more: 5 of 5
        ec2.create_vpc(CidrBlock="172.31.0.0/16")
    env.control.reset_calls()
    code, _, err = env.cfngen("deploy", "--config", str(env.config()), "--yes")
    assert code == 2, err
    assert "needs 1 more of 'VPCs per region' but 5 of 5 are in use in us-east-1" in err
    assert "request-service-quota-increase --service-code vpc --quota-code L-F678F1CE" in err
    assert env.stack() is None


def test_a_mistyped_region_fails_fast_and_creates_nothing(env: Env) -> None:
    code, _, err = env.cfngen("diff", "--config", str(env.config()), "--region", "us-eest-1")
    assert code == 2
    assert (
        "--region: 'us-eest-1' is not an AWS region; did you mean 'us-east-1' or 'us-west-1'?"
        in err
    )
    assert env.calls() == {}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, "AWS_SECRET_ACCESS_KEY is missing"),
        (
            {"AWS_SECRET_ACCESS_KEY": "secret"},
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
        ),
        ({"AWS_PROFILE": "nosuch"}, "AWS profile 'nosuch' not found (named by AWS_PROFILE)"),
    ],
)
def test_half_set_credentials_and_an_unknown_profile_exit_2_without_a_traceback(
    env: Env, variables: dict[str, str], message: str
) -> None:
    import os

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") or k in ("AWS_DEFAULT_REGION",)
    }
    clean.update(
        AWS_SHARED_CREDENTIALS_FILE=str(env.workdir / "none"),
        AWS_CONFIG_FILE=str(env.workdir / "none"),
        **variables,
    )
    proc = subprocess.run(
        [
            str(VENV_BIN / "cfngen"),
            "deploy",
            "--config",
            str(env.config()),
            "--yes",
            "--endpoint-url",
            env.url,
        ],
        cwd=env.workdir,
        env=clean,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert env.stack() is None


def test_a_mistyped_region_in_a_real_process(env: Env) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cfngen.cli",
            "diff",
            "--config",
            str(env.config()),
            "--region",
            "us-eest-1",
            "--endpoint-url",
            env.url,
        ],
        cwd=env.workdir,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("cfngen: --region: 'us-eest-1' is not an AWS region")
    assert "Traceback" not in proc.stderr
    assert env.calls() == {}
    assert STACK not in proc.stdout


def test_a_control_plane_log_group_eks_made_itself_is_adopted_and_named_with_its_fixes(
    env: Env,
) -> None:
    """The upgrade hazard: a cluster whose logging was on before cfngen declared its group.

    EKS then made /aws/eks/<cluster>/cluster itself (no retention); CloudFormation imports
    it as it is, so the preflight says what it lacks and how to align it.
    """
    logs = env.client("logs")
    logs.create_log_group(logGroupName="/aws/eks/cfngen-dev/cluster")  # as EKS makes it
    code, out, err = env.cfngen("preflight", "--config", str(env.config()))
    assert code == 0, err
    assert (
        "AWS::Logs::LogGroup /aws/eks/cfngen-dev/cluster (eks/ControlPlaneLogGroup) exists "
        "outside any stack; the deploy adopts it; CloudFormation imports it as it is "
        "(retention never expire (template: 90)): after the deploy run aws logs "
        "put-retention-policy --log-group-name /aws/eks/cfngen-dev/cluster --retention-in-days 90"
        in out
    )
    code, out, err = env.cfngen("deploy", "--config", str(env.config()), "--yes")
    assert code == 0, err + out
    (group,) = logs.describe_log_groups(logGroupNamePrefix="/aws/eks/cfngen-dev/")["logGroups"]
    assert group["logGroupName"] == "/aws/eks/cfngen-dev/cluster"
    (owned,) = env.client("cloudformation").describe_stack_resources(
        PhysicalResourceId="/aws/eks/cfngen-dev/cluster"
    )["StackResources"]
    assert owned["LogicalResourceId"] == "ControlPlaneLogGroup"


def test_a_control_plane_log_group_that_cannot_be_adopted_names_eks_logging(env: Env) -> None:
    env.client("logs").create_log_group(logGroupName="/aws/eks/cfngen-dev/cluster")
    config = env.config(retain={"log_groups": False})
    code, _, err = env.cfngen("preflight", "--config", str(config))
    assert code == 2
    assert (
        "eks.logging: AWS::Logs::LogGroup /aws/eks/cfngen-dev/cluster (eks/ControlPlaneLogGroup) "
        "already exists outside CloudFormation and would clash" in err
    )
    assert "set retain.log_groups: true to adopt it, remove it (`aws logs delete-log-group" in err
