"""Every checkov suppression carries a reviewer-readable reason and exists only where the
config causes the finding. (`make scan` runs checkov itself on every example config.)"""

from __future__ import annotations

from typing import Any

from cfngen.config import load, loads
from cfngen.contracts import Stack
from cfngen.stacks import root
from conftest import CONFIGS, ROOT


def suppressions(cfg: Any) -> dict[tuple[str, str, str], str]:
    out = {}
    for lid, t in root.build_children(cfg).items():
        for rid, res in t.to_dict()["Resources"].items():
            for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", []):
                out[(Stack.FILES[lid], rid, skip["id"])] = skip["comment"]
    return out


def test_every_suppression_has_a_real_reason() -> None:
    for path in CONFIGS:
        for where, reason in suppressions(load(path)).items():
            assert len(reason) >= 60 and reason.endswith("."), (path.name, where, reason)


def test_default_config_suppresses_only_seed_design_choices() -> None:
    found = set(suppressions(load(ROOT / "config" / "default.yaml")))
    assert found == {
        ("ecs-alb", "HttpListener", "CKV_AWS_2"),
        ("ecs-alb", "HttpListener", "CKV_AWS_103"),
        ("ecs-alb", "LoadBalancer", "CKV_AWS_91"),
        ("ecs-alb", "LoadBalancerSecurityGroup", "CKV_AWS_260"),
        ("ecs-alb", "WebLogGroup", "CKV_AWS_158"),
        ("eks", "ControlPlaneLogGroup", "CKV_AWS_158"),
        ("ecr", "AppRepository", "CKV_AWS_136"),
        ("eks", "Cluster", "CKV_AWS_58"),
    }


def test_production_config_suppresses_only_what_cannot_be_fixed() -> None:
    found = set(suppressions(load(ROOT / "config" / "production.yaml")))
    assert found == {
        ("ecs-alb", "LoadBalancerSecurityGroup", "CKV_AWS_260"),  # public ALB, port 80 redirects
        ("ecs-alb", "AccessLogsBucket", "CKV_AWS_18"),
        ("network", "RestrictDefaultSecurityGroupFunction", "CKV_AWS_115"),
        ("network", "RestrictDefaultSecurityGroupFunction", "CKV_AWS_116"),
        ("network", "RestrictDefaultSecurityGroupFunction", "CKV_AWS_117"),
    }


def test_fixing_the_cause_removes_the_suppression() -> None:
    cfg = loads(
        "alb: {ingress_cidrs: [10.0.0.0/8], "
        "certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc'}\n"
        "ecs: {log_encryption: kms}\n"
        "eks: {secrets_encryption: true}\n"
        "ecr: {repositories: [{name: app, encryption: KMS}]}"
    )
    assert set(suppressions(cfg)) == {("ecs-alb", "LoadBalancer", "CKV_AWS_91")}
