"""The sharded layout: stable placement, every quota at size, clear refusals."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cfngen.config import Config, ConfigError, loads, placement
from cfngen.lint import lint_files
from cfngen.render import QuotaError, render
from test_properties import lint

NAMES = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12).map(
    lambda n: f"s{n}"
)


def _config(names: list[str], count: int = 1, extra: str = "", repos: int = 0) -> Config:
    lines = ["eks: {enabled: false}", f"alb: {{count: {count}}}", "ecs:", "  layout: sharded"]
    lines += [extra, "  services:"] if extra else ["  services:"]
    for name in names:
        lines.append(
            f"    - {{name: {name}, image: public.ecr.aws/n/n, path_patterns: [/{name}/*]}}"
        )
    if repos:
        lines += ["ecr:", "  repositories:"] + [f"    - name: r{i:03d}" for i in range(repos)]
    return loads("\n".join(lines) + "\n")


def _placed(cfg: Config) -> dict[str, tuple[int, str, int]]:
    return {
        s.name: (placement.shard(s.name, cfg.ecs.shards), s.load_balancer, s.priority)
        for s in cfg.ecs.services
    }


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(NAMES, min_size=1, max_size=40, unique=True),
    new=NAMES,
    count=st.integers(1, 6),
    seed=st.randoms(use_true_random=False),
)
def test_adding_removing_or_reordering_never_moves_another_service(
    names: list[str], new: str, count: int, seed: Any
) -> None:
    assume(new not in names)
    before = _placed(_config(names, count))
    shuffled = [*names, new]
    seed.shuffle(shuffled)
    after = _placed(_config(shuffled, count))
    for name, (shard, lb, prio) in before.items():
        assert after[name][:2] == (shard, lb), name
        # A priority moves only when the newcomer's derived value takes it (one chance in
        # 49,999 per service on its listener), and then only within the newcomer's run.
        if after[name][2] != prio:
            assert after[new][2] <= prio <= after[new][2] + len(names), name
    assert _placed(_config([n for n in shuffled if n != new], count)) == before


def _resources(out: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    data = {name: json.loads(b) for name, b in out.items() if name.endswith(".json")}
    return {
        f"{name}/{lid}": res
        for name, template in data.items()
        if "/" not in name
        for lid, res in template.get("Resources", {}).items()
    }


def test_a_new_service_adds_resources_and_changes_no_other() -> None:
    names = [f"svc{i:03d}" for i in range(90)]
    before = _resources(render(_config(names, 2, repos=70)).files)
    after = _resources(render(_config([*names[:45], "newcomer", *names[45:]], 2, repos=70)).files)
    changed = {k for k in before if before[k] != after.get(k)}
    home = f"EcsServices{placement.shard('newcomer', 40):02d}"
    # Only the root's link to the newcomer's shard changes (its parameters list grows).
    assert changed <= {f"root.json/{home}"}, changed
    added = {k.split("/")[1] for k in set(after) - set(before)}
    assert all(lid.startswith("Newcomer") for lid in added), added


def test_a_large_platform_fits_every_quota_and_spreads_over_load_balancers() -> None:
    names = [f"svc{i:04d}" for i in range(230)]
    cfg = _config(names, 4, repos=300)
    files = render(cfg).files  # raises QuotaError on any breach
    shards = [n for n in files if n.startswith("ecs-services-") and n.endswith(".json")]
    ecr_shards = [n for n in files if n.startswith("ecr-") and n.endswith(".json")]
    assert len(shards) > 30 and len(ecr_shards) == 8
    ecs_alb = json.loads(files["ecs-alb.json"])
    albs = [r for r in ecs_alb["Resources"].values() if r["Type"].endswith("::LoadBalancer")]
    assert len(albs) == 4
    root = json.loads(files["root.json"])
    templates = [n for n in files if n.endswith(".json") and "/" not in n]
    assert len(root["Outputs"]) < 200 and len(root["Resources"]) == len(templates) - 1


def test_a_platform_past_one_operation_is_refused_with_the_figure() -> None:
    names = [f"svc{i:04d}" for i in range(400)]
    with pytest.raises(QuotaError, match=r"ecs.operations: the root stack .* hold [\d,]+ res"):
        render(_config(names, 6, extra="  operations: single"))


def test_a_full_load_balancer_names_alb_count() -> None:
    with pytest.raises(QuotaError) as caught:
        render(_config([f"svc{i:03d}" for i in range(120)], 1))
    assert any(
        p.startswith("alb.count: load balancer main would forward to 120")
        for p in caught.value.problems
    )


@pytest.mark.parametrize(
    ("extra", "services", "expected"),
    [
        (
            "",
            [("a", "/x/*", "load_balancer: nope")],
            "ecs.services[0].load_balancer: 'nope' is not",
        ),
        (
            "",
            [("a", "/x/*", ""), ("b", "/x/y/*", "")],
            "ecs.services[1].priority: the rules of 'a' and 'b' can match",
        ),
        (
            "",
            [("a", "", ""), ("b", "", "")],
            "share load balancer main; each load balancer has one default route",
        ),
        (
            "",
            [("a", "/x/*", "priority: 50000")],
            "ecs.services[0].priority: 50000 is taken by the catch-all",
        ),
        ("  shards: 0", [("a", "/x/*", "")], "ecs.shards: 0 is out of range; use 1-99"),
        (
            "",
            [("a", "/x/*", "deployment_strategy: blue_green, test_listener_port: 443")],
            "ecs.services[0].test_listener_port: 443 is a production listener port",
        ),
    ],
)
def test_placement_mistakes_are_refused_at_the_key(
    extra: str, services: list[tuple[str, str, str]], expected: str
) -> None:
    lines = ["ecs:", "  layout: sharded", *([extra] if extra else []), "  services:"]
    for name, path, more in services:
        item = f"    - {{name: {name}, image: public.ecr.aws/n/n"
        item += f", path_patterns: [{path}]" if path else ""
        item += f", {more}}}" if more else "}"
        lines.append(item)
    with pytest.raises(ConfigError) as caught:
        loads("\n".join(lines) + "\n")
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_more_load_balancers_need_the_sharded_layout() -> None:
    text = "alb:\n  count: 2\n  load_balancers: [{name: main}]\necs:\n  layout: single\n"
    with pytest.raises(ConfigError) as caught:
        loads(text)
    problems = caught.value.problems
    assert any(p.startswith("alb.count: 2 load balancers is used by the sharded") for p in problems)
    assert any(
        "alb.load_balancers[0].name: 'main' is the name of an automatic" in p for p in problems
    )


def test_services_placed_by_hand_get_their_own_load_balancer(tmp_path: Path) -> None:
    cfg = loads(
        "eks: {enabled: false}\nalb:\n  load_balancers: [{name: internal}]\necs:\n  services:\n"
        "    - {name: web, image: public.ecr.aws/n/n}\n"
        "    - {name: api, image: public.ecr.aws/n/n, path_patterns: [/api/*],\n"
        "       load_balancer: internal}\n"
        "    - {name: admin, image: public.ecr.aws/n/n, load_balancer: internal}\n"
    )
    files = render(cfg).files
    outputs = json.loads(files["ecs-alb.json"])["Outputs"]
    assert {"LoadBalancerDnsName", "InternalLoadBalancerDnsName", "InternalListenerArn"} <= set(
        outputs
    )
    out = tmp_path / "out"
    out.mkdir()
    for name, data in files.items():
        if name.endswith(".json") and "/" not in name:
            (out / name).write_bytes(data)
    assert lint(out, cfg.region) == []


@pytest.fixture(scope="module")
def two_hundred_services(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], str]:
    """The templates of 200 services in 3 load balancers and 120 repositories, written once
    per module: the lint pieces below read them and change nothing."""
    cfg = _config([f"svc{i:03d}" for i in range(200)], 3, repos=120)
    out = tmp_path_factory.mktemp("two-hundred")
    for name, data in render(cfg).files.items():
        if name.endswith(".json") and "/" not in name:
            (out / name).write_bytes(data)
    return sorted(out.glob("*.json")), cfg.region


LINT_PIECES = 4


@pytest.mark.parametrize("piece", range(LINT_PIECES))
def test_a_200_service_output_lints_clean(
    two_hundred_services: tuple[list[Path], str], piece: int
) -> None:
    """Every template of the 200-service output lints clean. Its ~50 templates take half a
    minute of cfn-lint, so they are linted in LINT_PIECES pieces that parallel workers share;
    every template is in exactly one piece, and all of them stay on disk together, so the
    root is checked against its children's parameters (E3043) wherever it is linted."""
    files, region = two_hundred_services
    mine = files[piece::LINT_PIECES]
    assert len(files) > 3 * LINT_PIECES and mine
    findings = lint_files(mine, [region])
    assert [f"{f.rule} {Path(f.file).name}: {f.message}" for f in findings] == []


