"""Several top-level stacks: a split platform's root, service groups and their quotas."""

from __future__ import annotations

import io
import json
import string
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.config import Config, ConfigError, limits, loads, placement
from cfngen.render import QuotaError, render
from cfngen.stacks import operations
from cfngen.stacks.operations import TopLevel
from conftest import ROOT
from test_properties import cli, lint

NAMES = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12).map(
    lambda n: f"s{n}"
)


def _config(
    count: int,
    *,
    albs: int = 1,
    repos: int = 0,
    ecs: str = "  layout: sharded\n",
    name: str = "svc",
) -> Config:
    lines = ["eks: {enabled: false}", f"alb: {{count: {albs}}}"]
    if repos:
        lines += ["ecr:", "  repositories:"] + [f"    - name: r{i:03d}" for i in range(repos)]
    lines += ["ecs:", ecs.rstrip("\n"), "  services:"]
    for i in range(count):
        image = f"r{i % repos:03d}" if repos and i % 2 else "public.ecr.aws/n/n"
        lines.append(
            f"    - {{name: {name}{i:04d}, image: {image}, path_patterns: [/{name}{i:04d}/*]}}"
        )
    return loads("\n".join(lines) + "\n")


SMALL_SPLIT = "  layout: sharded\n  shards: 4\n  operations: split\n  shards_per_operation: 2\n"


def _json(files: dict[str, bytes] | Any) -> dict[str, dict[str, Any]]:
    return {
        n[: -len(".json")]: json.loads(b)
        for n, b in files.items()
        if n.endswith(".json") and "/" not in n
    }


def test_a_forced_split_puts_the_shards_in_service_groups(tmp_path: Path) -> None:
    cfg = _config(6, repos=2, ecs=SMALL_SPLIT)
    files = render(cfg).files
    data = _json(files)
    shards = {n for n in data if n.startswith("ecs-services-")}
    groups = {n for n in data if n.startswith("services-")}
    expected = {f"services-{placement.operation_group(int(n[-2:]), 2):02d}" for n in shards}
    assert groups == expected and shards
    root = data["root"]
    assert not any(lid.startswith("EcsServices") for lid in root["Resources"])
    nested: set[str] = set()
    lists: set[str] = set()
    for group in groups:
        template = data[group]
        for lid, res in template["Resources"].items():
            assert res["Type"] == "AWS::CloudFormation::Stack"
            assert res["Properties"]["TemplateURL"] == f"ecs-services-{lid[-2:]}.json"
            nested.add(f"ecs-services-{lid[-2:]}")
            shard = data[f"ecs-services-{lid[-2:]}"]
            required = {n for n, p in shard["Parameters"].items() if "Default" not in p}
            passed = res["Properties"]["Parameters"]
            assert required <= set(passed), lid
            for name, value in passed.items():  # a nested stack's parameters are strings
                if template["Parameters"].get(name, {}).get("Type", "").startswith("List<"):
                    assert value == {"Fn::Join": [",", {"Ref": name}]}, name
                    lists.add(name)
        # Every parameter of the group is a root output of the same name.
        assert set(template["Parameters"]) <= set(root["Outputs"])
        params = json.loads(files[f"parameters/{group}.json"])
        assert {p["ParameterKey"] for p in params} == set(template["Parameters"])
        assert all(
            p["ParameterValue"] == f"<output {p['ParameterKey']} of the root stack>" for p in params
        )
    assert nested == shards and "PublicSubnetIds" in lists
    out = tmp_path / "out"
    out.mkdir()
    for name, text in files.items():
        if name.endswith(".json") and "/" not in name:
            (out / name).write_bytes(text)
    assert lint(out, cfg.region) == []


