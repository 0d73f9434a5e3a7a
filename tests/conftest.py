"""Shared helpers: the repository root, the example configs, running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "config").glob("*.yaml"))


def run_generate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `python generate.py ...` as a user would: a real process, real files."""
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file below a folder."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(params=CONFIGS, ids=[c.stem for c in CONFIGS])
def example_config(request: pytest.FixtureRequest) -> Path:
    return request.param
