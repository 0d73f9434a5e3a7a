"""Deploy-time estimates: the critical path, checked against arithmetic done by hand.

A small tree stands in for the platform: stack A (an EKS cluster, its node group, a role)
and stack B (a load balancer, then a service) that takes a parameter from A's outputs,
so B starts only when A is done. Typical times: cluster 660 s, node group 240 s, role
20 s, load balancer 180 s, ECS service 120 s; each nested stack adds 5 s at its start and
5 s at its end (NESTED_OVERHEAD 10 s).
"""

from __future__ import annotations

from typing import Any

import pytest

from cfngen.config import loads
from cfngen.preview import duration
from cfngen.preview.templates import TemplateSet
from cfngen.render import render
from conftest import ROOT

NESTED = "AWS::CloudFormation::Stack"
A = {
    "Resources": {
        "Cluster": {
            "Type": "AWS::EKS::Cluster",
            "Properties": {"RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
        },
        "Ng": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": {"Ref": "Cluster"}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    },
    "Outputs": {"X": {"Value": {"Ref": "Ng"}}},
}
B = {
    "Parameters": {"X": {"Type": "String"}},
    "Resources": {
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
        "Svc": {
            "Type": "AWS::ECS::Service",
            "DependsOn": "Lb",
            "Properties": {"ServiceName": {"Fn::Sub": "${X}-svc"}},
        },
    },
}
ROOT_TEMPLATE = {
    "Resources": {
        "A": {"Type": NESTED, "Properties": {"TemplateURL": "a.json"}},
        "B": {
            "Type": NESTED,
            "Properties": {
                "TemplateURL": "b.json",
                "Parameters": {"X": {"Fn::GetAtt": ["A", "Outputs.X"]}},
            },
        },
    }
}


def tree() -> TemplateSet:
    bodies: dict[str, Any] = {"A": A, "B": B}
    return TemplateSet.build(ROOT_TEMPLATE, lambda path, _lid, _res: bodies.get(path))


def test_create_takes_the_longest_chain_across_stacks() -> None:
    p = duration.plan(tree(), duration.typical())
    # A: 5 + role 20 + cluster 660 + node group 240 + 5 = 930; B: 5 + 180 + 120 + 5 = 310.
    assert p.steps[("A", "Role")].finish == 5 + 20
    assert p.steps[("A", "Cluster")].finish == 5 + 20 + 660
    assert p.steps[("root", "A")].finish == 930
    assert p.steps[("root", "B")].start == 930  # B waits for A's output
    assert p.total == 930 + 310
    assert [s.key for s in p.critical] == [
        ("A", "Role"),
        ("A", "Cluster"),
        ("A", "Ng"),
        ("B", "Lb"),
        ("B", "Svc"),
    ]


def test_an_update_costs_only_what_changes() -> None:
    p = duration.plan(tree(), duration.typical(), changed={("B", "Svc")})
    # A untouched: no time; B: 5 + service 120 + 5.
    assert p.total == 130
    assert duration.plan(tree(), duration.typical(), changed=set()).total == 0


def test_an_update_path_holds_only_what_changes() -> None:
    """B waits for A, so its unchanged resources "end" as late as the cluster, in no time:
    they are not the path (the preview printed an empty one)."""
    p = duration.plan(tree(), duration.typical(), changed={("A", "Cluster")})
    assert p.steps[("B", "Svc")].finish > p.steps[("A", "Cluster")].finish
    assert [s.key for s in p.critical] == [("A", "Cluster")]
    assert duration.plan(tree(), duration.typical(), changed=set()).critical == ()


def test_recorded_durations_replace_the_table_by_their_median() -> None:
    seconds = duration.typical({"AWS::EKS::Cluster": [100.0, 300.0, 200.0]})
    assert seconds("AWS::EKS::Cluster") == 200
    assert seconds("AWS::EKS::Nodegroup") == 240  # not recorded: the table
    assert seconds("AWS::Something::New") == duration.DEFAULT_SECONDS
    p = duration.plan(tree(), seconds)
    assert p.total == (5 + 20 + 200 + 240 + 5) + 310


def test_projected_finish_replans_with_what_actually_finished() -> None:
    p = duration.plan(tree(), duration.typical())
    assert duration.projected_finish(p, {}, {}, 0) == p.total
    # The cluster finished at 300 s instead of 685 s: node group 300..540, A ends 545,
    # B 545 + 5 + 180 + 120 + 5.
    done = {("A", "Role"): 25.0, ("A", "Cluster"): 300.0}
    assert duration.projected_finish(p, done, {}, 300) == 545 + 310
    # Running late: at 2000 s nothing else has finished; the node group is not done, so
    # it ends no earlier than now and B follows.
    assert duration.projected_finish(p, done, {}, 2000) == 2000 + 5 + 310


def test_the_seed_is_dominated_by_the_eks_cluster() -> None:
    cfg = loads((ROOT / "config" / "default.yaml").read_text())
    ts = TemplateSet.from_files(render(cfg, ("json",)).files, cfg.region)
    p = duration.plan(ts, duration.typical())
    chain = [(s.key[0], s.type) for s in p.critical]
    assert ("Eks", "AWS::EKS::Cluster") in chain and ("Eks", "AWS::EKS::Nodegroup") in chain
    # Iam (roles) -> Eks: cluster 660 + node group 240 at least, under half an hour.
    assert 900 < p.total < 1800
    assert duration.summary(p, ts.label)[0].startswith("estimated duration: ~")


@pytest.mark.parametrize(
    ("seconds", "text"), [(3, "~5 s"), (44, "~45 s"), (91, "~2 min"), (1240, "~21 min")]
)
def test_minutes_are_rounded(seconds: float, text: str) -> None:
    assert duration.minutes(seconds) == text
