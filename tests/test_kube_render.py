"""Rendering: overlay + rendered YAML from stack outputs, no cluster, no kubectl."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from cfngen.cli import main
from cfngen.config import load, loads
from cfngen.kube import kustomize, render
from cfngen.kube.check import custom_problems, is_custom, schema_version, supported_versions
from conftest import CONFIGS, GUARD, ROOT

BASE = ROOT / "manifests"
REPO_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cfngen-dev/app"


def _outputs(tmp: Path, **extra: str) -> Path:
    path = tmp / "output" / "dev" / "outputs.json"
    path.parent.mkdir(parents=True)
    data = {"AppRepositoryUri": REPO_URI, "EksClusterName": "cfngen-dev", **extra}
    path.write_text(json.dumps(data))
    return path


ECR_APP = "kubernetes: {image: app, tag: '0.1.0'}\n"  # pods run the image pushed to app


def _render_cli(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, *extra: str, config_text: str = ECR_APP
) -> int:
    monkeypatch.chdir(tmp)
    config = tmp / "config.yaml"
    config.write_text(config_text)
    return main(["manifests", "render", "--config", str(config), "--base", str(BASE), *extra])


def _by_kind(objects: list[dict]) -> dict[str, dict]:
    return {d["kind"]: d for d in objects}


def test_render_from_outputs_json_fills_in_the_ecr_image(tmp_path, monkeypatch) -> None:
    _outputs(tmp_path)
    assert _render_cli(tmp_path, monkeypatch) == 0
    out = tmp_path / "output" / "dev" / "manifests"
    assert sorted(p.name for p in out.iterdir()) == ["base", "kustomization.yaml", "rendered.yaml"]
    assert sorted(p.name for p in (out / "base").iterdir()) == sorted(
        p.name for p in BASE.glob("*.yaml")
    )
    objects = [d for d in yaml.safe_load_all((out / "rendered.yaml").read_text()) if d]
    kinds = _by_kind(objects)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == f"{REPO_URI}:0.1.0"
    assert ":latest" not in (out / "rendered.yaml").read_text()
    assert {d["metadata"].get("namespace") for d in objects if d["kind"] != "Namespace"} == {
        "cfngen"
    }
    assert kinds["Namespace"]["metadata"]["name"] == "cfngen"
    for d in objects:
        assert d["metadata"]["labels"]["cfngen.io/environment"] == "dev"
    overlay = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert overlay["images"] == [
        {"name": "public.ecr.aws/nginx/nginx-unprivileged", "newName": REPO_URI, "newTag": "0.1.0"}
    ]
    assert overlay["resources"] == ["base"]


def test_replicas_go_to_the_hpa_and_the_deployment_has_none(tmp_path) -> None:
    cfg = loads(
        "kubernetes: {replicas: 3, hpa: {max_replicas: 9, cpu_utilization: 55}, "
        "namespace: shop, labels: {team: payments}, container_port: 9000, "
        "health_check_path: /healthz}"
    )
    m = render.render(cfg, {"AppRepositoryUri": REPO_URI}, "test", base=BASE)
    kinds = _by_kind(m.objects)
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 9)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 55
    deployment = kinds["Deployment"]
    assert "replicas" not in deployment["spec"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"][0]["containerPort"] == 9000
    assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert deployment["spec"]["template"]["metadata"]["labels"]["team"] == "payments"
    assert deployment["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "app"}}
    assert {d["metadata"].get("namespace", d["metadata"]["name"]) for d in m.objects} == {"shop"}


def test_a_digest_pins_the_image_by_digest() -> None:
    digest = "sha256:" + "a" * 64
    cfg = loads(f"kubernetes: {{image: app, tag: '{digest}'}}")
    m = render.render(cfg, {"AppRepositoryUri": REPO_URI}, "test", base=BASE)
    assert m.image == f"{REPO_URI}@{digest}"


WITH_CLUSTER = [c for c in CONFIGS if load(c).eks.enabled]  # the others have no manifests


@pytest.mark.parametrize("config", WITH_CLUSTER, ids=[c.stem for c in WITH_CLUSTER])
def test_rendered_manifests_are_strictly_valid_for_the_cluster_version(config: Path) -> None:
    cfg = load(config)
    m = render.render(cfg, render.placeholder_outputs(cfg), "placeholder", base=BASE)
    version, _ = schema_version(cfg.eks.version, supported_versions())
    for d in m.objects:
        if not is_custom(d):  # Auto Mode's IngressClassParams: a CRD, checked by its schema
            kubernetes_validate.validate(d, f"{version}.0", strict=True)
    assert custom_problems(m.objects, config.stem) == []


def test_the_base_is_hardened() -> None:
    kinds = _by_kind(kustomize.build(BASE))
    assert set(kinds) >= {
        "Namespace", "ServiceAccount", "Deployment", "Service",
        "PodDisruptionBudget", "HorizontalPodAutoscaler",
    }  # fmt: skip
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    c = pod["containers"][0]
    sc = c["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert set(c["resources"]) == {"requests", "limits"}
    assert "readinessProbe" in c and "livenessProbe" in c
    zones = [t["topologyKey"] for t in pod["topologySpreadConstraints"]]
    assert "topology.kubernetes.io/zone" in zones
    svc = kinds["Service"]
    assert svc["spec"]["type"] == "LoadBalancer"
    notes = svc["metadata"]["annotations"]
    assert notes["service.beta.kubernetes.io/aws-load-balancer-type"] == "nlb"
    assert notes["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_python_overlay_resolution_matches_kubectl_kustomize(tmp_path) -> None:
    cfg = loads("kubernetes: {labels: {team: a}, tag: '2.0'}")
    m = render.render(cfg, {"AppRepositoryUri": REPO_URI}, "test", base=BASE)
    render.write(m, tmp_path / "m")
    built = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path / "m")],
        capture_output=True, text=True, check=True, timeout=GUARD,
    ).stdout  # fmt: skip
    assert list(yaml.safe_load_all(built)) == m.objects


def test_rendering_is_deterministic(tmp_path) -> None:
    cfg = loads("")
    a = render.render(cfg, {"AppRepositoryUri": REPO_URI}, "test", base=BASE)
    b = render.render(cfg, {"AppRepositoryUri": REPO_URI}, "test", base=BASE)
    assert a.files == b.files


def test_missing_outputs_json_says_what_to_run(tmp_path, monkeypatch, capsys) -> None:
    assert _render_cli(tmp_path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "output/dev/outputs.json not found" in err
    assert "cfngen deploy" in err and "--placeholder" in err
    assert not (tmp_path / "output" / "dev" / "manifests").exists()


def test_outputs_without_the_repository_uri_are_refused(tmp_path, monkeypatch, capsys) -> None:
    path = tmp_path / "output" / "dev" / "outputs.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"EksClusterName": "cfngen-dev"}))
    assert _render_cli(tmp_path, monkeypatch) == 2
    assert "no output AppRepositoryUri" in capsys.readouterr().err


def test_placeholder_renders_without_a_deployment(tmp_path, monkeypatch, capsys) -> None:
    assert _render_cli(tmp_path, monkeypatch, "--placeholder", "--out", "x") == 0
    rendered = (tmp_path / "x" / "rendered.yaml").read_text()
    assert "000000000000.dkr.ecr.us-east-1.amazonaws.com/cfngen-dev/app:0.1.0" in rendered
    assert "do not apply" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("{tag: latest}", "kubernetes.tag: 'latest' is refused"),
        ("{tag: 'v1 2'}", "kubernetes.tag: 'v1 2' is neither an image tag"),
        (
            "{image: web, tag: '1'}\necr: {repositories: [{name: app}]}",
            "kubernetes.image: 'web' names no repository in ecr.repositories (app)",
        ),
        (
            "{image: web}",
            "kubernetes.tag (default): give the tag (or sha256:<digest>) of the "
            "image to run: no ECS service runs 'web' with a version tag to follow",
        ),
        (
            "{image: 'ghcr.io/acme/app:1.0'}",
            "kubernetes.image: 'ghcr.io/acme/app:1.0' is not an image name",
        ),
        ("{replicas: 0}", "kubernetes.replicas: 0 is not allowed; use 1 or more"),
        ("{replicas: 4, hpa: {max_replicas: 3}}", "kubernetes.hpa.max_replicas: 3 is below"),
        ("{hpa: {cpu_utilization: 150}}", "kubernetes.hpa.cpu_utilization: 150 is not a"),
        ("{container_port: 80}", "kubernetes.container_port: 80 is not allowed; use 1024-65535"),
        ("{namespace: Shop}", "kubernetes.namespace: 'Shop' is not a namespace name"),
        ("{namespace: default}", "kubernetes.namespace: 'default' is a system namespace"),
        ("{health_check_path: ok}", "kubernetes.health_check_path: 'ok' must start with '/'"),
        ("{resources: {cpu_request: 2, cpu_limit: 1}}", "was read as a number, not a string"),
        ("{resources: {cpu_request: '2', cpu_limit: 500m}}", "cpu_request: 2 is above cpu_limit"),
        ("{resources: {memory_limit: 1GB}}", "memory_limit: '1GB' is not a positive memory"),
        ("{labels: {app.kubernetes.io/name: x}}", "labels.app.kubernetes.io/name: reserved"),
        ("{labels: {team: 'a b'}}", "kubernetes.labels.team: 'a b' is not a label value"),
    ],
)
def test_bad_kubernetes_settings_name_key_value_and_rule(snippet: str, message: str) -> None:
    from cfngen.config import ConfigError

    with pytest.raises(ConfigError) as info:
        loads(f"kubernetes: {snippet}")
    assert message in str(info.value)


def test_schema_version_falls_back_to_the_newest_with_a_note() -> None:
    assert schema_version("1.33", ["1.32", "1.33"]) == ("1.33", "")
    version, note = schema_version("1.40", ["1.32", "1.33"])
    assert version == "1.33" and "newest it has, 1.33" in note
    assert "1.33" in supported_versions()


def test_without_a_kubernetes_section_the_pods_run_a_public_image_that_starts() -> None:
    """The default needs no push: nginx-unprivileged runs as any non-root user, writes only
    to /tmp (an emptyDir in the base) and listens on 8080, the base's container port."""
    cfg = loads("ecr: {repositories: [{name: backend}]}")
    m = render.render(cfg, {}, "no outputs needed", base=BASE)
    assert m.image == "public.ecr.aws/nginx/nginx-unprivileged:1.29-alpine"
    container = _by_kind(m.objects)["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"][0]["containerPort"] == 8080
    assert render.placeholder_outputs(cfg) == {}


def test_the_pods_follow_the_first_ecs_service_that_runs_a_pushed_image() -> None:
    cfg = loads(
        "ecs:\n  services:\n"
        "    - {name: web, image: public.ecr.aws/nginx/nginx, tag: stable}\n"
        "    - {name: api, image: api, tag: '2.1.0', container_port: 9000, "
        "health_check_path: /health, path_patterns: [/api/*]}\n"
    )
    k = cfg.kubernetes
    assert (k.image, k.tag, k.container_port, k.health_check_path) == (
        "api", "2.1.0", 9000, "/health",
    )  # fmt: skip
    assert [r.name for r in cfg.ecr.repositories] == ["api"]
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cfngen-dev/api"
    m = render.render(cfg, {"ApiRepositoryUri": uri}, "test", base=BASE)
    assert m.image == f"{uri}:2.1.0"
