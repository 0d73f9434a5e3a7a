"""Quotas: measured on the built templates, refused with the key that makes them grow."""

from __future__ import annotations

from pathlib import Path

import pytest
from troposphere import Output, Parameter, ec2

from cfngen.cli import main
from cfngen.config import Config, limits, load
from cfngen.render import QuotaError, render
from cfngen.stacks import quotas
from cfngen.stacks.common import new_template
from conftest import CONFIGS, tree


def _services(count: int, layout: str = "single") -> str:
    return f"ecs:\n  layout: {layout}\n  services:\n" + "".join(
        f"    - {{name: s{i}, image: app, path_patterns: ['/s{i}/*']}}\n" for i in range(count)
    )


def _repositories(count: int) -> str:
    items = "".join(f"    - {{name: r{i}}}\n" for i in range(count))
    return "ecr:\n  layout: single\n  repositories:\n" + items


def _tags(count: int) -> str:
    return "tags:\n" + "".join(f"  t{i}: v\n" for i in range(count))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _services(80),
            "c.yaml:3:3: ecs.services: the ecs-alb template would have 564 resources for 80 "
            "services; CloudFormation allows at most 500 resources per template; about 70 "
            "services fit in one template",
        ),
        (
            _repositories(101),
            "c.yaml:3:3: ecr.repositories: the ecr template would have 202 outputs for 101 "
            "repositories; CloudFormation allows at most 200 outputs per template",
        ),
        (
            _tags(45),
            "c.yaml:1:1: tags: 45 tags are too many: with the tags cfngen adds, resource "
            "PublicSubnet2 of the network template would carry 51; AWS allows 50 per "
            "resource, so give at most 44",
        ),
    ],
    ids=["80 services", "101 repositories", "45 tags"],
)
def test_oversized_configs_exit_2_naming_key_and_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    out = tmp_path / "out"
    for command in (["validate"], ["generate", "-o", str(out)]):
        code = main([*command, "-c", str(config)])
        err = capsys.readouterr().err
        assert code == 2
        assert f"{tmp_path}/{expected}" in err, err
        assert "Traceback" not in err
    assert not out.exists()


def test_the_largest_configs_that_fit_are_accepted(tmp_path: Path) -> None:
    for text in (_services(60), _repositories(100), _tags(44)):
        config = tmp_path / "c.yaml"
        config.write_text(text)
        render(load(config))  # no QuotaError


def test_templates_are_built_past_troposphere_limits_so_they_can_be_measured() -> None:
    t = new_template(Config(), "test")
    for i in range(limits.RESOURCES + 1):
        t.add_resource(ec2.VPC(f"Vpc{i}", CidrBlock="10.0.0.0/16"))
    for i in range(limits.OUTPUTS + 1):
        t.add_output(Output(f"Out{i}", Value="x"))
    for i in range(limits.PARAMETERS + 1):
        t.add_parameter(Parameter(f"P{i}", Type="String"))
    use = quotas.usage("network", t.to_dict(), 10, frozenset())
    assert (use.resources, use.outputs, use.parameters) == (501, 201, 201)
    problems = quotas.breaches(Config(), {"network": t.to_dict()}, {"network": 10})
    assert [p.split(";")[0] for p in problems] == [
        "network.availability_zones: the network template would have 501 resources",
        "network.availability_zones: the network template would have 201 parameters",
        "network.availability_zones: the network template would have 201 outputs",
    ]


def _alb_template(rules: int, values: int = 1) -> dict[str, object]:
    resources: dict[str, object] = {
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
        "Listener": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "DefaultActions": []},
        },
    }
    for i in range(rules):
        resources[f"Rule{i}"] = {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": "Listener"},
                "Priority": 1 + i,
                "Conditions": [
                    {
                        "Field": "path-pattern",
                        "PathPatternConfig": {"Values": [f"/{i}/{v}" for v in range(values)]},
                    }
                ],
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": f"Tg{i}"}}],
            },
        }
    return {"Resources": resources}


def test_alb_quotas_are_measured_per_listener_and_load_balancer() -> None:
    assert quotas.breaches(Config(), {"ecs-alb": _alb_template(100, 5)}, {}) == []
    problems = quotas.breaches(Config(), {"ecs-alb": _alb_template(101)}, {})
    assert problems == [
        "ecs.services: 101 listener rules on listener Listener of the ecs-alb template; an "
        "ALB listener takes at most 100 (the default action not counted) (ecs.layout: sharded "
        "with alb.count spreads services over load balancers)",
        "ecs.services: load balancer Alb of the ecs-alb template would forward to 101 target "
        "groups; an ALB takes at most 100 (ecs.layout: sharded with alb.count spreads services "
        "over load balancers)",
    ]
    (problem,) = quotas.breaches(Config(), {"ecs-alb": _alb_template(1, 6)}, {})
    assert "listener rule Rule0 of the ecs-alb template has 6 condition values" in problem


def test_size_and_logical_id_limits() -> None:
    data = {"Description": "d" * 1025, "Resources": {"X" * 256: {"Type": "AWS::SNS::Topic"}}}
    problems = quotas.breaches(Config(), {"eks": data}, {"eks": 1_000_001})
    assert [p.split(";")[0] for p in problems] == [
        "eks: the eks template would be 1,000,001 bytes",
        "name: the eks template's description would be 1,025 bytes",
        "eks: the eks template would have a logical ID of 256 characters (XXXXXXXXXXXXXXXXXXXX"
        "XXXXXXXXXXXXXXXXXXXX...)",
    ]


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_example_configs_use_a_fraction_of_each_quota(config: Path) -> None:
    cfg = load(config)
    rendered = render(cfg)
    assert rendered.files  # render raises QuotaError otherwise
    stack_tags = {"cfngen:name", "cfngen:environment", "cfngen:managed-by", *cfg.tags}
    root = rendered.files["root.json"].decode()
    for key in stack_tags - {"cfngen:managed-by"}:
        assert f'"Key": "{key}"' in root


def test_a_quota_error_carries_every_problem() -> None:
    err = QuotaError(["a: one", "b: two"])
    assert err.problems == ["a: one", "b: two"] and str(err) == "a: one\nb: two"


def test_nothing_is_written_when_a_quota_breaks(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(_services(80))
    out = tmp_path / "out"
    out.mkdir()
    (out / "root.json").write_text("{}\n")
    before = tree(out)
    assert main(["generate", "-c", str(config), "-o", str(out)]) == 2
    assert tree(out) == before


def test_security_group_rules_are_counted_inline_and_across_stacks(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(_services(61))
    with pytest.raises(QuotaError) as caught:
        render(load(config))
    assert caught.value.problems == [
        "ecs.services: security group LoadBalancerSecurityGroup of the ecs-alb template would "
        "have 61 outbound rules; a security group takes at most 60 outbound rules (default "
        "quota) (one per service: ecs.layout: sharded has one per container port)"
    ]
    rule = {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {"GroupId": {"Ref": "Sg"}}}
    shards = {f"s{i}": {"Resources": {f"R{j}": rule for j in range(31)}} for i in range(2)}
    (problem,) = quotas.breaches(Config(), shards, {})
    assert problem.startswith("ecs.services: security group Sg would have 62 outbound rules")
