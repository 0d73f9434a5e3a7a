"""`pip install .` / `pipx install .` ship a working cfngen: every package file, data included.

The wheel is built from a copy of the checkout (as pip builds it) and run from a folder
that is not a checkout, so nothing can come from the source tree by accident.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import GUARD, ROOT, copy_checkout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    tree = copy_checkout(tmp / "checkout")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--wheel-dir", str(tmp / "dist"), str(tree)],
        check=True, capture_output=True, timeout=GUARD,
    )  # fmt: skip
    (built,) = (tmp / "dist").glob("cfngen-*.whl")
    yield built


def _package_files() -> set[str]:
    """Every file git knows (or will) under src/cfngen, as a wheel names it."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "src/cfngen"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return {name.removeprefix("src/") for name in listed if (ROOT / name).is_file()}


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _package_files()
    assert any(n.startswith("cfngen/kube/base/") for n in expected)  # the kustomize base
    assert sorted(expected - names) == []


def test_the_installed_wheel_works_outside_a_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"  # no manifests/, no src/, no config/
    work.mkdir()
    (work / "c.yaml").write_text("name: shop\n")
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the checkout's editable install

    def cfngen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cfngen.cli", *args],
            cwd=work, env=env, capture_output=True, text=True, timeout=GUARD,
        )  # fmt: skip

    where = subprocess.run(
        [sys.executable, "-c", "import cfngen; print(cfngen.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(site))
    assert cfngen("--version").returncode == 0
    result = cfngen("generate", "--config", "c.yaml", "--out", "t", "--quiet")
    assert result.returncode == 0, result.stderr
    result = cfngen("manifests", "render", "--placeholder", "--config", "c.yaml")
    assert result.returncode == 0, result.stderr
    rendered = (work / "output/dev/manifests/rendered.yaml").read_text()
    assert rendered.startswith("# Rendered by cfngen from its built-in base for shop-dev")
    assert "kind: Deployment" in rendered
