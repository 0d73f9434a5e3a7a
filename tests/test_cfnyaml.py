"""The YAML rendering parses back (with cfn-lint's own loader) to exactly the template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Template-shaped data: intrinsic-looking keys among arbitrary ones, text of every kind
# (quotes, colons, hashes, words YAML reads as booleans, numbers, line breaks, characters
# a YAML reader refuses raw), numbers and booleans.
_KEYS = st.sampled_from(
    ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::GetAZs", "Condition", "Type", "Value"]
)
_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["yes", "No", "null", "~", "80", "1e3", "0x1F", "- a", "a: b", "a #b", ":"]),
    st.sampled_from(["2010-09-09", "10.0.0.0/16", "|x", "'q'", '"d"', "a\nb\n", "\n x", "\t"]),
)
_SCALARS = st.one_of(_TEXT, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_KEYS, st.text(min_size=1, max_size=12)), inner, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), _DATA, max_size=5))
def test_any_template_shaped_data_reads_back_the_same(data: dict[str, Any]) -> None:
    assert cfnyaml.loads(cfnyaml.dumps(data)) == data


def test_the_deployer_reads_a_yaml_stack_as_its_json_twin() -> None:
    """GetTemplate returns the body as uploaded: the committed YAML reads as the JSON one."""
    from cfngen.deploy.deployed import parse_body

    templates = Path(__file__).resolve().parent.parent / "templates"
    for yaml_file in sorted(templates.glob("*.yaml")):
        twin = yaml_file.with_suffix(".json").read_text()
        if yaml_file.stem == "root":  # its TemplateURLs name the children's format
            twin = twin.replace(".json", ".yaml")
        assert parse_body(yaml_file.read_text()) == json.loads(twin), yaml_file.name
    assert parse_body("- not a template") is None
    assert parse_body("{unclosed") is None
