"""The plan over several top-level stacks, without AWS: order, parameters, labels, offline diff."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cfngen.deploy import offline
from cfngen.deploy.topology import Top, parameters, relabel, subtree, waves
from cfngen.resource_diff import ResourceChange


@st.composite
def _dags(draw: st.DrawFn) -> list[Top]:
    """A root and up to 12 more stacks, each after some of the stacks listed before it."""
    count = draw(st.integers(min_value=0, max_value=12))
    keys = ["root", *(f"services-{n:02d}" for n in range(1, count + 1))]
    out: list[Top] = []
    for i, key in enumerate(keys):
        after = tuple(draw(st.lists(st.sampled_from(keys[:i]), unique=True))) if i else ()
        out.append(Top(key, f"p{key}", after, {}))
    return draw(st.permutations(out))


@given(_dags())
def test_waves_run_each_stack_once_after_everything_it_needs(stacks: list[Top]) -> None:
    order = waves(stacks)
    seen: dict[str, int] = {}
    for number, wave in enumerate(order):
        assert wave
        for top in wave:
            assert top.key not in seen
            seen[top.key] = number
    assert set(seen) == {t.key for t in stacks}
    for top in stacks:
        assert all(seen[a] < seen[top.key] for a in top.after)
        # as early as it can: right after the latest stack it needs
        assert seen[top.key] == max((seen[a] + 1 for a in top.after), default=0)


def test_groups_after_the_root_form_one_wave() -> None:
    groups = [Top(f"services-{n:02d}", f"x-services-{n:02d}", ("root",), {}) for n in (1, 2, 3)]
    order = waves([Top("root", "x", (), {}), *groups])
    assert [[t.key for t in w] for w in order] == [["root"], [g.key for g in groups]]


@given(
    st.dictionaries(st.from_regex(r"[A-Z][a-z]{1,6}", fullmatch=True), st.text(max_size=5)),
    st.dictionaries(st.from_regex(r"[A-Z][a-z]{1,6}", fullmatch=True), st.text(max_size=5)),
)
def test_parameters_take_the_root_outputs_they_name(
    inputs: dict[str, str], root_outputs: dict[str, str]
) -> None:
    wanted = {p: o for p, o in inputs.items()} | {f"P{o}": o for o in root_outputs}
    top = Top("services-01", "x-services-01", ("root",), wanted)
    values, missing = parameters(top, root_outputs)
    assert values == {p: root_outputs[o] for p, o in wanted.items() if o in root_outputs}
    assert missing == sorted(o for o in wanted.values() if o not in root_outputs)


def test_relabel_puts_the_group_in_front_of_every_stack_path() -> None:
    changes = [
        ResourceChange("root", "Add", "EcsServices01", "AWS::CloudFormation::Stack"),
        ResourceChange("EcsServices01", "Add", "WebService", "AWS::ECS::Service"),
    ]
    assert [c.stack for c in relabel(changes, "services-02")] == [
        "services-02",
        "services-02/EcsServices01",
    ]


def _template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def _nested(url: str) -> dict[str, Any]:
    return {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}


def _queue(name: str) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}}


def test_subtree_holds_one_top_level_stack_and_what_it_nests() -> None:
    import json

    files = {
        "root.json": json.dumps(_template(Net=_nested("network.json"))).encode(),
        "network.json": json.dumps(_template(Q=_queue("n"))).encode(),
        "services-01.json": json.dumps(_template(S=_nested("ecs-services-01.json"))).encode(),
        "ecs-services-01.json": json.dumps(_template(Q=_queue("s"))).encode(),
    }
    assert sorted(subtree(files, "root")) == ["network.json", "root.json"]
    assert sorted(subtree(files, "services-01")) == ["ecs-services-01.json", "services-01.json"]
    assert sorted(subtree(files, "services-01", as_root=True)) == [
        "ecs-services-01.json",
        "root.json",
    ]


def test_offline_diff_plans_every_top_level_stack_and_a_group_that_goes() -> None:
    old = {
        "root": _template(A=_queue("a")),
        "services-01": _template(S1=_nested("ecs-services-01.json")),
        "ecs-services-01": _template(Q1=_queue("one")),
        "services-02": _template(S3=_nested("ecs-services-03.json")),
        "ecs-services-03": _template(Q3=_queue("three")),
    }
    new = {
        "root": _template(A=_queue("a")),
        "services-01": _template(S1=_nested("ecs-services-01.json")),
        "ecs-services-01": _template(Q1=_queue("one"), Q2=_queue("two")),
    }
    changes = offline.plan(old, new, "us-east-1", ["root", "services-01"])
    rows = {(c.stack, c.action, c.logical_id) for c in changes}
    assert ("services-01/S1", "Add", "Q2") in rows
    assert ("services-02", "Remove", "S3") in rows
    assert not any(c.stack == "root" for c in changes)
    # a single-stack set is planned as before
    single = offline.plan({"root": old["root"]}, {"root": _template()}, "us-east-1")
    assert [(c.stack, c.action, c.logical_id) for c in single] == [("root", "Remove", "A")]
