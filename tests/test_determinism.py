"""Same config, same bytes; and the committed templates/ match the generator."""

from __future__ import annotations

from pathlib import Path

from cfngen.config import load
from cfngen.render import render
from conftest import ROOT, run_generate, tree


def test_two_renders_are_byte_identical(example_config: Path) -> None:
    assert render(load(example_config)).files == render(load(example_config)).files


def test_two_process_runs_are_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_generate("--out", str(a)).returncode == 0
    assert run_generate("--out", str(b)).returncode == 0
    assert tree(a) == tree(b)


def test_committed_templates_do_not_drift(tmp_path: Path) -> None:
    out = tmp_path / "templates"
    result = run_generate("--config", "config/default.yaml", "--out", str(out))
    assert result.returncode == 0, result.stderr
    committed, fresh = tree(ROOT / "templates"), tree(out)
    changed = sorted(n for n in committed.keys() | fresh.keys() if committed.get(n) != fresh.get(n))
    assert not changed, f"templates/ drifted from the generator: {changed}; run `make templates`"
