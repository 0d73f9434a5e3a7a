"""Validation of the production keys: each message names key path, value and what is allowed."""

from __future__ import annotations

import pytest

from cfngen.config import ConfigError, loads

IMG = "public.ecr.aws/nginx/nginx"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        loads(text)
    return err.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "network: {public_subnets: [10.0.1.0/24, 10.0.2.0/24], "
            "private_subnets: [10.0.1.0/24, 10.0.20.0/24]}",
            "network.private_subnets[0]: 10.0.1.0/24 overlaps network.public_subnets[0]",
        ),
        (
            "network: {private_subnets: [10.0.11.0/24]}",
            "network.private_subnets: 1 subnets given for 2 availability zones",
        ),
        (
            "network: {private_subnets: [10.0.11.0/24, 10.0.12.0/24], nat_gateways: none}",
            "network.nat_gateways: 'none' leaves network.private_subnets without a route",
        ),
        (
            "network: {nat_gateways: some}",
            "network.nat_gateways: 'some' is not allowed; use one of",
        ),
        (
            "network: {flow_logs: {enabled: true, retention_days: 42}}",
            "network.flow_logs.retention_days: 42 is not a CloudWatch Logs retention",
        ),
        (
            "alb: {certificate_arn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'}",
            "alb.certificate_arn: the certificate is in eu-west-1; a load balancer in us-east-1",
        ),
        (
            "alb: {certificate_arn: nope}",
            "alb.certificate_arn: 'nope' is not an ACM certificate ARN",
        ),
        (
            "alb: {ssl_policy: ELBSecurityPolicy-2016-08}",
            "alb.ssl_policy: 'ELBSecurityPolicy-2016-08' is not a TLS 1.2+ policy",
        ),
        ("alb: {idle_timeout: 0}", "alb.idle_timeout: 0 is out of range; use 1-4000"),
        (
            "eks: {endpoint_public_access: false, endpoint_private_access: false}",
            "eks: endpoint_public_access and endpoint_private_access are both false",
        ),
        (
            "eks: {public_access_cidrs: [1.2.3.4/8]}",
            "eks.public_access_cidrs[0]: '1.2.3.4/8' is not a valid network CIDR",
        ),
        (
            "eks: {logging: [api, audit, api]}",
            "eks.logging: api, audit, api lists a log type twice",
        ),
        ("eks: {logging: [apiserver]}", "eks.logging[0]: 'apiserver' is not allowed; use one of"),
        (
            "eks: {admin_principal_arn: 'arn:aws:iam::123:role/x'}",
            "eks.admin_principal_arn: 'arn:aws:iam::123:role/x' is not an IAM role or user ARN",
        ),
        (
            "eks: {authentication_mode: API, bootstrap_creator_admin: false}",
            "eks.authentication_mode: API with bootstrap_creator_admin false and no",
        ),
        (
            "eks: {addons: [{name: coredns}, {name: coredns}]}",
            "eks.addons[1].name: 'coredns' is listed twice",
        ),
        (
            "eks: {node_group: {labels: {'bad key!': x}}}",
            "eks.node_group.labels.bad key!: bad key!='x' is not a Kubernetes label",
        ),
        (
            "ecr: {repositories: [{name: app, empty_on_delete: true}]}\n"
            "retain: {ecr_repositories: true}",
            "ecr.repositories[0].empty_on_delete: true contradicts retain.ecr_repositories: true",
        ),
        (
            "ecr: {repositories: [{name: app, encryption: AES256, "
            "kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:key/k'}]}",
            "ecr.repositories[0].kms_key_arn: needs encryption KMS (encryption is AES256)",
        ),
        (
            "iam: {permissions_boundary_arn: boundary}",
            "iam.permissions_boundary_arn: 'boundary' is not a managed policy ARN",
        ),
    ],
)
def test_bad_values_are_named(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def svc(name: str, extra: str = "") -> str:
    return f"{{name: {name}, image: {IMG}{', ' + extra if extra else ''}}}"


def test_only_one_service_may_take_the_default_route() -> None:
    found = problems(
        f"ecs: {{services: [{svc('a')}, {svc('b')}, {svc('c', 'path_patterns: [/c/*]')}]}}"
    )
    assert found == [
        "ecs.services: a, b have neither path_patterns nor host_headers; only one service may "
        "take the listener's default route, give the others a rule"
    ]


def test_rule_priorities_must_be_unique() -> None:
    found = problems(
        "ecs: {services: ["
        + ", ".join(
            [
                svc("a", "path_patterns: [/a/*], priority: 10"),
                svc("b", "host_headers: [b.example.com], priority: 10"),
            ]
        )
        + "]}"
    )
    assert found == [
        "ecs.services[1].priority: 10 is already used by service 'a'; listener rule priorities "
        "must be unique (set priority explicitly)"
    ]


def test_priority_needs_a_rule_and_a_range() -> None:
    found = problems(
        f"ecs: {{services: [{svc('a', 'priority: 5')}, "
        f"{svc('b', 'path_patterns: [/b], priority: 60000')}]}}"
    )
    assert any("ecs.services[0].priority: 5 given but 'a' has no rule" in p for p in found)
    assert any("ecs.services[1].priority: 60000 is out of range; use 1-50000" in p for p in found)


def test_too_many_rule_values() -> None:
    paths = ", ".join(f"/p{i}" for i in range(6))
    found = problems(f"ecs: {{services: [{svc('a', f'path_patterns: [{paths}]')}]}}")
    assert any("ecs.services[0]: 6 path_patterns + host_headers given" in p for p in found)


@pytest.mark.parametrize(
    ("scaling", "expected"),
    [
        ("{min: 3, max: 1, cpu_target: 50}", "min 3 and max 1 are not allowed"),
        ("{min: 3, max: 5, cpu_target: 50}, desired_count: 2", "desired_count 2 is outside min"),
        ("{min: 1, max: 5, cpu_target: 0}", "give cpu_target and/or requests_per_target"),
        ("{min: 1, max: 5, cpu_target: 150}", "cpu_target: 150 is not a percentage; use 1-100"),
        ("{max: 5, cpu_target: 50}", "ecs.services[0].autoscaling.min: required key is missing"),
    ],
)
def test_autoscaling_rules(scaling: str, expected: str) -> None:
    found = problems(f"ecs: {{services: [{svc('a', f'autoscaling: {scaling}')}]}}")
    assert any(expected in p for p in found), found


def test_health_check_rules() -> None:
    hc = "health_check: {interval_seconds: 5, timeout_seconds: 5, matcher: ok}"
    found = problems(f"ecs: {{services: [{svc('a', hc)}]}}")
    assert any(
        "ecs.services[0].health_check.timeout_seconds: 5 is not allowed; use 2-120 and less than "
        "interval_seconds (5)" in p
        for p in found
    )
    assert any("ecs.services[0].health_check.matcher: 'ok' is not HTTP codes" in p for p in found)


def test_capacity_provider_weights() -> None:
    found = problems("ecs: {capacity_providers: {fargate_weight: 0, fargate_spot_weight: 0}}")
    assert found == [
        "ecs.capacity_providers: fargate_weight and fargate_spot_weight are both 0; "
        "give one a weight"
    ]


def test_production_example_is_valid() -> None:
    from cfngen.config import load
    from conftest import ROOT

    cfg = load(ROOT / "config" / "production.yaml")
    assert cfg.network.nat_gateways == "per_az" and len(cfg.network.private_subnets) == 3
