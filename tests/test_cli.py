"""The generate command end to end: files written, bad input refused, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_generate, tree


def test_generate_writes_every_stack_in_both_formats(tmp_path: Path) -> None:
    out = tmp_path / "templates"
    result = run_generate("--config", "config/default.yaml", "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = set(tree(out))
    stacks = {"root", "network", "iam", "ecr", "ecs-alb", "eks"}
    assert {f"{s}.{ext}" for s in stacks for ext in ("json", "yaml")} <= names
    assert {"parameters/ecs-alb.json", "parameters/eks.json"} <= names
    assert "wrote" in result.stderr and str(out) in result.stderr


def test_format_json_only(tmp_path: Path) -> None:
    out = tmp_path / "t"
    assert run_generate("--format", "json", "--out", str(out)).returncode == 0
    assert not [n for n in tree(out) if n.endswith(".yaml")]
    root = json.loads((out / "root.json").read_text())
    assert root["Resources"]["Network"]["Properties"]["TemplateURL"] == "network.json"


def test_yaml_root_points_at_yaml_children(tmp_path: Path) -> None:
    out = tmp_path / "t"
    assert run_generate("--format", "yaml", "--out", str(out)).returncode == 0
    assert "TemplateURL: ecs-alb.yaml" in (out / "root.yaml").read_text()


def test_parameter_file_names_the_source_of_wired_values(tmp_path: Path) -> None:
    out = tmp_path / "t"
    assert run_generate("--out", str(out)).returncode == 0
    params = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in json.loads((out / "parameters/eks.json").read_text())
    }
    assert params["EksNodeRoleArn"] == "<output EksNodeRoleArn of the iam stack>"
    assert params["PublicSubnetIds"] == "<output PublicSubnetIds of the network stack>"


def test_invalid_config_exits_2_and_leaves_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "templates"
    out.mkdir()
    (out / "network.json").write_text("previous generation")
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: BAD\nnetwork:\n  public_subnets: [10.0.1.0/24, 10.1.2.0/24]\n")
    result = run_generate("--config", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "name: 'BAD' is not allowed" in result.stderr
    assert "network.public_subnets[1]: 10.1.2.0/24 is outside network.vpc_cidr" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == before


def test_invalid_yaml_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    result = run_generate("--config", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert f"{bad}:2:1: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run_generate("--config", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "cannot read config" in result.stderr


def test_refuses_to_replace_a_folder_with_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run_generate("--out", str(out))
    assert result.returncode == 2
    assert "refusing to replace" in result.stderr and "notes.txt" in result.stderr
    assert tree(out) == {"notes.txt": b"mine"}


def test_regeneration_removes_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "t"
    assert run_generate("--out", str(out)).returncode == 0
    (out / "old-stack.json").write_text("{}")
    assert run_generate("--out", str(out)).returncode == 0
    assert not (out / "old-stack.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".t.")]  # no temp leftovers


def test_help_explains_commands_and_exit_codes() -> None:
    result = run_generate("--help")
    assert result.returncode == 0
    assert "--config" in result.stdout and "--format" in result.stdout
    import subprocess
    import sys

    top = subprocess.run(
        [sys.executable, "-m", "cfngen.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "generate" in top.stdout and "Exit codes" in top.stdout


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run_generate("--format", "xml", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
