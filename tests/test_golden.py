"""Golden files: every stack of every example config, compared with a reviewed snapshot.

After an intended change run `make golden` and review `git diff tests/golden`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from cfngen.config import load
from cfngen.render import render
from conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden"
REFRESH = os.environ.get("CFNGEN_REFRESH_GOLDEN") == "1"


def _cases() -> list[tuple[Path, str]]:
    cases = []
    for cfg in EXAMPLES:
        files = render(load(cfg), ["json"]).files
        cases += [(cfg, name) for name in sorted(files) if "/" not in name]
    return cases


@pytest.mark.parametrize(("config", "name"), _cases(), ids=lambda v: getattr(v, "stem", v))
def test_stack_matches_golden(config: Path, name: str) -> None:
    actual = render(load(config), ["json"]).files[name].decode()
    golden = GOLDEN / config.stem / name
    if REFRESH:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
    assert golden.exists(), f"no golden file {golden}; run `make golden` and review it"
    expected = golden.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{config.stem}/{name}",
                tofile="generated",
                n=2,
            )
        )
        pytest.fail(
            f"{name} for {config.name} differs from its golden file "
            f"(`make golden` after an intended change):\n{diff[:6000]}"
        )


def test_no_orphan_golden_files() -> None:
    expected = {f"{c.stem}/{name}" for c, name in _cases()}
    present = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.json")}
    if REFRESH:
        for orphan in present - expected:
            (GOLDEN / orphan).unlink()
        return
    assert present == expected