def test_service_connect_spans_the_shards(tmp_path: Path) -> None:
    cfg = loads(
        "eks: {enabled: false}\necs:\n  layout: sharded\n  shards: 3\n"
        "  service_connect: {namespace: shop.internal}\n  services:\n"
        + "".join(
            f"    - {{name: s{i}, image: public.ecr.aws/n/n, container_port: {8000 + i},"
            f" path_patterns: [/s{i}/*]}}\n"
            for i in range(6)
        )
    )
    files = render(cfg).files
    shards = {
        n: json.loads(b)
        for n, b in files.items()
        if n.startswith("ecs-services-") and n.endswith(".json")
    }
    assert len(shards) > 1
    for template in shards.values():
        services = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
        for svc in services:
            connect = svc["Properties"]["ServiceConnectConfiguration"]
            assert connect["Namespace"] == {"Ref": "ServiceConnectNamespaceArn"}
            groups = svc["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            assert {"Ref": "ServiceConnectSecurityGroupId"} in groups["SecurityGroups"]
    for name, data in files.items():
        if name.endswith(".json") and "/" not in name:
            (tmp_path / name).write_bytes(data)
    assert lint(tmp_path, cfg.region) == []


@settings(max_examples=4, deadline=None)
@given(
    count=st.integers(61, 230),
    repos=st.integers(0, 300),
    ports=st.lists(st.integers(1024, 9000), min_size=1, max_size=8),
    blue_green=st.sets(st.integers(0, 229), max_size=40),
    test_ports=st.lists(st.sampled_from([8080, 9090, 9443, 10000]), min_size=1, max_size=3),
)
def test_any_platform_up_to_one_operation_fits_every_quota(
    count: int, repos: int, ports: list[int], blue_green: set[int], test_ports: list[int]
) -> None:
    """Large N: services on several ports and images, one load balancer per 70 of them,
    up to 40 of them blue/green on a few test ports (their alternate target groups count
    against the ALB's 100, their test rules against a listener's 100)."""
    lines = ["eks: {enabled: false}", f"alb: {{count: {-(-count // 70)}}}", "ecs:", "  services:"]
    for i in range(count):
        image = f"r{i % repos:03d}" if repos and i % 2 else "public.ecr.aws/n/n"
        port = ports[i % len(ports)]
        test_port = test_ports[i % len(test_ports)]
        strategy = (
            f", deployment_strategy: blue_green, test_listener_port: {test_port}"
            if i in blue_green
            else ""
        )
        lines.append(
            f"    - {{name: s{i:03d}, image: {image}, container_port: {port},"
            f" path_patterns: [/s{i:03d}/*]{strategy}}}"
        )
    if repos:
        lines += ["ecr:", "  repositories:"] + [f"    - name: r{i:03d}" for i in range(repos)]
    cfg = loads("\n".join(lines) + "\n")
    assert placement.ecs_sharded(cfg)
    files = render(
        cfg
    ).files  # QuotaError on any breach: resources, outputs, parameters, size, rules
    shards = [
        json.loads(b)
        for n, b in files.items()
        if n.startswith("ecs-services-") and n.endswith(".json")
    ]
    alternates = sum(lid.endswith("AlternateTargetGroup") for t in shards for lid in t["Resources"])
    assert alternates == len([i for i in blue_green if i < count])
