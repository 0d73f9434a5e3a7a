"""Each child template is console- and StackSet-ready on its own: grouped, labelled parameters."""

from __future__ import annotations

from cfngen.config import load
from cfngen.contracts import Stack
from cfngen.stacks import root
from cfngen.stacks.console import label
from conftest import CONFIGS


def test_every_parameter_is_grouped_labelled_and_constrained() -> None:
    for path in CONFIGS:
        for lid, t in root.build_children(load(path)).items():
            doc = t.to_dict()
            params = doc.get("Parameters", {})
            if not params:
                continue
            ui = doc["Metadata"]["AWS::CloudFormation::Interface"]
            grouped = [p for g in ui["ParameterGroups"] for p in g["Parameters"]]
            assert sorted(grouped) == sorted(params), (path.name, lid)
            assert set(ui["ParameterLabels"]) == set(params)
            for name, p in params.items():
                assert p["Description"], (Stack.FILES[lid], name)
                if "AllowedPattern" in p:
                    assert p["ConstraintDescription"].startswith("must match")


def test_labels_read_like_words() -> None:
    assert label("EcsTaskExecutionRoleArn") == "ECS task execution role ARN"
    assert label("PrivateSubnetIds") == "Private subnet IDs"
    assert label("WebRepositoryUri") == "Web repository URI"
