"""Input hygiene: what the YAML layer refuses, and file:line:col on every problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cfngen.cli import main
from cfngen.config import ConfigError, loads, read, source
from conftest import tree


def lines_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        loads(textwrap.dedent(text), "c.yaml")
    return info.value.lines()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture
def out_dir(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder with a file in it, to prove a failed run leaves it untouched."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "root.json").write_text("{}\n")
    return out, tree(out)


def test_non_utf8_file_is_refused_at_its_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out_dir: tuple[Path, dict[str, bytes]]
) -> None:
    config = tmp_path / "latin1.yaml"
    config.write_bytes(b"name: shop\ntags:\n  owner: Jos\xe9\n")
    out, before = out_dir
    code, err = run_cli(capsys, "generate", "-c", str(config), "-o", str(out))
    assert code == 2
    assert f"{config}:3:13: not UTF-8: byte 0xe9" in err
    assert "Traceback" not in err and "UnicodeDecodeError" not in err
    assert tree(out) == before


def test_a_byte_order_mark_is_fine() -> None:
    assert loads("\ufeffname: shop\n").name == "shop"


def test_duplicate_keys_name_both_lines() -> None:
    lines = lines_of(
        """\
        ecs:
          services:
            - name: web
              image: app
              cpu: 256
              cpu: 4096
        """
    )
    assert lines == [
        "c.yaml:6:7: ecs.services[0].cpu: duplicate key 'cpu' at lines 5 and 6; YAML would "
        "silently keep only the last one, so keep one"
    ]


def test_an_alias_bomb_is_refused() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (line,) = lines_of("\n".join(levels))
    assert "expanding the YAML aliases gives more than 100,000 values" in line


def test_aliases_within_the_budget_work_and_merge_keys_override() -> None:
    cfg = loads(
        textwrap.dedent(
            """\
            x-size: &size {cpu: 512, memory: 1024}
            ecs:
              services:
                - <<: *size
                  name: web
                  image: app
                  memory: 2048
            """
        )
    )
    svc = cfg.ecs.services[0]
    assert (svc.cpu, svc.memory) == (512, 2048)


def test_recursive_alias_is_refused() -> None:
    (line,) = lines_of("tags: &a {x: *a}\n")
    assert line.startswith("c.yaml:1:") and "recursive alias" in line


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    config = tmp_path / "big.yaml"
    config.write_text("tags:\n" + "".join(f"  k{i}: v\n" for i in range(200_000)))
    with pytest.raises(ConfigError) as info:
        read(config)
    assert info.value.problems == [
        "the file is larger than 1,048,576 bytes (1 MiB), the most a config may be"
    ]


def test_too_many_values_are_refused_before_building() -> None:
    text = "tags: {" + ", ".join(f"k{i}: v" for i in range(source.MAX_NODES // 2 + 1)) + "}\n"
    (line,) = lines_of(text)
    assert "the document has more than 100,000 values" in line


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: !Ref x\n", "could not determine a constructor for the tag '!Ref'"),
        ("name: a\x07b\n", "character U+0007 is not allowed in YAML"),
        ("name: a\n---\nname: b\n", "the file holds more than one YAML document"),
        ("? [a, b]\n: c\n", "a mapping key must be a plain value"),
        ("name: [unclosed\n", "did not find expected ',' or ']'"),
        ("network: !!set {a, b}\n", "network.a: unknown key"),
    ],
)
def test_yaml_the_loader_refuses(text: str, fragment: str) -> None:
    line = lines_of(text)[0]
    assert line.startswith("c.yaml:") and fragment in line


def test_a_huge_string_is_refused_with_its_key() -> None:
    (line,) = lines_of("alb: {certificate_arn: '" + "a" * 5000 + "'}\n")
    assert line == (
        "c.yaml:1:24: alb.certificate_arn: a string of 5,000 bytes; at most 4,096 bytes are allowed"
    )


def test_every_problem_carries_its_position() -> None:
    lines = lines_of(
        """\
        name: BAD
        netwrok: {}
        ecs:
          services:
            - name: web
              image: app
              cpu: 300
        """
    )
    assert lines[0].startswith("c.yaml:2:1: netwrok: unknown key; did you mean 'network'?")
    # Type errors stop before the value rules; fix them and the rest shows, still placed.
    lines = lines_of(
        """\
        name: BAD
        ecs:
          services:
            - name: web
              image: app
              cpu: 300
        """
    )
    assert lines[0] == (
        "c.yaml:1:7: name: 'BAD' is not allowed; use 1-20 lowercase letters, digits and "
        "single hyphens, starting with a letter"
    )
    assert lines[1].startswith("c.yaml:6:12: ecs.services[0].cpu: 300 is not a Fargate CPU")


def test_a_problem_with_a_default_points_at_its_section() -> None:
    _, marks = source.parse("name: shop\nnetwork:\n  vpc_cidr: 10.1.0.0/16\n")
    problem = "network.public_subnets: 10.0.1.0/24 is outside network.vpc_cidr 10.1.0.0/16"
    assert source.locate(problem, marks) == (
        "2:1",
        "network.public_subnets (default): 10.0.1.0/24 is outside network.vpc_cidr 10.1.0.0/16",
    )
    assert source.locate("eks.version: x", marks) == ("1:1", "eks.version (default): x")
    assert source.locate("network.vpc_cidr: x", marks) == ("3:13", "network.vpc_cidr: x")
    # A missing required key is not a default: no note.
    lines = lines_of("ecs: {services: [{name: web, image: app, autoscaling: true}]}\n")
    assert lines == [
        "c.yaml:1:55: ecs.services[0].autoscaling.min: required key is missing",
        "c.yaml:1:55: ecs.services[0].autoscaling.max: required key is missing",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "network: {flow_logs: true}\nalb: {access_logs: true}\n",
        "network:\n  flow_logs:\n    enabled: true\nalb:\n  access_logs: {enabled: true}\n",
    ],
)
def test_a_section_with_a_switch_takes_a_boolean(text: str) -> None:
    cfg = loads(text)
    assert cfg.network.flow_logs.enabled and cfg.alb.access_logs.enabled
    assert cfg.network.flow_logs.retention_days == 365


def test_an_empty_value_is_the_default_and_false_switches_an_optional_section_off() -> None:
    cfg = loads(
        textwrap.dedent(
            """\
            network:
            alb:
              certificate_arn:
            ecs:
              services:
                - {name: web, image: app, autoscaling: false, tag: ~}
            """
        )
    )
    assert cfg.alb.certificate_arn == ""
    assert cfg.ecs.services[0].autoscaling is None
    assert cfg.ecs.services[0].tag == "latest"
    (line,) = lines_of("ecs: {services: [{name: , image: app}]}\n")
    assert "ecs.services[0].name: required key is empty" in line


def test_x_keys_hold_anchors_and_are_ignored() -> None:
    assert loads("x-common: &c {team: a}\ntags: *c\n").tags == {"team": "a"}