def test_top_level_lists_root_then_each_group_with_its_inputs() -> None:
    cfg = _config(6, repos=2, ecs=SMALL_SPLIT)
    tops = operations.top_level(cfg)
    root_outputs = set(json.loads(render(cfg, ["json"]).files["root.json"])["Outputs"])
    assert tops[0] == TopLevel("root", "", (), {})
    assert [t.key for t in tops[1:]] == sorted(t.key for t in tops[1:])
    for top in tops[1:]:
        assert top.stack_suffix == f"-{top.key}" and top.after == ("root",)
        assert dict(top.inputs) == {n: n for n in top.inputs}
        assert set(top.inputs) <= root_outputs
        assert "EcsClusterName" in top.inputs


def test_a_platform_that_fits_one_operation_is_root_alone() -> None:
    assert operations.top_level(_config(3)) == [TopLevel("root", "", (), {})]
    assert operations.top_level(Config()) == [TopLevel("root", "", (), {})]
    files = render(_config(3)).files
    assert not any(n.startswith("services-") for n in files)


def test_the_bar_1000_routed_services_and_300_repositories() -> None:
    """Every template inside its quotas (render refuses otherwise), every operation <= 2,500."""
    cfg = _config(1000, albs=15, repos=300, ecs="  layout: sharded\n")
    files = render(cfg, ["json"]).files
    data = _json(files)
    tops = operations.top_level(cfg)
    assert len(tops) > 1
    for top in tops:
        nested = [
            Path(r["Properties"]["TemplateURL"]).stem
            for r in data[top.key]["Resources"].values()
            if r["Type"] == "AWS::CloudFormation::Stack"
        ]
        total = len(data[top.key]["Resources"]) + sum(len(data[n]["Resources"]) for n in nested)
        assert total <= limits.RESOURCES_PER_OPERATION, (top.key, total)
    routed = [
        r
        for name, t in data.items()
        if name.startswith("ecs-services-")
        for r in t["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]
    assert len(routed) == 1000


def test_auto_splits_only_past_one_operation() -> None:
    assert len(operations.top_level(_config(150))) == 1
    assert len(operations.top_level(_config(400, albs=6))) > 1
    single = _config(400, albs=6, ecs="  layout: sharded\n  operations: single\n")
    assert len(operations.top_level(single)) == 1


def test_one_operation_past_2500_is_refused_naming_ecs_operations() -> None:
    cfg = _config(400, albs=6, ecs="  layout: sharded\n  operations: single\n")
    with pytest.raises(QuotaError) as caught:
        render(cfg)
    (problem,) = [p for p in caught.value.problems if "resources;" in p]
    assert problem.startswith("ecs.operations: the root stack and its ")
    assert "split (or auto)" in problem


def test_a_full_service_group_names_shards_per_operation() -> None:
    ecs = "  layout: sharded\n  shards: 10\n  shards_per_operation: 10\n"
    with pytest.raises(QuotaError) as caught:
        render(_config(400, albs=6, ecs=ecs))
    (problem,) = caught.value.problems
    assert problem.startswith("ecs.shards_per_operation: the services-01 stack and its 10 nested")
    assert "lower ecs.shards_per_operation (now 10) or raise ecs.shards (now 10)" in problem


@pytest.mark.parametrize(
    ("ecs", "expected"),
    [
        (
            "  layout: single\n  operations: split\n",
            "ecs.operations: split moves the ecs-services-NN stacks",
        ),
        ("  shards_per_operation: 0\n", "ecs.shards_per_operation: 0 is out of range; use 1-99"),
        ("  shards_per_operation: 100\n", "ecs.shards_per_operation: 100 is out of range"),
        ("  operations: halves\n", "ecs.operations"),
    ],
)
def test_operation_mistakes_are_refused_at_the_key(ecs: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(2, ecs=ecs)
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_split_makes_an_auto_layout_sharded() -> None:
    cfg = _config(2, ecs="  operations: split\n")
    assert placement.ecs_sharded(cfg)
    tops = operations.top_level(cfg)
    assert tops[0].key == "root" and len(tops) >= 2


def _groups(names: list[str], shards: int, per: int) -> dict[str, str]:
    """Service -> the top-level stack that holds it, read from the rendered templates."""
    lines = ["eks: {enabled: false}", "ecs:", "  layout: sharded", f"  shards: {shards}"]
    lines += ["  operations: split", f"  shards_per_operation: {per}", "  services:"]
    lines += [
        f"    - {{name: {n}, image: public.ecr.aws/n/n, path_patterns: [/{n}/*]}}" for n in names
    ]
    data = _json(render(loads("\n".join(lines) + "\n"), ["json"]).files)
    home = {}
    for group, template in data.items():
        if not group.startswith("services-"):
            continue
        for res in template["Resources"].values():
            shard = data[Path(res["Properties"]["TemplateURL"]).stem]
            for out in shard["Outputs"]:
                home[out] = group
    return home


@settings(max_examples=10, deadline=None)
@given(
    names=st.lists(NAMES, min_size=2, max_size=12, unique=True),
    shards=st.integers(1, 12),
    per=st.integers(1, 5),
    seed=st.randoms(use_true_random=False),
)
def test_a_services_group_depends_only_on_its_name(
    names: list[str], shards: int, per: int, seed: Any
) -> None:
    before = _groups(names, shards, per)
    shuffled = names[1:]
    seed.shuffle(shuffled)
    after = _groups(shuffled, shards, per)
    assert {k: v for k, v in before.items() if k in after} == after


def test_generate_and_validate_name_the_top_level_stacks_in_order(tmp_path: Path) -> None:
    config = tmp_path / "split.yaml"
    lines = ["eks: {enabled: false}", "ecs:", SMALL_SPLIT.rstrip("\n"), "  services:"]
    lines += [
        f"    - {{name: s{i}, image: public.ecr.aws/n/n, path_patterns: [/s{i}/*]}}"
        for i in range(6)
    ]
    config.write_text("\n".join(lines) + "\n")
    keys = [t.key for t in operations.top_level(loads(config.read_text()))]
    expected = f"{len(keys)} top-level stacks: {', '.join(keys)} - deploy in this order"
    code, err = cli("validate", "-c", str(config))
    assert code == 0 and expected in err, err
    out = tmp_path / "out"
    code, err = cli("generate", "-c", str(config), "-o", str(out), "--format", "yaml")
    assert code == 0 and expected in err, err
    assert {f"{k}.yaml" for k in keys} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.json"))
    code, err = cli("validate", "-c", str(ROOT / "config" / "default.yaml"))
    assert code == 0 and "top-level stacks" not in err


def _operation_totals(data: dict[str, dict[str, Any]], key: str) -> int:
    nested = [
        Path(r["Properties"]["TemplateURL"]).stem
        for r in data[key]["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::Stack"
    ]
    return len(data[key]["Resources"]) + sum(len(data[n]["Resources"]) for n in nested)


@settings(max_examples=3, deadline=None)
@given(
    count=st.integers(231, 1000),
    repos=st.integers(0, 300),
    ports=st.lists(st.integers(1024, 9000), min_size=1, max_size=8),
    per=st.integers(4, 10),
)
def test_any_split_platform_up_to_1000_services_fits_every_quota(
    count: int, repos: int, ports: list[int], per: int
) -> None:
    """Large N past one operation: a load balancer per 70 services, groups of 4-10 shards."""
    lines = ["eks: {enabled: false}", f"alb: {{count: {-(-count // 70)}}}"]
    lines += ["ecs:", f"  shards_per_operation: {per}", "  services:"]
    for i in range(count):
        image = f"r{i % repos:03d}" if repos and i % 2 else "public.ecr.aws/n/n"
        lines.append(
            f"    - {{name: s{i:04d}, image: {image}, container_port: {ports[i % len(ports)]},"
            f" path_patterns: [/s{i:04d}/*]}}"
        )
    if repos:
        lines += ["ecr:", "  repositories:"] + [f"    - name: r{i:03d}" for i in range(repos)]
    cfg = loads("\n".join(lines) + "\n")
    rendered = render(cfg, ["json"])  # QuotaError on any breach of any template or operation
    data = _json(rendered.files)
    keys = [top.key for top in rendered.top_level]
    assert keys == [t.key for t in operations.top_level(cfg)]
    whole = sum(len(t["Resources"]) for t in data.values())  # one operation: root nests all
    assert (len(keys) > 1) == (whole > limits.RESOURCES_PER_OPERATION)
    for key in keys:
        assert _operation_totals(data, key) <= limits.RESOURCES_PER_OPERATION, key
        assert set(data[key].get("Parameters", {})) <= set(data["root"]["Outputs"])
    grouped = [
        Path(r["Properties"]["TemplateURL"]).stem
        for key in keys[1:]
        for r in data[key]["Resources"].values()
    ]
    shards = sorted(n for n in data if n.startswith("ecs-services-"))
    assert sorted(grouped) == (shards if len(keys) > 1 else [])


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (2000, None),
        (2249, None),
        (2250, "ecs.operations: auto makes this platform of 2,250 resources single"),
        (2500, "single, and split above 2,500"),
        (2501, "ecs.operations: auto makes this platform of 2,501 resources split"),
        (2750, "split, and single at 2,500"),
        (2751, None),
    ],
)
def test_validate_warns_when_auto_operations_is_about_to_flip(
    resources: int, expected: str | None
) -> None:
    warning = operations.flip_warning(_config(100), resources)
    assert warning is None if expected is None else expected in (warning or ""), warning
    written = _config(100, ecs="  layout: sharded\n  operations: split\n")
    assert operations.flip_warning(written, resources) is None


@pytest.mark.parametrize(
    ("count", "ecs", "expected"),
    [
        (57, "", "ecs.layout: auto makes these 57 services single, and sharded above 60"),
        (66, "", "ecs.layout: auto makes these 66 services sharded, and single at 60 or fewer"),
        (53, "", None),
        (67, "", None),
        (57, "  layout: single\n", None),
        (57, "  operations: split\n", None),
    ],
)
def test_validate_warns_when_an_auto_layout_is_about_to_flip(
    tmp_path: Path, count: int, ecs: str, expected: str | None
) -> None:
    lines = ["eks: {enabled: false}", "ecs:", *([ecs.rstrip("\n")] if ecs else []), "  services:"]
    lines += [
        f"    - {{name: s{i:02d}, image: public.ecr.aws/n/n, path_patterns: [/s{i:02d}/*]}}"
        for i in range(count)
    ]
    config = tmp_path / "c.yaml"
    config.write_text("\n".join(lines) + "\n")
    code, err = cli("validate", "-c", str(config))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ecs.layout")]
    if expected is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and expected in warnings[0], err
        assert "write ecs.layout:" in warnings[0]


def test_cost_and_diagram_see_the_service_groups(tmp_path: Path) -> None:
    """A split platform costs what the same platform as one operation costs."""
    totals, diagrams = {}, {}
    for mode in ("split", "single"):
        lines = ["eks: {enabled: false}", "ecs:", SMALL_SPLIT.replace("split", mode).rstrip()]
        lines += ["  services:"] + [
            f"    - {{name: s{i}, image: public.ecr.aws/n/n, path_patterns: [/s{i}/*]}}"
            for i in range(5)
        ]
        config = tmp_path / f"{mode}.yaml"
        config.write_text("\n".join(lines) + "\n")
        code, err = cli("validate", "-c", str(config))
        assert code == 0 and ("top-level stacks" in err) == (mode == "split"), err
        out = io.StringIO()
        with redirect_stdout(out):
            assert cli("cost", "-c", str(config))[0] == 0
        totals[mode] = next(line for line in out.getvalue().splitlines() if "/month in" in line)
        drawn = tmp_path / f"{mode}.mmd"
        assert cli("diagram", "-c", str(config), "--out", str(drawn))[0] == 0
        diagrams[mode] = drawn.read_text()
    assert totals["split"] == totals["single"]
    for i in range(5):
        assert f"ECS service s{i}<br/>" in diagrams["split"]
