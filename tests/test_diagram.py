"""`cfngen diagram`: the architecture drawn from the templates, checked on what it must show."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from cfngen.config import load, loads
from cfngen.kube import render as kube_render
from cfngen.preview import diagram, diagram_mermaid
from cfngen.preview.templates import TemplateSet
from cfngen.render import render
from conftest import GUARD, ROOT


def build(text: str, kubernetes: bool = True) -> diagram.Diagram:
    cfg = loads(text)
    ts = TemplateSet.from_files(render(cfg, ("json",)).files, cfg.region)
    objects = (
        kube_render.render(cfg, kube_render.placeholder_outputs(cfg), "test").objects
        if kubernetes
        else []
    )
    return diagram.build(ts, cfg.stack_name, objects)


def production(**network: object) -> str:
    data = yaml.safe_load((ROOT / "config" / "production.yaml").read_text())
    data["network"].update(network)
    return yaml.safe_dump(data)


def labels(d: diagram.Diagram, kind: str) -> list[str]:
    return [n.label for n in d.nodes.values() if n.kind == kind]


def edge(d: diagram.Diagram, src_label: str, dst_label: str) -> list[str]:
    """Labels of the arrows between nodes whose labels start with these texts."""
    ids = {n.id: n.label for n in d.nodes.values()}
    return [
        e.label
        for e in d.edges
        if ids[e.src].startswith(src_label) and ids[e.dst].startswith(dst_label)
    ]


def test_production_shows_stacks_azs_nats_services_and_routes() -> None:
    d = build(production())
    groups = [g.label for top in d.groups for g in top.walk()]
    for stack in ("network stack", "iam stack", "ecr stack", "ecs-alb stack", "eks stack"):
        assert stack in groups
    assert sorted(g for g in groups if g.startswith("AZ ")) == ["AZ 1", "AZ 2", "AZ 3"]
    assert len(labels(d, "nat")) == 3  # nat_gateways: per_az
    services = labels(d, "service")
    assert [s.splitlines()[0] for s in services] == ["ECS service api", "ECS service web"]
    assert "3 Fargate tasks, 1 vCPU / 2 GB" in services[0]
    assert edge(d, "ALB", "ECS service api") == ["/api/*"]
    assert edge(d, "ALB", "ECS service web") == ["default"]
    assert edge(d, "End users", "ALB") == ["HTTP 80, HTTPS 443"]
    assert edge(d, "ECR repository\nshop-prod/api", "ECS service api") == ["images"]
    assert edge(d, "managed node group", "EKS cluster") == ["joins"]
    assert edge(d, "Deployment shop/app", "managed node group") == ["runs on"]
    assert edge(d, "Service app", "Deployment shop/app") == ["pods"]
    # Every private subnet sends its egress to the NAT gateway of its own AZ.
    for az in ("AZ 1", "AZ 2", "AZ 3"):
        zone = next(g for top in d.groups for g in top.walk() if g.label == az)
        private = [n for n in zone.nodes if d.nodes[n].label.startswith("private")]
        nat = [n for n in zone.nodes if d.nodes[n].kind == "nat"]
        assert [(e.src, e.dst) for e in d.edges if e.src in private] == [(private[0], nat[0])]


def test_single_nat_gateway_serves_every_private_subnet() -> None:
    d = build(production(nat_gateways="single"))
    assert len(labels(d, "nat")) == 1
    assert len(edge(d, "private subnet", "NAT gateway")) == 3


def test_seed_shows_public_subnets_and_the_kubernetes_service() -> None:
    d = build((ROOT / "config" / "default.yaml").read_text())
    assert sorted(labels(d, "subnet")) == [
        "public subnet\n10.0.1.0/24",
        "public subnet\n10.0.2.0/24",
    ]
    assert not labels(d, "nat")
    assert "in public subnets" in labels(d, "service")[0]
    assert edge(d, "End users", "Service app") == ["TCP 80"]
    assert not build(
        (ROOT / "config" / "default.yaml").read_text(), kubernetes=False
    ).nodes.keys() & {"k8s_svc_app"}


def test_mermaid_is_a_deterministic_flowchart_naming_what_it_draws() -> None:
    d = build(production())
    text = diagram_mermaid.render(d)
    assert text == diagram_mermaid.render(build(production()))
    assert text.splitlines()[0] == "flowchart LR"
    assert text.count("NAT gateway") == 3
    for name in (
        "network stack",
        "ecs-alb stack",
        "eks stack",
        "ECS service web",
        "ECS service api",
    ):
        assert name in text
    # Every arrow joins two declared nodes.
    declared = set(re.findall(r"^\s+(\w+)[\[\(\{]", text, re.M))
    for src, dst in re.findall(r"^\s+(\w+) -\.?->(?:\|[^|]*\|)? (\w+)$", text, re.M):
        assert src in declared and dst in declared


def test_readme_architecture_diagram_is_generated_and_current() -> None:
    """Fails when the README's diagram is stale: run `make readme-diagram`."""
    cfg = load(ROOT / "config" / "default.yaml")
    ts = TemplateSet.from_files(render(cfg, ("json",)).files, cfg.region)
    objects = kube_render.render(cfg, kube_render.placeholder_outputs(cfg), "readme").objects
    expected = diagram_mermaid.render(diagram.build(ts, cfg.stack_name, objects))
    readme = (ROOT / "README.md").read_text()
    assert diagram_mermaid.embed(readme, expected) == readme, "run `make readme-diagram`"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cfngen.cli", "diagram", *args],
        cwd=cwd,
        capture_output=True,
        timeout=GUARD,
    )


