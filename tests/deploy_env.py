"""Fixtures for the deployer tests: the worker's local endpoint, a clean account per test.

Everything goes over real HTTP to :class:`cfngen.emulator.Emulator` (moto plus
cfngen's gap fills); faults are injected at the endpoint, never by mocking cfngen.
Import the fixtures into a test module with ``from deploy_env import *``.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import boto3
import pytest
import yaml

from cfngen.cli import main
from cfngen.emulator import TEST_CREDENTIALS, Emulator, EmulatorClient
from conftest import GUARD, SHARED

ROOT = Path(__file__).resolve().parent.parent
STACK = "cfngen-dev"
CERTIFICATE = re.compile(r"arn:aws:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+")
VENV_BIN = Path(sys.executable).parent


@dataclass
class Env:
    url: str
    control: EmulatorClient
    workdir: Path
    capsys: Any

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1")

    def config(self, name: str = "default", **changes: Any) -> Path:
        """The default config with top-level sections merged in, written to the work dir."""
        data = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    def example(self, name: str) -> str:
        """config/<name>.yaml with each ACM certificate ARN replaced by an ISSUED certificate.

        The preflight checks that a certificate exists and is issued; the examples name
        certificates of an account that is not this endpoint's. One from a private CA is
        issued at once (a DNS-validated one would stay PENDING_VALIDATION).
        """
        text = (ROOT / "config" / f"{name}.yaml").read_text()

        def issued(match: re.Match[str]) -> str:
            acm = boto3.client("acm", endpoint_url=self.url, region_name=match.group(1))
            ca = f"arn:aws:acm-pca:{match.group(1)}:123456789012:certificate-authority/test"
            return str(
                acm.request_certificate(
                    DomainName=f"{name}.example.com", CertificateAuthorityArn=ca
                )["CertificateArn"]
            )

        path = self.workdir / f"{name}.yaml"
        path.write_text(CERTIFICATE.sub(issued, text))
        return str(path)

    def cfngen(self, *args: str) -> tuple[int, str, str]:
        """Run the real CLI in-process; returns (exit code, stdout, stderr)."""
        self.capsys.readouterr()
        argv = [*args]
        if args and args[0] not in ("emulator", "generate", "validate"):
            argv += ["--endpoint-url", self.url]
        code = main(argv)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def stack(self, name: str = STACK) -> dict[str, Any] | None:
        try:
            return self.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
        except self.client("cloudformation").exceptions.ClientError:
            return None

    def calls(self) -> dict[str, int]:
        return self.control.calls()


def _test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def env(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Env:
    control = emulator.client()  # the `emulator` fixture emptied it
    _test_credentials(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return Env(emulator.url, control, tmp_path, capsys)


T = TypeVar("T")


@dataclass
class SharedEnv:
    """A deployment made once and read by several tests (see :meth:`once`)."""

    server: Emulator
    tmp: pytest.TempPathFactory
    capsys: Any

    def once(self, key: Hashable, make: Callable[[Env], T]) -> T:
        """What ``make`` returned for ``key``, made on an emptied endpoint in a work dir of
        its own the first time, and again whenever another test has taken the endpoint
        since (every ``emulator``/``env`` test empties it). For tests that only read:
        one that changes anything takes ``env`` and deploys for itself."""
        if SHARED.key == key:
            return cast(T, SHARED.value)
        self.server.client().reset()
        SHARED.key = SHARED.value = None
        workdir = self.tmp.mktemp("shared")
        with pytest.MonkeyPatch.context() as here:
            here.chdir(workdir)
            value = make(Env(self.server.url, self.server.client(), workdir, self.capsys))
        SHARED.key, SHARED.value = key, value
        return value


@pytest.fixture
def shared_env(
    emulator_server: Emulator,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> SharedEnv:
    """The worker's endpoint as a shared deployment left it (not emptied), with the test
    credentials. A test that takes it names its deployment with a parameter called
    ``deployment``: conftest then runs the tests of one deployment one after another."""
    _test_credentials(monkeypatch)
    return SharedEnv(emulator_server, tmp_path_factory, capsys)


def release_when_it_waits(
    monkeypatch: pytest.MonkeyPatch, control: EmulatorClient, *fault_ids: str
) -> list[float]:
    """Release ``busy`` or ``hold`` faults when the CLI run in-process first waits.

    A deploy, watch or destroy that finds the stack busy looks at it, sleeps, looks
    again. The printer's sleep is the seam the watcher already offers for tests: here it
    releases the fault instead of sleeping, so the stack turns idle exactly while the
    command waits - not after a number of reads the test would have to count (which the
    preflight changed once), nor after a time. Returns the sleeps asked for.
    """
    from cfngen.deploy import watch

    sleeps: list[float] = []
    real = watch.Printer

    lock = threading.Lock()  # a split watch sleeps in one thread per stack

    def sleep(seconds: float) -> None:
        with lock:
            if not sleeps:
                for fault_id in fault_ids:
                    control.release(fault_id)
            sleeps.append(seconds)

    def printer(*args: Any, **kwargs: Any) -> watch.Printer:
        return real(*args, **{"sleep": sleep, **kwargs})

    monkeypatch.setattr(watch, "Printer", printer)
    return sleeps


def wait_for_line(proc: subprocess.Popen[str], *needles: str) -> str:
    """Read ``proc``'s stdout up to the first line holding every needle; return all read.

    The test goes on when the process has printed it (e.g. the watcher's first event), not
    after a time. It fails if the process ends first, or prints no such line within
    :data:`conftest.GUARD` (a hang). What follows the line stays for ``communicate()``
    only if it has not arrived yet: compare later output with what this returns too.
    """
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    decode = codecs.getincrementaldecoder("utf-8")().decode
    read = ""
    deadline = time.monotonic() + GUARD
    while True:
        lines = read.splitlines(keepends=True)
        if any(line.endswith("\n") and all(n in line for n in needles) for line in lines):
            return read
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no line with {needles} after {GUARD} s:\n{read}")
        data = os.read(fd, 65536)
        if not data:
            raise AssertionError(f"the process ended before a line with {needles}:\n{read}")
        read += decode(data)


def run_cli(
    args: list[str], cwd: Path, env_extra: dict[str, str] | None = None, **kw: Any
) -> subprocess.Popen[str]:
    """The installed `cfngen` as a separate process (for signals and the AWS CLI comparison)."""
    environ = {**os.environ, **TEST_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    environ.update(env_extra or {})
    return subprocess.Popen(
        [str(VENV_BIN / "cfngen"), *args],
        cwd=cwd,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


@contextmanager
def own_endpoint(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A `cfngen emulator` process of the test's own, to stop under a running command:
    its URL, and what stops it (SIGTERM, waited for). Killed at the end if still up."""
    url_file = tmp_path / "endpoint"
    server = subprocess.Popen(
        [str(VENV_BIN / "cfngen"), "emulator", "--port", "0", "--url-file", str(url_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def stop() -> None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=GUARD)

    try:
        wait_for_line(server, "cfngen emulator: AWS API on")  # once it serves
        yield url_file.read_text().strip(), stop
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def routed_service(name: str) -> dict[str, Any]:
    """A one-task service routed by its own path (``/<name>/*``), on a public image."""
    return {
        "name": name,
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "desired_count": 1,
        "path_patterns": [f"/{name}/*"],
    }


__all__ = [
    "ROOT",
    "STACK",
    "VENV_BIN",
    "Env",
    "SharedEnv",
    "env",
    "own_endpoint",
    "release_when_it_waits",
    "routed_service",
    "run_cli",
    "shared_env",
    "wait_for_line",
]
