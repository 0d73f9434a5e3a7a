"""`cfngen manifests apply` and the destroy hook, up to the exact commands and files.

kubectl and aws are fake executables on PATH (see kube_fakes); EKS is moto's,
in process. No cluster, no network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from cfngen.cli import main
from cfngen.config import load
from cfngen.kube import apply as kube_apply
from cfngen.kube.kubeconfig import ClusterError, cluster_from_describe
from cfngen.kube.kubectl import Kubectl
from cfngen.kube.steps import before_destroy as destroy_hook
from conftest import ROOT
from kube_fakes import FakeTools, install

CONFIG = str(ROOT / "config" / "default.yaml")
BASE = str(ROOT / "manifests")
HOST = "a1b2c3-123.elb.us-east-1.amazonaws.com"
UNAUTHORIZED = "error: You must be logged in to the server (Unauthorized)\n"


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    tools = install(tmp_path)
    monkeypatch.setenv("PATH", f"{tools.bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TOOLS_DIR", str(tools.state))
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "output" / "dev"
    out.mkdir(parents=True)
    (out / "outputs.json").write_text(
        json.dumps(
            {
                "AppRepositoryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/cfngen-dev/app",
                "EksClusterName": "cfngen-dev",
                "VpcId": "vpc-0abc",
            }
        )
    )
    return tools


def _cluster(name: str = "cfngen-dev", **vpc_config: object) -> dict:
    eks = boto3.client("eks", region_name="us-east-1")
    eks.create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"], **vpc_config},
    )
    return eks.describe_cluster(name=name)["cluster"]


def _k(*args: str) -> list[str]:
    return ["kubectl", "--kubeconfig", "output/dev/kubeconfig", *args]


@mock_aws
def test_apply_writes_the_kubeconfig_and_runs_exactly_these_commands(fakes, capsys) -> None:
    cluster = _cluster()
    fakes.reply("auth can-i", stdout="yes\n")
    fakes.reply("apply --server-side", stdout="deployment.apps/app serverside-applied\n")
    fakes.reply("rollout status", stdout='deployment "app" successfully rolled out\n')
    fakes.reply("get service app", stdout=HOST)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 0

    kubeconfig = Path("output/dev/kubeconfig")
    assert kubeconfig.stat().st_mode & 0o777 == 0o600
    assert kubeconfig.read_text() == (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        "- name: cfngen-dev\n"
        "  cluster:\n"
        f"    server: {cluster['endpoint']}\n"
        f"    certificate-authority-data: {cluster['certificateAuthority']['data']}\n"
        "contexts:\n"
        "- name: cfngen-dev\n"
        "  context:\n"
        "    cluster: cfngen-dev\n"
        "    user: cfngen-dev\n"
        "current-context: cfngen-dev\n"
        "preferences: {}\n"
        "users:\n"
        "- name: cfngen-dev\n"
        "  user:\n"
        "    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n"
        "      command: aws\n"
        "      args:\n"
        "      - --region\n"
        "      - us-east-1\n"
        "      - eks\n"
        "      - get-token\n"
        "      - --cluster-name\n"
        "      - cfngen-dev\n"
        "      - --output\n"
        "      - json\n"
        "      interactiveMode: Never\n"
        "      provideClusterInfo: false\n"
    )
    assert fakes.calls() == [
        _k("auth", "can-i", "create", "deployments.apps", "--namespace", "cfngen",
           "--request-timeout=30s"),
        _k("apply", "--server-side", "--field-manager=cfngen", "-f",
           "output/dev/manifests/rendered.yaml"),
        _k("rollout", "status", "deployment/app", "--namespace", "cfngen", "--timeout=10m"),
        _k("get", "service", "app", "--namespace", "cfngen", "-o",
           "jsonpath={.status.loadBalancer.ingress[0].hostname}"),
    ]  # fmt: skip
    assert f"service/app: http://{HOST}/" in capsys.readouterr().err


@mock_aws
def test_a_profile_reaches_the_token_plugin(fakes, monkeypatch) -> None:
    _cluster()
    fakes.reply("auth can-i", stdout="yes\n")
    fakes.reply("", stdout=HOST)
    creds = Path("credentials")
    creds.write_text("[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds.resolve()))
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE, "--profile", "ops"]) == 0
    user = yaml.safe_load(Path("output/dev/kubeconfig").read_text())["users"][0]["user"]["exec"]
    assert user["env"] == [{"name": "AWS_PROFILE", "value": "ops"}]


@mock_aws
def test_unmapped_credentials_explain_access_entries(fakes, capsys) -> None:
    _cluster()
    fakes.reply("auth can-i", stderr=UNAUTHORIZED, rc=1)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    err = capsys.readouterr().err
    assert "does not accept your AWS identity (no access entry maps it)" in err
    assert "aws eks create-access-entry --region us-east-1 --cluster-name cfngen-dev" in err
    assert [c[3] for c in fakes.calls()] == ["auth"]  # nothing applied


@mock_aws
def test_forbidden_identity_is_told_to_associate_a_policy(fakes, capsys) -> None:
    _cluster()
    fakes.reply("auth can-i", stdout="no\n", rc=1)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    assert "may not create Deployments in namespace cfngen" in capsys.readouterr().err


@mock_aws
def test_missing_cluster_is_a_clear_error(fakes, capsys) -> None:
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    assert "EKS cluster cfngen-dev not found in us-east-1" in capsys.readouterr().err
    assert fakes.calls() == []


def test_missing_kubectl_is_a_clear_error(tmp_path, monkeypatch, capsys) -> None:
    tools = install(tmp_path, tools=("aws",))
    monkeypatch.setenv("PATH", str(tools.bin_dir))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "output" / "dev"
    out.mkdir(parents=True)
    (out / "outputs.json").write_text(json.dumps({"AppRepositoryUri": "1.dkr.ecr/x/app"}))
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 2
    assert "kubectl not found on PATH" in capsys.readouterr().err


@pytest.mark.parametrize("status", ["CREATING", "UPDATING", "DELETING", "FAILED"])
def test_a_cluster_that_is_not_active_is_refused(status: str) -> None:
    response = {
        "cluster": {"name": "c", "status": status, "endpoint": "", "certificateAuthority": {}}
    }
    with pytest.raises(ClusterError, match=f"EKS cluster c is {status}, not ACTIVE"):
        cluster_from_describe(response, "us-east-1")


def test_hostname_is_polled_until_aws_assigns_it(fakes) -> None:
    fakes.reply("get service", stdout="", times=2)
    fakes.reply("get service", stdout=HOST)
    kubectl = Kubectl(Path("kc"), "c", "us-east-1", str(fakes.bin_dir / "kubectl"))
    waits: list[float] = []
    assert kube_apply.wait_for_hostname(kubectl, "ns", 5, 2.0, waits.append) == HOST
    assert waits == [2.0, 2.0]
    assert len(fakes.calls()) == 3


# --------------------------------------------------------------------------- destroy


SERVICES = {
    "items": [
        {"metadata": {"namespace": "cfngen", "name": "app"}, "spec": {"type": "LoadBalancer"},
         "status": {"loadBalancer": {"ingress": [{"hostname": HOST}]}}},
        {"metadata": {"namespace": "default", "name": "kubernetes"}, "spec": {"type": "ClusterIP"}},
        {"metadata": {"namespace": "tools", "name": "grafana"}, "spec": {"type": "LoadBalancer"},
         "status": {"loadBalancer": {}}},
    ]
}  # fmt: skip


@mock_aws
def test_destroy_deletes_load_balancer_services_first_and_waits(fakes, capsys) -> None:
    _cluster()
    fakes.reply("get services --all-namespaces", stdout=json.dumps(SERVICES))
    fakes.reply("delete service", stdout="service deleted\n")
    assert destroy_hook(load(CONFIG)) is True
    assert fakes.calls() == [
        _k("get", "services", "--all-namespaces", "-o", "json", "--request-timeout=30s"),
        _k("delete", "service", "app", "--namespace", "cfngen", "--wait=true", "--timeout=10m"),
        _k("delete", "service", "grafana", "--namespace", "tools", "--wait=true",
           "--timeout=10m"),
    ]  # fmt: skip
    assert f"deleting service/app in namespace cfngen ({HOST})" in capsys.readouterr().err


@mock_aws
def test_destroy_hook_honours_the_output_dir(fakes, capsys) -> None:
    """`cfngen destroy --output-dir DIR`: the clean-up reads and writes DIR/<env>/, not output/."""
    _cluster()
    Path("elsewhere/dev").mkdir(parents=True)
    Path("elsewhere/dev/outputs.json").write_text('{"VpcId": "vpc-0elsewhere"}')
    fakes.reply("get services --all-namespaces", stdout=json.dumps({"items": []}))
    assert destroy_hook(load(CONFIG), output_root=Path("elsewhere")) is True
    assert Path("elsewhere/dev/kubeconfig").is_file()
    assert not Path("output/dev/kubeconfig").exists()
    assert fakes.calls()[0][:3] == ["kubectl", "--kubeconfig", "elsewhere/dev/kubeconfig"]


@mock_aws
def test_destroy_with_an_unreachable_cluster_says_what_may_be_left(fakes, capsys) -> None:
    assert destroy_hook(load(CONFIG)) is False  # no cluster in this account: never raises
    err = capsys.readouterr().err
    assert "EKS cluster cfngen-dev not found" in err
    assert "may be left in VPC vpc-0abc" in err
    assert "aws elbv2 describe-load-balancers --region us-east-1" in err
    assert "Name=tag-key,Values=kubernetes.io/cluster/cfngen-dev" in err
    assert fakes.calls() == []


@mock_aws
def test_destroy_when_kubectl_cannot_reach_the_api(fakes, capsys) -> None:
    _cluster()
    fakes.reply("get services", stderr="Unable to connect to the server: dial tcp: i/o timeout\n",
                rc=1)  # fmt: skip
    assert destroy_hook(load(CONFIG)) is False
    err = capsys.readouterr().err
    assert "Unable to connect to the server" in err
    assert "aws ec2 describe-security-groups" in err


# --------------------------------------------------------------------------- private endpoint

TIMEOUT = "Unable to connect to the server: dial tcp 10.40.17.5:443: i/o timeout\n"
PRIVATE = {"endpointPublicAccess": False, "endpointPrivateAccess": True}


@mock_aws
def test_private_endpoint_from_inside_the_vpc_runs_the_same_commands(fakes) -> None:
    """Nothing differs for a private-only cluster when this machine can reach it."""
    _cluster(**PRIVATE)
    fakes.reply("auth can-i", stdout="yes\n")
    fakes.reply("apply --server-side", stdout="deployment.apps/app serverside-applied\n")
    fakes.reply("rollout status", stdout='deployment "app" successfully rolled out\n')
    fakes.reply("get service app", stdout=HOST)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 0
    assert [c[3] for c in fakes.calls()] == ["auth", "apply", "rollout", "get"]
    kubeconfig = yaml.safe_load(Path("output/dev/kubeconfig").read_text())
    assert kubeconfig["clusters"][0]["cluster"]["server"].startswith("https://")


@mock_aws
def test_private_endpoint_from_outside_says_where_to_run_in_one_line(fakes, capsys) -> None:
    _cluster(**PRIVATE)
    fakes.reply("auth can-i", stderr=TIMEOUT, rc=1)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if "private API endpoint" in ln]
    assert "EKS cluster cfngen-dev has a private API endpoint only" in line
    assert "run cfngen from a machine inside VPC vpc-0abc" in line  # from outputs.json
    assert "bastion host or VPN" in line and "eks.endpoint_public_access: true" in line
    assert "i/o timeout" not in err  # kubectl's own words are replaced by the advice
    assert fakes.calls() == [
        _k("auth", "can-i", "create", "deployments.apps", "--namespace", "cfngen",
           "--request-timeout=30s"),
    ]  # fmt: skip


@mock_aws
def test_private_endpoint_destroy_from_outside_names_the_cause_and_the_leftovers(
    fakes, capsys
) -> None:
    _cluster(**PRIVATE)
    fakes.reply("get services", stderr=TIMEOUT, rc=1)
    assert destroy_hook(load(CONFIG)) is False
    err = capsys.readouterr().err
    assert "has a private API endpoint only" in err
    assert "aws elbv2 describe-load-balancers" in err  # what may be left, and how to find it


@mock_aws
def test_public_endpoint_limited_to_cidrs_names_them(fakes, capsys) -> None:
    _cluster(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])
    fakes.reply("auth can-i", stderr=TIMEOUT, rc=1)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    assert "admits only 203.0.113.0/24 to its public API endpoint" in capsys.readouterr().err


@mock_aws
def test_an_open_endpoint_that_times_out_keeps_kubectls_message(fakes, capsys) -> None:
    _cluster()
    fakes.reply("auth can-i", stderr=TIMEOUT, rc=1)
    assert main(["manifests", "apply", "--config", CONFIG, "--base", BASE]) == 1
    assert "i/o timeout" in capsys.readouterr().err


# --------------------------------------------------------------------------- deployer hooks


def _ctx(options: dict, endpoint_url: str | None = None, said: list | None = None) -> object:
    deploy_hooks = pytest.importorskip("cfngen.deploy.hooks")
    outputs = json.loads(Path("output/dev/outputs.json").read_text())
    return deploy_hooks.HookContext(
        cfg=load(CONFIG), session=boto3.Session(region_name="us-east-1"), region="us-east-1",
        endpoint_url=endpoint_url, stack_name="cfngen-dev", outputs=outputs,
        say=(said.append if said is not None else lambda line: None), options=options,
    )  # fmt: skip


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:4566", "http://localhost:4566"])
def test_pre_delete_hook_skips_the_local_endpoint(fakes, endpoint: str) -> None:
    """The emulator's EKS clusters have no Kubernetes API: say so, call no kubectl."""
    from cfngen.kube import hooks as kube_hooks

    said: list[str] = []
    kube_hooks.pre_delete(_ctx({}, endpoint, said))
    assert fakes.calls() == []
    assert said == ["kubernetes: local endpoint, no Kubernetes API to clean up (skipped)"]


