"""Cost, duration and moves of a split platform, without AWS: every top-level stack is
priced and timed, root first, then the groups at once; a service leaving a group stack
for another is found before the deploy.

Expected figures are hand-computed from us-east-1 list prices (730 h/month): one routed
one-task service of the split test platform is a Fargate task of 0.25 vCPU and 0.5 GB
(0.25 x $0.04048 + 0.5 x $0.004445 per hour = $9.01/month), its public IPv4 address
($0.005/h = $3.65) and 1 GB of logs ($0.50): $13.16/month. The root's share is the ALB
($0.0225/h = $16.43), one LCU ($0.008/h = $5.84), its two addresses ($7.30) and one
repository's assumed 1 GB ($0.10): $29.67.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.cli import main
from cfngen.commands.common import load_config
from cfngen.deploy.preflight_moves import top_level_findings
from cfngen.deploy.progress import Part, plan_waves
from cfngen.preview.duration import TYPICAL_SECONDS, minutes
from cfngen.preview.templates import TemplateSet
from cfngen.render import render
from conftest import ROOT

H = 730
SERVICE = (0.25 * 0.04048 + 0.5 * 0.004445) * H + 0.005 * H + 0.50
PLATFORM = 0.0225 * H + 0.008 * H + 2 * 0.005 * H + 0.10


def _config(tmp_path: Path, names: list[str], name: str = "split", **more: Any) -> str:
    data = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    services = [
        {
            "name": n,
            "image": "public.ecr.aws/nginx/nginx",
            "tag": "stable",
            "desired_count": 1,
            "path_patterns": [f"/{n}/*"],
        }
        for n in names
    ]
    data["ecs"] |= {"layout": "sharded", "shards": 4, "services": services}
    data["ecs"] |= {"operations": "split", "shards_per_operation": 2, **more}
    data["eks"] = {**data["eks"], "enabled": False}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


def test_cost_of_a_split_platform_totals_every_top_level_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, ["alpha", "beta", "gamma"])
    code, out = _cli(capsys, "cost", "--config", config, "--format", "json")
    assert code == 0
    data = json.loads(out)
    tops = data["top_level_stacks"]
    assert next(iter(tops)) == "cfngen-dev"
    assert tops["cfngen-dev"] == pytest.approx(PLATFORM, abs=0.01)
    groups = {k: v for k, v in tops.items() if k.startswith("cfngen-dev-services-")}
    assert sorted(groups) == ["cfngen-dev-services-01", "cfngen-dev-services-02"]
    # three one-task services in two groups: one holds two of them, the other one
    assert sorted(groups.values()) == pytest.approx([SERVICE, 2 * SERVICE], abs=0.02)
    assert sum(tops.values()) == pytest.approx(data["total_monthly_usd"], abs=0.02)
    # a group's nested stacks are named as its files are: services-01/ecs-services-NN
    assert all(
        s.startswith(("services-01/ecs-services-", "services-02/ecs-services-"))
        for s in data["stacks"]
        if "services" in s
    )
    code, out = _cli(capsys, "cost", "--config", config)
    assert code == 0
    assert "per top-level stack (each its own operation): cfngen-dev $29.67, " in out


def test_a_single_stack_platform_has_one_top_level_total(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _cli(
        capsys, "cost", "--config", str(ROOT / "config" / "default.yaml"), "-f", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["top_level_stacks"] == {"cfngen-dev": data["total_monthly_usd"]}
    code, out = _cli(capsys, "cost", "--config", str(ROOT / "config" / "default.yaml"))
    assert "per top-level stack" not in out


def test_offline_diff_prices_a_new_group_and_a_group_that_goes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    three = _config(tmp_path, ["alpha", "beta", "gamma"], "three")
    two = _config(tmp_path, ["beta", "gamma"], "two")  # alpha's shard is group 02's only one
    for name, config in (("three", three), ("two", two)):
        assert (
            _cli(capsys, "generate", "--config", config, "--out", str(tmp_path / name), "-q")[0]
            == 0
        )
    assert not (tmp_path / "two" / "services-02.json").exists()

    code, out = _cli(capsys, "diff", "--config", three, "--against", str(tmp_path / "two"))
    assert code == 0
    assert f"(+${SERVICE:.2f}/month, on-demand list prices in us-east-1)" in out
    assert "  +$9.01/month: Fargate tasks (alpha) 0 -> 1 (services-02/ecs-services-03)" in out
    lines = out.splitlines()
    top = lines.index("  by top-level stack:")
    assert lines[top + 1].split() == ["cfngen-dev", "$29.67", "->", "$29.67", "(no", "change)"]
    assert lines[top + 2].split() == [
        "cfngen-dev-services-01",
        "$26.32",
        "->",
        "$26.32",
        "(no",
        "change)",
    ]
    assert lines[top + 3].split() == [
        "cfngen-dev-services-02",
        "$0.00",
        "->",
        "$13.16",
        "(+$13.16/month,",
        "new)",
    ]
    # only the new group is created: one ECS service's chain (~2 min)
    assert "estimated duration: ~2 min (cfngen-dev-services-02 ~2 min; " in out
    assert "critical path: services-02/ecs-services-03/" in out

    code, out = _cli(capsys, "diff", "--config", two, "--against", str(tmp_path / "three"))
    assert code == 0
    assert f"(-${SERVICE:.2f}/month, on-demand list prices in us-east-1)" in out
    deleted = [line.split() for line in out.splitlines() if "cfngen-dev-services-02" in line]
    assert ["cfngen-dev-services-02", "$13.16", "->", "$0.00", "(-$13.16/month,", "deleted)"] in (
        deleted
    )
    assert "estimated duration: deleting cfngen-dev-services-02 first (not estimated)" in out


def test_joined_trees_are_labelled_by_their_top_level_stack_and_resolve_across() -> None:
    root = {
        "Resources": {
            "Net": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "network.json"},
            }
        },
        "Outputs": {"VpcId": {"Value": {"Fn::GetAtt": ["Net", "Outputs.VpcId"]}}},
    }
    network = {
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}},
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}},
    }
    group = {
        "Parameters": {"VpcId": {"Type": "String"}},
        "Resources": {
            "EcsServices03": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": "ecs-services-03.json",
                    "Parameters": {"VpcId": {"Ref": "VpcId"}},
                },
            }
        },
    }
    shard = {
        "Parameters": {"VpcId": {"Type": "String"}},
        "Resources": {
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "VpcId"}}}
        },
    }
    files = {
        n: json.dumps(b).encode()
        for n, b in {
            "root.json": root,
            "network.json": network,
            "services-02.json": group,
            "ecs-services-03.json": shard,
        }.items()
    }
    ts = TemplateSet.platform(files)
    assert ts.label("Services02/EcsServices03") == "services-02/ecs-services-03"
    assert ts.owner("Services02/EcsServices03") == "services-02"
    assert ts.owner("Net") == "root" and ts.owner("root") == "root"
    sg = ts.resources("AWS::EC2::SecurityGroup")[0]
    assert [r.logical_id for r in ts.resources_in(sg.stack, sg.properties["VpcId"])] == ["Vpc"]


def _tree(*types: str) -> dict[str, bytes]:
    """A top-level template of independent resources (they run at once)."""
    body = {"Resources": {f"R{i}": {"Type": t, "Properties": {}} for i, t in enumerate(types)}}
    return {"root.json": json.dumps(body).encode()}


def test_the_run_takes_the_root_then_its_longest_group() -> None:
    root = Part("p", "root", _tree("AWS::ElasticLoadBalancingV2::LoadBalancer"), None)  # 180 s
    one = Part("p-services-01", "services-01", _tree("AWS::ECS::Service"), None)  # 120 s
    two = Part("p-services-02", "services-02", _tree("AWS::IAM::Role"), None)  # 20 s
    lines = plan_waves([[root], [one, two]], "us-east-1", {})
    assert lines[0] == (
        "estimated duration: ~5 min (p ~3 min, then 2 stacks at once ~2 min, the longest "
        "p-services-01; typical times per resource type)"
    )
    assert lines[1] == "  critical path: root/R0 ~3 min -> services-01/R0 ~2 min"
    # an update touching only one group is that group's time
    same = Part("p", "root", root.files, [])
    assert plan_waves([[same], [one]], "us-east-1", {})[0].startswith(
        "estimated duration: ~2 min (p-services-01 ~2 min;"
    )
    assert plan_waves([[same]], "us-east-1", {}) == ["estimated duration: no resource changes"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.lists(st.sampled_from(sorted(TYPICAL_SECONDS)), min_size=1, max_size=4),
            min_size=1,
            max_size=4,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_waves_add_up_and_a_wave_lasts_as_long_as_its_longest_stack(
    waves: list[list[list[str]]],
) -> None:
    parts = [
        [
            Part(
                f"s{w}-{i}",
                "root" if w == 0 and i == 0 else f"services-{w}{i}",
                _tree(*types),
                None,
            )
            for i, types in enumerate(wave)
        ]
        for w, wave in enumerate(waves)
    ]
    expected = sum(max(max(TYPICAL_SECONDS[t] for t in types) for types in wave) for wave in waves)
    line = plan_waves(parts, "us-east-1", {})[0]
    assert line.startswith(f"estimated duration: {minutes(expected)} (")
    assert line.count(", then ") == len(waves) - 1


def _platform(tmp_path: Path, names: list[str], name: str, **ecs: Any) -> TemplateSet:
    cfg = load_config(Path(_config(tmp_path, names, name, **ecs)))
    return TemplateSet.platform(render(cfg, ("json",)).files, "us-east-1")


def test_regrouping_shards_is_a_move_between_group_stacks(tmp_path: Path) -> None:
    names = ["alpha", "beta", "gamma"]
    deployed = _platform(tmp_path, names, "two")
    findings = top_level_findings(
        deployed, _platform(tmp_path, names, "one", shards_per_operation=1)
    )
    assert [f.key for f in findings] == ["ecs.shards_per_operation"]
    assert "would move between top-level stacks" in findings[0].problem
    assert "LogGroup /ecs/cfngen-dev/gamma services-01/ecs-services-02 -> services-02/" in (
        findings[0].problem
    )
    # a new shard count moves services between shards (and groups): the shard count's key
    other = top_level_findings(deployed, _platform(tmp_path, names, "six", shards=6))
    assert [f.key for f in other] == ["ecs.shards"]
    # entering split mode moves services out of the root, which runs first: not refused
    single = _platform(tmp_path, names, "single", operations="single")
    assert top_level_findings(single, deployed) == []


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.from_regex(r"[a-z]{3,8}", fullmatch=True), min_size=1, max_size=6, unique=True),
    st.lists(st.from_regex(r"[a-z]{3,8}", fullmatch=True), min_size=1, max_size=3, unique=True),
)
def test_adding_services_never_moves_another_between_stacks(
    tmp_path_factory: pytest.TempPathFactory, kept: list[str], added: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("moves")
    after = kept + [n for n in added if n not in kept]
    assert top_level_findings(_platform(tmp, kept, "a"), _platform(tmp, after, "b")) == []