def test_cli_writes_svg_and_png(tmp_path: Path) -> None:
    svg, png = tmp_path / "a.svg", tmp_path / "a.png"
    assert (
        run_cli(
            "--config", "config/production.yaml", "--format", "svg", "--out", str(svg)
        ).returncode
        == 0
    )
    assert (
        run_cli(
            "--config", "config/production.yaml", "--format", "png", "--out", str(png)
        ).returncode
        == 0
    )
    root = ET.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 1500 and height > 600  # 150 dpi: labels stay legible
    again = tmp_path / "b.svg"
    run_cli("--config", "config/production.yaml", "--format", "svg", "--out", str(again))
    assert again.read_bytes() == svg.read_bytes()


def test_cli_mermaid_to_stdout_and_errors(tmp_path: Path) -> None:
    proc = run_cli("--config", "config/default.yaml")
    assert proc.returncode == 0 and b"flowchart LR" in proc.stdout
    proc = run_cli("--config", "config/default.yaml", "--format", "png")
    assert proc.returncode == 2 and b"--out FILE" in proc.stderr
    readme = tmp_path / "R.md"
    readme.write_text("no markers here\n")
    proc = run_cli("--config", "config/default.yaml", "--readme", str(readme))
    assert proc.returncode == 2 and b"marker" in proc.stderr
    assert readme.read_text() == "no markers here\n"


def test_embed_replaces_only_the_marked_block() -> None:
    text = f"intro\n{diagram_mermaid.START}\n```mermaid\nold\n```\n{diagram_mermaid.END}\nrest\n"
    out = diagram_mermaid.embed(text, "flowchart LR\n  a --> b\n")
    assert out.startswith("intro\n") and out.endswith(f"{diagram_mermaid.END}\nrest\n")
    assert "```mermaid\nflowchart LR\n  a --> b\n```" in out
    with pytest.raises(diagram_mermaid.MarkerError):
        diagram_mermaid.embed("nothing", "x")


def test_auto_mode_cluster_is_named_and_its_nodes_listed_as_not_estimated() -> None:
    """EKS Auto Mode (ComputeConfig.Enabled) is read from the template, whatever made it."""
    from datetime import date

    from cfngen.preview import cost, prices, usage

    root = {
        "Resources": {
            "Eks": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "eks.json"}}
        }
    }
    eks = {
        "Resources": {
            "Cluster": {
                "Type": "AWS::EKS::Cluster",
                "Properties": {"Version": "1.34", "ComputeConfig": {"Enabled": True}},
            }
        }
    }
    ts = TemplateSet.build(root, lambda path, _lid, _res: eks if path == "Eks" else None)
    d = diagram.build(ts, "auto")
    assert any("Auto Mode" in label for label in labels(d, "cluster"))
    est = cost.estimate(ts, prices.load(), usage.defaults(), date(2026, 1, 1))
    assert [i.item for i in est.items if not i.estimated and "Auto Mode" in i.item] == [
        "EKS Auto Mode nodes"
    ]


def test_platform_2026_shows_blue_green_routes_service_connect_pod_identity_and_ingress() -> None:
    d = build((ROOT / "config" / "platform-2026.yaml").read_text())
    # blue/green rules forward with weights: the services keep their arrows, per listener
    assert edge(d, "ALB", "ECS service web") == ["/* on :80, /* on :8080"]
    assert edge(d, "ALB", "ECS service api") == ["/api/* on :80, /api/* on :9090"]
    assert edge(d, "ALB", "ECS service worker") == ["/jobs/* on :80"]
    for name, port in (("web", 8080), ("api", 9000), ("worker", 7000)):
        namespace = "Cloud Map namespace\norbit.internal"
        assert edge(d, f"ECS service {name}", namespace) == [f"{name}:{port}"]
    assert edge(d, "IAM role\nEksAppRole", "Deployment orbit/app") == ["Pod Identity (app)"]
    assert edge(d, "End users", "Ingress app\nALB (EKS Auto Mode)") == ["HTTP 80"]
    assert edge(d, "Ingress app", "Service app") == ["orbit.example.com/"]
    assert edge(d, "End users", "Service app") == ["TCP 80"]
    text = diagram_mermaid.render(d)
    assert "classDef namespace" in text
