"""The YAML rendering parses back (with cfn-lint's own loader) to exactly the template."""

from __future__ import annotations

import json
from pathlib import Path

from cfnlint.decode import cfn_yaml

from cfngen import cfnyaml
from cfngen.config import load
from cfngen.stacks import root


def _plain(node: object) -> object:
    """cfn-lint's nodes (str_node, dict_node ...) as plain JSON values."""
    return json.loads(json.dumps(node, default=str))


def test_every_template_round_trips(example_config: Path, tmp_path: Path) -> None:
    cfg = load(example_config)
    children = root.build_children(cfg)
    templates = {**children, "Root": root.build(cfg, ext="yaml", children=children)}
    for name, tmpl in templates.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(cfnyaml.dumps(tmpl.to_dict()))
        assert _plain(cfn_yaml.load(str(path))) == _plain(tmpl.to_dict()), name


def test_short_forms_and_nesting() -> None:
    text = cfnyaml.dumps(
        {
            "A": {"Ref": "X"},
            "B": {"Fn::GetAtt": ["Stack", "Outputs.Name"]},
            "C": {"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]},
            "D": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        }
    )
    assert "A: !Ref X\n" in text
    assert "B: !GetAtt Stack.Outputs.Name\n" in text
    assert "- Fn::GetAZs: !Ref AWS::Region\n" in text  # one tag per node: outer stays long
    assert "D: !Join\n" in text


def test_strings_that_look_like_other_types_stay_strings() -> None:
    text = cfnyaml.dumps({"Version": "2010-09-09", "Flag": "true", "Port": "80"})
    assert "'2010-09-09'" in text and "'true'" in text and "'80'" in text
