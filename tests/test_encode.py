"""The fast path writes exactly the previous generator's bytes.

The previous generator serialised ``Template.to_dict()`` with ``json.dumps(indent=2,
sort_keys=True, ensure_ascii=False)`` and PyYAML's representer; the fast one encodes by
type, writes JSON with orjson and builds the YAML nodes itself.
Both are compared file by file on every example config and on drawn configs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from troposphere import Template, ec2

import mutations
from cfngen import cfnyaml, render
from cfngen.config import Config, load, loads
from cfngen.contracts import Stack
from cfngen.stacks import encode, operations, root, services_group
from strategies import configs


def _previous(data: dict[str, Any], fmt: str) -> bytes:
    if fmt == "yaml":  # PyYAML's representer over the short forms, as cfngen wrote it before
        text = yaml.dump(
            cfnyaml._short(data),
            Dumper=cfnyaml._CfnDumper,
            sort_keys=True,
            default_flow_style=False,
            allow_unicode=True,
            width=120,
        )
        return text.encode()
    text = json.dumps(data, indent=2, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
    return (text + "\n").encode()


def _assert_same_bytes(cfg: Config) -> None:
    files = render.render(cfg).files
    children = root.build_children(cfg)
    parts = operations.split(cfg, children)  # a split platform: root and its service groups
    for fmt in render.FORMATS:
        expected = {f"{Stack.file(lid)}.{fmt}": t.to_dict() for lid, t in children.items()}
        top = root.build(cfg, ext=fmt, children=parts.root, groups=parts.inputs)
        expected[f"{render.ROOT_FILE}.{fmt}"] = top.to_dict()
        for key, shards in parts.groups.items():
            group = services_group.build(cfg, key, shards, parts.inputs[key], fmt)
            expected[f"{key}.{fmt}"] = group.to_dict()
        for name, data in expected.items():
            assert files[name] == _previous(data, fmt), name


def test_equal_to_troposphere_on_every_template(example_config: Path) -> None:
    cfg = load(example_config)
    children = root.build_children(cfg)
    for name, tmpl in {**children, "root": root.build(cfg, children=children)}.items():
        assert encode.template_dict(tmpl) == tmpl.to_dict(), name


def test_same_bytes_as_the_previous_generator(example_config: Path) -> None:
    _assert_same_bytes(load(example_config))


@settings(max_examples=20, deadline=None)
@given(data=configs())
def test_same_bytes_on_any_valid_config(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_bytes(mutations.dump(data))
        _assert_same_bytes(load(path))


def test_yaml_edge_values_match_the_representer() -> None:
    data = {
        "a": [1.5, 1e20, -0.0, float("inf"), None, True, "yes", "0x1", "", "a: b", "- x"],
        "b": [{"Ref": "X"}, {"Fn::GetAZs": {"Ref": "AWS::Region"}}, {"Ref": 1}],
        "c": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Fn::GetAtt": ["a.b", "c"]}],
        "\u00e9": "\u2028x\n y",
        "m": {},
        "l": [],
        "n": {"Fn::Sub": {"k": "v"}},
    }
    assert cfnyaml.dumps(data).encode() == _previous(data, "yaml")


def test_text_beyond_ascii_and_control_characters_match_json_dumps() -> None:
    data = {"b": ["\u00e9\u2028\U0001f600", '\x00\x1f\t\n"\\/'], "a": {"": 1.5, "z": -0.0}}
    assert render.json_bytes(data) == _previous(data, "json")


def test_a_missing_required_property_still_fails() -> None:
    t = Template()
    t.add_resource(ec2.SecurityGroup("Group"))  # GroupDescription is required
    with pytest.raises(ValueError, match="GroupDescription"):
        encode.template_dict(t)


def test_same_bytes_on_a_split_platform() -> None:
    cfg = loads(
        "eks: {enabled: false}\necs:\n  operations: split\n  shards: 4\n"
        "  shards_per_operation: 2\n  services:\n"
        + "".join(
            f"    - {{name: s{i}, image: public.ecr.aws/n/n, path_patterns: [/s{i}/*]}}\n"
            for i in range(5)
        )
    )
    assert any(name.startswith("services-") for name in render.render(cfg).files)
    _assert_same_bytes(cfg)
