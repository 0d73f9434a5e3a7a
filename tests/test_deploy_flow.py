"""Deploy, no-op redeploy, update, diff, outputs and destroy against the local endpoint.

Real HTTP to the emulator; what got created is checked through the service APIs
(EC2, ECS, ELBv2, ECR, EKS), not only through stack status.
"""

from __future__ import annotations

import json
import re

from cfngen.contracts import RootOut
from cfngen.deploy import hooks
from deploy_env import *  # noqa: F403
from deploy_env import STACK, Env


def test_first_deploy_creates_root_nested_stacks_and_resources(env: Env) -> None:
    code, out, err = env.cfngen("deploy", "--config", str(env.config()), "--yes")
    assert code == 0, err
    assert "Plan: 30 to add, 0 to change, 0 to replace, 0 to remove (6 stacks)" in out
    cfn = env.client("cloudformation")
    stacks = cfn.describe_stacks()["Stacks"]
    root = next(s for s in stacks if s["StackName"] == STACK)
    nested = [s for s in stacks if s.get("ParentId") == root["StackId"]]
    assert root["StackStatus"] == "CREATE_COMPLETE"
    assert sorted(s["StackName"].split("-")[2] for s in nested) == [
        "Ecr",
        "EcsAlb",
        "Eks",
        "Iam",
        "Network",
    ]
    assert {s["StackStatus"] for s in nested} == {"CREATE_COMPLETE"}

    vpcs = env.client("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])
    vpc_id = vpcs["Vpcs"][0]["VpcId"]
    subnets = env.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert sorted(s["CidrBlock"] for s in subnets["Subnets"]) == ["10.0.1.0/24", "10.0.2.0/24"]
    assert len({s["AvailabilityZone"] for s in subnets["Subnets"]}) == 2
    ecs = env.client("ecs")
    assert ecs.list_services(cluster="cfngen-dev")["serviceArns"]
    lbs = env.client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert [lb["VpcId"] for lb in lbs] == [vpc_id]
    repos = env.client("ecr").describe_repositories()["repositories"]
    assert [r["repositoryName"] for r in repos] == ["cfngen-dev/app"]
    eks = env.client("eks")
    cluster = eks.describe_cluster(name="cfngen-dev")["cluster"]
    assert cluster["version"] == "1.36"
    assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(
        s["SubnetId"] for s in subnets["Subnets"]
    )
    assert eks.list_nodegroups(clusterName="cfngen-dev")["nodegroups"]

    saved = json.loads((env.workdir / "output" / "dev" / "outputs.json").read_text())
    expected = {name for _, name in RootOut.FROM_CHILDREN} | {"AppRepositoryUri"}
    assert set(saved) == expected
    assert saved["VpcId"] == vpc_id
    assert saved["EksClusterName"] == "cfngen-dev"
    text = (env.workdir / "output" / "dev" / "outputs.json").read_text()
    assert text == json.dumps(saved, indent=2, sort_keys=True) + "\n"
    packaged = json.loads((env.workdir / "output" / "dev" / "root.packaged.json").read_text())
    urls = [r["Properties"]["TemplateURL"] for r in packaged["Resources"].values()]
    assert all(u.startswith("https://cfngen-templates-123456789012-us-east-1.s3.") for u in urls)


def test_second_deploy_uploads_nothing_and_executes_nothing(env: Env) -> None:
    config = str(env.config())
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    env.control.reset_calls()
    code, out, _ = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0
    assert "no changes" in out
    calls = env.calls()
    assert calls.get("s3:PutObject", 0) == 0
    assert calls.get("cloudformation:ExecuteChangeSet", 0) == 0
    assert calls["cloudformation:DeleteChangeSet"] == 1
    assert env.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"] == []


def test_config_change_updates_only_what_changed(env: Env) -> None:
    assert env.cfngen("deploy", "--config", str(env.config()), "--yes")[0] == 0
    service = {
        "name": "web",
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "desired_count": 3,
    }
    changed = str(env.config("changed", ecs={"services": [service]}))
    env.control.reset_calls()
    code, out, err = env.cfngen("diff", "--config", changed)
    assert code == 0, err
    rows = [line.split() for line in out.splitlines() if line.startswith("  ")]
    assert ["root", "Modify", "EcsAlb", "AWS::CloudFormation::Stack", "no"] in rows
    assert ["EcsAlb", "Modify", "WebService", "AWS::ECS::Service", "no"] in rows
    assert not [r for r in rows if r[0] in ("Network", "Iam", "Ecr", "Eks")]
    assert env.calls()["s3:PutObject"] == 2  # the ecs-alb template and the new root

    env.control.reset_calls()
    code, out, err = env.cfngen("deploy", "--config", changed, "--yes")
    assert code == 0, err
    assert env.calls().get("s3:PutObject", 0) == 0  # the diff uploaded them already
    svc = env.client("ecs").describe_services(
        cluster="cfngen-dev",
        services=env.client("ecs").list_services(cluster="cfngen-dev")["serviceArns"],
    )["services"][0]
    assert svc["desiredCount"] == 3
    updated = {
        line.split()[1]
        for line in out.splitlines()
        if "UPDATE_COMPLETE " in line and not line.startswith("stack ")
    }
    assert updated == {"root", "EcsAlb"}
    assert re.search(r"^stack cfngen-dev: UPDATE_COMPLETE in \d+(m\d\d)?s$", out, re.M)


def test_diff_of_a_new_stack_leaves_nothing_behind(env: Env) -> None:
    code, out, _ = env.cfngen("diff", "--config", str(env.config()))
    assert code == 0
    assert "Network  Add     Vpc" in out
    assert env.stack() is None
    assert env.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"] == []


def test_outputs_command_prints_and_saves(env: Env) -> None:
    config = str(env.config())
    assert env.cfngen("outputs", "--config", config)[0] == 1  # nothing deployed yet
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    (env.workdir / "output" / "dev" / "outputs.json").unlink()
    code, out, _ = env.cfngen("outputs", "--config", config)
    assert code == 0
    assert json.loads(out) == json.loads((env.workdir / "output/dev/outputs.json").read_text())


def test_destroy_runs_hooks_first_then_deletes_everything(env: Env) -> None:
    config = str(env.config())
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    seen: list[tuple[str, str]] = []

    def hook(ctx: hooks.HookContext) -> None:
        stack = env.stack()
        seen.append((ctx.outputs["EksClusterName"], stack["StackStatus"] if stack else "gone"))

    hooks.register_pre_delete(hook, "test hook")
    try:
        assert env.cfngen("destroy", "--config", config)[0] == 2  # no terminal, no --yes
        code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    finally:
        hooks.unregister(hook)
    assert code == 0, out + err
    assert seen == [("cfngen-dev", "CREATE_COMPLETE")]
    assert env.stack() is None
    assert env.client("eks").list_clusters()["clusters"] == []
    summaries = env.client("cloudformation").list_stacks()["StackSummaries"]
    assert {s["StackStatus"] for s in summaries} == {"DELETE_COMPLETE"}
    assert not (env.workdir / "output/dev/outputs.json").exists()
    assert env.cfngen("destroy", "--config", config, "--yes")[0] == 0  # nothing left: fine


def test_termination_protection_blocks_destroy_until_lifted(env: Env) -> None:
    config = str(env.config(deploy={"termination_protection": True}))
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    code, _, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 1
    assert "termination protection" in err
    assert env.stack()["StackStatus"] == "CREATE_COMPLETE"
    args = ("destroy", "--config", config, "--yes", "--disable-termination-protection")
    assert env.cfngen(*args)[0] == 0
    assert env.stack() is None


def test_package_prints_url_and_quick_create_link(env: Env) -> None:
    code, out, _ = env.cfngen("package", "--config", str(env.config()))
    assert code == 0
    assert "uploaded 6, unchanged 0" in out
    assert "#/stacks/quickcreate?templateURL=https%3A%2F%2Fcfngen-templates-" in out
    code, out, _ = env.cfngen("package", "--config", str(env.config()))
    assert "uploaded 0, unchanged 6" in out
    s3 = env.client("s3")
    bucket = "cfngen-templates-123456789012-us-east-1"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"
    ]
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["Expiration"]["Days"] == 90


def test_destroy_removes_the_manifests_and_kubeconfig_of_its_environment(env: Env) -> None:
    """Rendered manifests and a kubeconfig describe stacks that no longer exist after destroy."""
    config = str(env.config())
    other = env.workdir / "output" / "prod" / "manifests"  # another environment: untouched
    other.mkdir(parents=True)
    (other / "kustomization.yaml").write_text("kind: Kustomization\n")
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    assert env.cfngen("manifests", "render", "--config", config)[0] == 0
    dev = env.workdir / "output" / "dev"
    (dev / "kubeconfig").write_text("apiVersion: v1\n")  # as `manifests apply` leaves it
    assert (dev / "manifests" / "rendered.yaml").is_file()
    code, out, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0, out + err
    # durations.json (timings of past deploys, for the next estimate) outlives the stacks
    assert sorted(p.name for p in dev.iterdir()) == ["durations.json", "root.packaged.json"]
    assert "kubernetes: removed output/dev/manifests/ and output/dev/kubeconfig" in out + err
    assert (other / "kustomization.yaml").is_file()