@mock_aws
def test_registered_pre_delete_hook_deletes_load_balancer_services(fakes) -> None:
    from cfngen.kube import hooks as kube_hooks

    ctx = _ctx({})
    deploy_hooks = pytest.importorskip("cfngen.deploy.hooks")
    kube_hooks.register()
    try:
        _cluster()
        fakes.reply("get services", stdout=json.dumps(SERVICES))
        fakes.reply("delete service", stdout="deleted\n")
        deploy_hooks.run(deploy_hooks.pre_delete_hooks(), ctx)
    finally:
        deploy_hooks.unregister(kube_hooks.pre_delete)
        deploy_hooks.unregister(kube_hooks.post_deploy)
    assert [c[3:6] for c in fakes.calls()] == [
        ["get", "services", "--all-namespaces"],
        ["delete", "service", "app"],
        ["delete", "service", "grafana"],
    ]


@mock_aws
def test_post_deploy_hook_applies_only_with_manifests(fakes) -> None:
    from cfngen.kube import hooks as kube_hooks

    _cluster()
    fakes.reply("auth can-i", stdout="yes\n")
    fakes.reply("", stdout=HOST)
    kube_hooks.post_deploy(_ctx({}))
    assert fakes.calls() == []
    kube_hooks.post_deploy(_ctx({"with_manifests": True, "base": BASE}))
    assert [c[3] for c in fakes.calls()] == ["auth", "apply", "rollout", "get"]
    assert Path("output/dev/manifests/rendered.yaml").is_file()
