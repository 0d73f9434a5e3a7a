"""`eks.enabled: false`: an ECS-only platform, with nothing of EKS left anywhere.

Checked in the templates (stacks, roles, outputs, subnet tags), in what the Kubernetes
commands do, and through the service APIs after a deploy on the emulator.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cfngen.cli import main
from cfngen.config import ConfigError, load, loads
from cfngen.contracts import EksOut, IamOut, Stack
from cfngen.render import render
from deploy_env import *  # noqa: F403
from deploy_env import ROOT, Env

ECS_ONLY = ROOT / "config" / "ecs-only.yaml"


def _templates(text: str) -> dict[str, dict]:
    files = render(loads(text), ["json"]).files
    return {name: json.loads(data) for name, data in files.items() if "/" not in name}


def test_no_eks_stack_roles_outputs_or_kubernetes_tags() -> None:
    on, off = _templates(""), _templates("eks: {enabled: false}")
    assert set(on) - set(off) == {"eks.json"}
    assert Stack.EKS in on["root.json"]["Resources"]
    assert Stack.EKS not in off["root.json"]["Resources"]
    assert off["root.json"]["Description"].endswith("(network, iam, ecr, ecs-alb)")
    assert not [o for o in off["root.json"]["Outputs"] if o.startswith("Eks")]
    assert {EksOut.CLUSTER_NAME, EksOut.ENDPOINT} <= set(on["root.json"]["Outputs"])
    assert sorted(off["iam.json"]["Resources"]) == ["EcsTaskExecutionRole", "EcsTaskRole"]
    assert IamOut.EKS_NODE_ROLE_ARN not in off["iam.json"]["Outputs"]
    text = json.dumps(off["network.json"])
    assert "kubernetes.io" not in text and "kubernetes.io" in json.dumps(on["network.json"])
    # Everything ECS is untouched by the switch.
    assert off["ecs-alb.json"] == on["ecs-alb.json"]
    assert off["ecr.json"] == on["ecr.json"]


def test_the_kubernetes_section_is_not_checked_without_a_cluster() -> None:
    only_api = "ecr: {repositories: [{name: api}]}\necs: {services: [{name: web, image: api}]}\n"
    bad_app = only_api + "kubernetes: {image: app, tag: '1.0'}\n"  # no repository 'app'
    with pytest.raises(ConfigError) as err:
        loads(bad_app)
    assert any(p.startswith("kubernetes.image") for p in err.value.problems)
    assert loads(bad_app + "eks: {enabled: false}\n").eks.enabled is False


def test_manifests_and_with_manifests_refuse_without_a_cluster(capsys) -> None:
    assert main(["manifests", "render", "--placeholder", "--config", str(ECS_ONLY)]) == 2
    assert "eks.enabled is false: this config has no EKS cluster" in capsys.readouterr().err
    # Refused before any AWS call: nothing listens on port 9 of loopback.
    args = ["deploy", "--config", str(ECS_ONLY), "--yes", "--with-manifests"]
    assert main([*args, "--endpoint-url", "http://127.0.0.1:9"]) == 2
    assert "--with-manifests: " in capsys.readouterr().err


def test_kube_validate_lists_only_configs_with_a_cluster() -> None:
    configs = sorted(str(p) for p in (ROOT / "config").glob("*.yaml"))
    listed = subprocess.run(
        [sys.executable, "-m", "cfngen.kube.check", "--with-cluster", *configs],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert str(ECS_ONLY) in configs and str(ECS_ONLY) not in listed
    assert listed == [c for c in configs if load(c).eks.enabled]


def test_ecs_only_deploys_and_destroys_with_no_eks_anywhere(env: Env) -> None:
    code, out, err = env.cfngen("deploy", "--config", str(ECS_ONLY), "--yes")
    assert code == 0, out + err
    assert env.client("eks").list_clusters()["clusters"] == []
    roles = [r["RoleName"] for r in env.client("iam").list_roles()["Roles"]]
    assert not [r for r in roles if "Eks" in r or "eks" in r]
    stack = env.stack("shop-dev")
    assert stack is not None
    outputs = {o["OutputKey"] for o in stack["Outputs"]}
    assert "LoadBalancerUrl" in outputs and not [o for o in outputs if o.startswith("Eks")]
    services = env.client("ecs").list_services(cluster="shop-dev")["serviceArns"]
    assert len(services) == 2
    code, out, err = env.cfngen("destroy", "--config", str(ECS_ONLY), "--yes")
    assert code == 0, out + err
    assert "kubernetes" not in out + err  # no cluster: nothing to clean up, nothing said
    assert env.stack("shop-dev") is None
