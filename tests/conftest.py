"""Shared helpers: the repository root, the example configs, running the real CLI, the endpoint.

The local AWS endpoint is one per test process (one per pytest-xdist worker): moto keeps
its state per process, so a second endpoint in the same process would share it anyway.
Each test that asks for ``emulator`` gets it emptied (a fresh account, no faults, no
counted calls), so no test depends on what another left behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from cfngen.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
# EKS versions are checked against a dated calendar and today's date: pin the day so
# that every test (and every CLI it runs) sees the same calendar, whenever it runs.
TODAY = "2026-11-26"
os.environ.setdefault("CFNGEN_TODAY", TODAY)
CONFIGS = sorted((ROOT / "config").glob("*.yaml"))
# Seconds after which a process, thread or read a test waits for counts as hung: the test
# fails instead of waiting for ever. A safety net, never what a test measures or waits
# on to synchronise: the slowest step it bounds (a `make rehearse`, a deploy in a
# subprocess) takes seconds on a quiet machine and well under a minute at a load of 14.
GUARD = 600.0


def _shipped(paths: list[Path]) -> list[Path]:
    """The example configs the project ships: those git tracks.

    A reader's own config in config/ (where `cfngen init` writes) is validated, linted
    and scanned with the others, but has no golden files to compare with.
    """
    listed = subprocess.run(
        ["git", "ls-files", "config"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): all of them
        return paths
    tracked = set(listed.stdout.split())
    return [p for p in paths if p.relative_to(ROOT).as_posix() in tracked]


EXAMPLES = _shipped(CONFIGS)


def run_generate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `python generate.py ...` as a user would: a real process, real files."""
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD,
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


def copy_checkout(dest: Path) -> Path:
    """A fresh-clone-like copy of the working tree: tracked and new (not ignored) files.

    Uncommitted edits are included, so a test of the checkout sees what is being worked
    on; nothing ignored (.venv, build/, output/) comes along. Links stay links.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source, target = ROOT / name, dest / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree, or a folder link's contents
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


class _Paths(list[str]):
    """boto3 appends its own data folder to the loader of every new session: once is enough."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@pytest.fixture(scope="session", autouse=True)
def botocore_reads_its_models_once() -> Iterator[None]:
    """One botocore loader per data path for the whole test process.

    A real ``cfngen`` process opens one session and reads botocore's JSON models once;
    here the CLI runs in-process dozens of times, next to moto (which opens sessions of
    its own), and each new session would parse the same files again - a third of a
    deploy test's time. The files and search paths are the same; only the parsing is shared.
    """
    from botocore.loaders import Loader, create_loader
    from botocore.session import Session

    loaders: dict[str | None, Loader] = {}
    original = Session._register_data_loader

    def register(self: Session) -> None:
        def shared() -> Loader:
            path = self.get_config_variable("data_path")
            if path not in loaders:
                paths = _Paths(create_loader(path).search_paths)
                loaders[path] = Loader(extra_search_paths=paths, include_default_search_paths=False)
            return loaders[path]

        self._components.lazy_register_component("data_loader", shared)

    Session._register_data_loader = register  # type: ignore[method-assign]
    yield
    Session._register_data_loader = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """This worker's endpoint on a free loopback port; it stops with the session."""
    from cfngen.emulator import Emulator

    with Emulator() as emu:
        yield emu


@dataclass
class Shared:
    """What the worker's endpoint holds for tests that only read it: the key of the
    deployment a ``deploy_env.shared_env`` made there and what it returned, or None."""

    key: Hashable | None = None
    value: Any = None


SHARED = Shared()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The worker's endpoint, emptied: every moto backend, every fault and call count."""
    emulator_server.client().reset()
    SHARED.key = SHARED.value = None  # the test owns the endpoint: no shared deployment now
    return emulator_server


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the same shared deployment (``deploy_env.shared_env``, a parameter
    named ``deployment``) run one after another, so one deploy serves them all.

    Runs after pytest-randomly's shuffle and keeps its order otherwise: each group moves
    to where its first test was drawn, within its module.
    """

    def key(item: pytest.Item) -> tuple[str, Hashable] | None:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "shared_env" not in getattr(item, "fixturenames", ()) or "deployment" not in params:
            return None
        return (str(item.path), params["deployment"])

    groups: dict[tuple[str, Hashable], list[pytest.Item]] = {}
    for item in items:
        if (k := key(item)) is not None:
            groups.setdefault(k, []).append(item)
    ordered: list[pytest.Item] = []
    for item in items:
        k = key(item)
        if k is None:
            ordered.append(item)
        elif groups[k][0] is item:
            ordered.extend(groups[k])
    items[:] = ordered


# Property tests (hypothesis): profile `ci` in make test (a fixed seed, a few examples, no
# example database written into the checkout); `fuzz` in make fuzz (hundreds of examples,
# a new seed each run, the database in .hypothesis/ so a failure replays).
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=30, derandomize=True, deadline=None, database=None,
    suppress_health_check=_SLOW, print_blob=True,
)  # fmt: skip
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("CFNGEN_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=_SLOW,
    print_blob=True,
)
settings.load_profile(os.environ.get("CFNGEN_HYPOTHESIS_PROFILE", "ci"))
