"""Which fixed names and rule priorities a change of shard count or layout moves between
nested stacks (cfngen.deploy.preflight_moves.moves), over the real generator's output.

The deploy-side refusal is proven on the emulator in tests/test_emulator_nested_update.py;
here the space: any services, any two shard counts, both layouts, repositories too.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.config import Config, loads, placement
from cfngen.deploy.preflight_moves import moves
from cfngen.preview.templates import TemplateSet
from cfngen.render import render

NAMES = st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda n: f"s{n}")


def _config(
    names: list[str], ecs: str, repos: list[str] | None = None, ecr: str = "", top: str = ""
) -> Config:
    lines = [
        "eks: {enabled: false}",
        *([top] if top else []),
        "ecs:",
        *(f"  {line}" for line in ecs.split(";")),
        "  services:",
    ]
    lines += [
        f"    - {{name: {n}, image: public.ecr.aws/n/n, path_patterns: [/{n}/*]}}" for n in names
    ]
    if repos:
        lines += ["ecr:", *(f"  {line}" for line in ecr.split(";") if line), "  repositories:"]
        lines += [f"    - name: {r}" for r in repos]
    return loads("\n".join(lines) + "\n")


def _tree(cfg: Config) -> TemplateSet:
    return TemplateSet.from_files(render(cfg, ("json",)).files)


def _moved_names(found: dict[str, list[tuple[object, object]]], key: str) -> set[str]:
    return {str(getattr(b, "what", "")) for b, _ in found.get(key, [])}


@settings(max_examples=12, deadline=None)
@given(
    names=st.lists(NAMES, min_size=1, max_size=12, unique=True),
    shards=st.tuples(st.integers(1, 5), st.integers(1, 5)),
)
def test_exactly_the_services_whose_shard_changes_move_with_log_group_and_rule(
    names: list[str], shards: tuple[int, int]
) -> None:
    old, new = (_config(names, f"layout: sharded;shards: {n}") for n in shards)
    found = moves(_tree(old), _tree(new))
    movers = {n for n in names if placement.shard(n, shards[0]) != placement.shard(n, shards[1])}
    assert set(found) <= {"ecs.shards"}
    whats = _moved_names(found, "ecs.shards")
    assert {w.rsplit("/", 1)[-1] for w in whats if w.startswith("LogGroup ")} == movers
    rules = {w.split(" ", 1)[0] for w in whats if "ListenerRule" in w}
    assert len(rules) == len(movers)  # one rule each, on the same listener
    for before, after in found.get("ecs.shards", []):
        assert before.label.startswith("ecs-services-") and after.label.startswith("ecs-services-")
        assert before.label != after.label


def test_the_layout_switch_moves_every_service_out_of_ecs_alb() -> None:
    names = ["alpha", "bravo", "charlie"]
    found = moves(
        _tree(_config(names, "layout: single")), _tree(_config(names, "layout: sharded;shards: 2"))
    )
    assert set(found) == {"ecs.layout"}
    logs = sorted(b.what for b, a in found["ecs.layout"] if b.what.startswith("LogGroup"))
    assert [w.rsplit("/", 1)[-1] for w in logs] == names
    assert {b.label for b, _ in found["ecs.layout"]} == {"ecs-alb"}


def test_repositories_moving_between_ecr_shards_are_named_under_ecr_shards() -> None:
    repos = [f"r{i:02d}" for i in range(12)]
    old = _config(["alpha"], "layout: sharded;shards: 2", repos, "layout: sharded;shards: 2")
    new = _config(["alpha"], "layout: sharded;shards: 2", repos, "layout: sharded;shards: 3")
    found = moves(_tree(old), _tree(new))
    movers = {r for r in repos if placement.shard(r, 2, "ecr") != placement.shard(r, 3, "ecr")}
    assert set(found) == {"ecr.shards"} and movers
    assert {b.what.rsplit("/", 1)[-1] for b, _ in found["ecr.shards"]} == movers


def test_nothing_moves_when_only_services_are_added_removed_or_the_alb_count_grows() -> None:
    names = [f"svc{i}" for i in range(10)]
    old = _tree(_config(names, "layout: sharded;shards: 3"))
    assert moves(old, _tree(_config([*names[3:], "newcomer"], "layout: sharded;shards: 3"))) == {}
    # Another load balancer takes some services: their rules go to another listener.
    wider = _config(names, "layout: sharded;shards: 3", top="alb: {count: 3}")
    assert moves(old, _tree(wider)) == {}
