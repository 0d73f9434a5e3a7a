"""`cfngen lint`: cfn-lint in-process on a config's templates or on template folders.

Each finding case plants a real defect in real generated templates and checks that the
reported line is the defect's line; clean cases check the count of templates linted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cfngen.cli import main
from conftest import ROOT

DEFAULT = str(ROOT / "config" / "default.yaml")
PRODUCTION = str(ROOT / "config" / "production.yaml")


def _generate(out: Path, config: str = DEFAULT, fmt: str = "json") -> Path:
    assert main(["generate", "-q", "--config", config, "--format", fmt, "--out", str(out)]) == 0
    return out


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_example_config_lints_clean_in_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--config", DEFAULT, "--config", PRODUCTION]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "cfn-lint: no findings in 12 templates"  # root + 5 children, twice


def test_no_argument_lints_the_default_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the default is config/default.yaml, relative like every default
    assert main(["lint"]) == 0
    assert capsys.readouterr().err.strip() == "cfn-lint: no findings in 6 templates"
    assert main(["lint", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_folder_is_linted_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _generate(tmp_path / "t", fmt="both")
    assert main(["lint", str(out)]) == 0
    assert capsys.readouterr().err.strip() == "cfn-lint: no findings in 12 templates"


def test_finding_names_file_line_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _generate(tmp_path / "t")
    network = out / "network.json"
    template = json.loads(network.read_text())
    template["Resources"]["Bogus"] = {"Type": "AWS::EC2::NoSuchThing"}
    network.write_text(json.dumps(template, indent=2))
    assert main(["lint", str(out)]) == 1
    stdout, err = capsys.readouterr()
    line = _line_of(network, "AWS::EC2::NoSuchThing")
    assert stdout.splitlines() == [
        f"{network}:{line}: E3006 Resource type 'AWS::EC2::NoSuchThing' does not exist in "
        "'us-east-1'"
    ]
    assert err.strip() == "cfn-lint: 1 findings in 6 templates"


def test_nested_wiring_is_checked_across_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """E3043: the root no longer passes a parameter the child requires."""
    out = _generate(tmp_path / "t")
    root_file = out / "root.json"
    root = json.loads(root_file.read_text())
    passed = root["Resources"]["EcsAlb"]["Properties"]["Parameters"]
    dropped = sorted(passed)[0]
    del passed[dropped]
    root_file.write_text(json.dumps(root, indent=2))
    assert main(["lint", str(out)]) == 1
    findings = capsys.readouterr().out.splitlines()
    assert findings and all(f.startswith(f"{root_file}:") for f in findings)
    assert any(" E3043 " in f and dropped in f for f in findings)


def test_region_flag_checks_against_that_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _generate(tmp_path / "t", config=PRODUCTION)
    assert main(["lint", "--region", "eu-west-1", str(out)]) == 0
    assert "no findings in 6 templates" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist"], "does-not-exist: no such file or folder"),
        (["--config", "does-not-exist.yaml"], "cannot read config"),
    ],
)
def test_bad_input_exits_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", *[str(tmp_path / a) if "exist" in a else a for a in args]]) == 2
    assert message in capsys.readouterr().err


def test_a_folder_without_templates_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a template")
    assert main(["lint", str(tmp_path)]) == 2
    assert f"{tmp_path}: no templates" in capsys.readouterr().err


def test_an_invalid_config_exits_2_before_linting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("network:\n  vpc_cidr: 10.0.0.0/33\n")
    assert main(["lint", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "network.vpc_cidr" in err and "Traceback" not in err


def test_rules_loaded_once_find_what_a_fresh_cfn_lint_finds_in_any_order(tmp_path: Path) -> None:
    """cfngen lint loads cfn-lint's rules once per process and reuses them: no rule may carry
    what it saw in one template into the next. A broken template, a clean one and the broken
    one again give the findings cfn-lint's own entry point (rules loaded anew) gives."""
    from cfnlint.api import ManualArgs, lint_by_config

    from cfngen.lint import lint_files

    out = _generate(tmp_path / "t")
    broken = tmp_path / "broken.json"
    template = json.loads((out / "network.json").read_text())
    template["Resources"]["Bogus"] = {"Type": "AWS::EC2::NoSuchThing"}
    template.setdefault("Parameters", {})["Unused"] = {"Type": "String"}
    template["Resources"]["Topic"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": {"Ref": "Nowhere"}, "NoSuchProperty": 1},
    }
    broken.write_text(json.dumps(template, indent=2))
    fresh = sorted(
        (str(m.filename), int(m.linenumber), m.rule.id, str(m.message))
        for m in lint_by_config(ManualArgs(templates=[str(broken)], regions=["us-east-1"]))
    )
    assert {rule for _, _, rule, _ in fresh} >= {"E3006", "W2001", "E1020", "E3002"}
    runs = [lint_files([broken], ["us-east-1"]), lint_files([out / "network.json"], ["us-east-1"])]
    runs.append(lint_files([broken], ["us-east-1"]))
    assert [[(f.file, f.line, f.rule, f.message) for f in run] for run in runs] == [
        fresh,
        [],
        fresh,
    ]
