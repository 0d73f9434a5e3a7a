"""The security keys: `ecs.services[].egress` and `eks.pod_identity` validate and build.

What the rules do once deployed is proven through the APIs in test_effective_security;
here: every bad value is named (key, value, what is allowed), and every accepted rule
set lands in the task group exactly once next to the defaults.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.config import ConfigError, EgressRule, loads
from cfngen.config.validate_security import OUTBOUND_RULES_PER_GROUP, rule_key
from cfngen.stacks import egress, root

IMG = "public.ecr.aws/nginx/nginx"


def with_egress(rules: str) -> str:
    return f"ecs: {{services: [{{name: web, image: {IMG}, egress: {rules}}}]}}"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        loads(text)
    return err.value.problems


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            "[{cidr: 10.0.0.1/16, port: 5432}]",
            "ecs.services[0].egress[0].cidr: '10.0.0.1/16' is not a valid network CIDR "
            "(host bits are set)",
        ),
        ("[{cidr: nowhere, port: 5432}]", "ecs.services[0].egress[0].cidr: 'nowhere' is not"),
        ("[{cidr: 10.0.0.0/8}]", "ecs.services[0].egress[0].port: 0 is not a port; give 1-65535"),
        ("[{cidr: 10.0.0.0/8, port: 70000}]", "ecs.services[0].egress[0].port: 70000 is not"),
        (
            "[{cidr: 10.0.0.0/8, port: 6380, to_port: 6379}]",
            "ecs.services[0].egress[0].to_port: 6379 must lie between port 6380 and 65535",
        ),
        (
            "[{cidr: 10.0.0.0/8, protocol: all, port: 22}]",
            "ecs.services[0].egress[0].port: protocol all covers every port",
        ),
        (
            "[{cidr: 10.0.0.0/8, port: 22, protocol: icmp}]",
            "ecs.services[0].egress[0].protocol: 'icmp' is not allowed",
        ),
        (
            "[{cidr: 10.0.0.0/8, port: 22, description: 'ssh <bastion>'}]",
            "ecs.services[0].egress[0].description: 'ssh <bastion>' is not allowed",
        ),
        (
            "[{cidr: 10.0.0.0/8, port: 22}, {cidr: 10.0.0.0/8, port: 22, description: again}]",
            "ecs.services[0].egress[1]: the same rule as ecs.services[0].egress[0]",
        ),
        ("[{cidr: 10.0.0.0/8, prot: 22}]", "ecs.services[0].egress[0].prot: unknown key"),
    ],
)
def test_bad_egress_rules_are_named(rules: str, expected: str) -> None:
    found = problems(with_egress(rules))
    assert any(expected in p for p in found), found


def test_too_many_egress_rules_for_one_group() -> None:
    rules = ", ".join(f"{{cidr: 10.{i}.0.0/16, port: 443}}" for i in range(58))
    (found,) = problems(with_egress(f"[{rules}]"))
    assert found.startswith("ecs.services[0].egress: 58 rules;")
    assert f"at most {OUTBOUND_RULES_PER_GROUP} outbound rules" in found


def test_irsa_needs_the_oidc_provider_and_no_pod_identity_agent() -> None:
    found = problems(
        "eks: {pod_identity: false, oidc_provider: false, addons: [{name: eks-pod-identity-agent}]}"
    )
    assert found == [
        "eks.pod_identity: false gives the vpc-cni add-on its role through IAM roles for "
        "service accounts, which needs eks.oidc_provider: true",
        "eks.addons[0].name: eks-pod-identity-agent contradicts eks.pod_identity: false; "
        "remove it or set pod_identity: true",
    ]
    assert problems("eks: {log_retention_days: 42}") == [
        "eks.log_retention_days: 42 is not a CloudWatch Logs retention; use one of "
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
        "2557, 2922, 3288, 3653"
    ]


def _task_group_egress(text: str) -> list[dict[str, object]]:
    cfg = loads(text)
    ecs = root.build_children(cfg)["EcsAlb"].to_dict()
    return ecs["Resources"]["WebTaskSecurityGroup"]["Properties"]["SecurityGroupEgress"]


def test_a_rule_equal_to_a_default_is_not_declared_twice() -> None:
    rules = _task_group_egress(with_egress("[{cidr: 0.0.0.0/0, port: 443}]"))
    assert [(r["IpProtocol"], r["CidrIp"], r.get("FromPort")) for r in rules] == [
        ("tcp", "0.0.0.0/0", 443),
        ("udp", "10.0.0.2/32", 53),
        ("tcp", "10.0.0.2/32", 53),
    ]


def test_protocol_all_declares_no_ports() -> None:
    rules = _task_group_egress(with_egress("[{cidr: 10.9.0.0/16, protocol: all}]"))
    assert rules[-1] == {
        "CidrIp": "10.9.0.0/16",
        "Description": "web: ecs.services[].egress",
        "IpProtocol": "-1",
    }


ports = st.integers(1, 65535)
rules = st.builds(
    lambda a, b, net, proto, span: EgressRule(
        cidr=f"10.{a}.{b}.0/24",
        port=0 if proto == "all" else net,
        to_port=0 if proto == "all" or not span else min(65535, net + span),
        protocol=proto,
    ),
    st.integers(0, 255),
    st.integers(0, 255),
    ports,
    st.sampled_from(["tcp", "udp", "all"]),
    st.integers(0, 100),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(rules, max_size=8, unique_by=rule_key))
def test_accepted_rules_land_in_the_task_group_once(given_rules: list[EgressRule]) -> None:
    def yaml_rule(r: EgressRule) -> str:
        fields = [f"cidr: {r.cidr}", f"protocol: {r.protocol}"]
        fields += [f"port: {r.port}"] if r.port else []
        fields += [f"to_port: {r.to_port}"] if r.to_port else []
        return "{" + ", ".join(fields) + "}"

    text = with_egress("[" + ", ".join(map(yaml_rule, given_rules)) + "]")
    declared = _task_group_egress(text)
    cfg = loads(text)
    expected = egress.effective_task_rules(cfg, cfg.ecs.services[0])
    assert len(declared) == len(expected) == len({rule_key(r) for r in expected})
    for rule in given_rules:
        assert rule_key(rule) in {rule_key(r) for r in expected}
