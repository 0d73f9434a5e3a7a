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


def guard_suppressions(cfg: Any) -> dict[tuple[str, str, str], str]:
    """(stack, resource, control) -> reason, from Metadata.guard; checks its two halves agree."""
    out = {}
    for lid, t in root.build_children(cfg).items():
        for rid, res in t.to_dict()["Resources"].items():
            guard = res.get("Metadata", {}).get("guard", {})
            assert guard.get("SuppressedRules", []) == sorted(guard.get("Reasons", {})), rid
            for control, reason in guard.get("Reasons", {}).items():
                out[(Stack.FILES[lid], rid, control)] = reason
    return out


def test_every_guard_and_cfripper_suppression_has_a_real_reason() -> None:
    for path in CONFIGS:
        cfg = load(path)
        for where, reason in guard_suppressions(cfg).items():
            assert len(reason) >= 60 and reason.endswith("."), (path.name, where, reason)
        for t in root.build_children(cfg).values():
            for res in t.to_dict()["Resources"].values():
                for rule, reason in res.get("Metadata", {}).get("cfripper", {}).items():
                    assert len(reason) >= 60 and reason.endswith("."), (path.name, rule)


def test_a_checkov_skip_carries_its_control_tower_twin() -> None:
    """One reason for one property: the default config's HTTP listener, access logs, log
    groups and secrets are suppressed for checkov and the Control Tower control alike."""
    cfg = load(ROOT / "config" / "default.yaml")
    checkov, guard = suppressions(cfg), guard_suppressions(cfg)
    twins = [
        ("CKV_AWS_2", "CT.ELASTICLOADBALANCING.PR.1", ("ecs-alb", "HttpListener")),
        ("CKV_AWS_91", "CT.ELASTICLOADBALANCING.PR.6", ("ecs-alb", "LoadBalancer")),
        ("CKV_AWS_158", "CT.CLOUDWATCH.PR.3", ("ecs-alb", "WebLogGroup")),
        ("CKV_AWS_58", "CT.EKS.PR.2", ("eks", "Cluster")),
    ]
    for check, control, (stack, resource) in twins:
        assert guard[(stack, resource, control)] == checkov[(stack, resource, check)]


def test_production_guard_suppressions_are_aws_constraints_only() -> None:
    found = set(guard_suppressions(load(ROOT / "config" / "production.yaml")))
    assert found == {
        ("ecs-alb", "AccessLogsBucket", "CT.S3.PR.2"),  # logging the log bucket
        ("ecs-alb", "AccessLogsBucket", "CT.S3.PR.4"),  # no consumer of events
        ("ecs-alb", "AccessLogsBucket", "CT.S3.PR.9"),  # object lock vs. expiry
        ("ecs-alb", "AccessLogsBucket", "CT.S3.PR.10"),  # ALB logs: SSE-S3 only
        ("ecs-alb", "Cluster", "CT.ECS.PR.2"),  # enhanced includes enabled
        ("ecs-alb", "ApiLogGroup", "CT.CLOUDWATCH.PR.3"),  # key from a parameter
        ("ecs-alb", "WebLogGroup", "CT.CLOUDWATCH.PR.3"),
        ("eks", "ControlPlaneLogGroup", "CT.CLOUDWATCH.PR.3"),
        ("eks", "Cluster", "CT.EKS.PR.1"),  # public endpoint limited to one CIDR
        ("network", "RestrictDefaultSecurityGroupFunction", "CT.LAMBDA.PR.3"),
    }


def test_fixing_the_cause_removes_the_guard_suppression() -> None:
    base = (
        "network: {availability_zones: 2, private_subnets: [10.0.32.0/19, 10.0.64.0/19], "
        "nat_gateways: single}\n"
        "alb: {deletion_protection: true, access_logs: {enabled: true}, "
        "certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc'}\n"
        "ecs: {log_retention_days: 365, log_encryption: kms}\n"
    )
    eks = (
        "eks: {log_retention_days: 365, secrets_encryption: true, "
        "endpoint_public_access: false, node_group: {launch_template: true, "
        "detailed_monitoring: true}}\n"
    )
    found = {control for _, _, control in guard_suppressions(loads(base + eks))}
    # the bucket's AWS constraints, and the logs key the stacks receive as a parameter
    assert found == {"CT.S3.PR.2", "CT.S3.PR.4", "CT.S3.PR.9", "CT.S3.PR.10", "CT.CLOUDWATCH.PR.3"}
    # ... and each cause alone brings its own back
    public = {c for _, _, c in guard_suppressions(loads(eks))}
    assert {"CT.EC2.PR.11", "CT.ECS.PR.9", "CT.ELASTICLOADBALANCING.PR.5"} <= public
    monitoring = eks.replace("detailed_monitoring: true", "detailed_monitoring: false")
    assert ("eks", "NodeLaunchTemplate", "CT.EC2.PR.10") in guard_suppressions(
        loads(base + monitoring)
    )


def test_only_the_account_root_key_statement_is_allowed_for_cfripper() -> None:
    cfg = load(ROOT / "config" / "production.yaml")
    for t in root.build_children(cfg).values():
        for rid, res in t.to_dict()["Resources"].items():
            allowed = res.get("Metadata", {}).get("cfripper", {})
            if not allowed:
                continue
            assert res["Type"] == "AWS::KMS::Key" and set(allowed) == {
                "GenericResourceWildcardPolicyRule"
            }, rid
            wildcard = [
                s for s in res["Properties"]["KeyPolicy"]["Statement"]
                if s["Effect"] == "Allow" and "kms:*" in s["Action"]
            ]  # fmt: skip
            assert [s["Sid"] for s in wildcard] == ["AccountAdministersThroughIam"], rid
