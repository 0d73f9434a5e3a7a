"""The first ten minutes: version, help, counts in words, generate.py with any python3."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import boto3
import pytest

import cfngen
from conftest import GUARD, ROOT, copy_checkout
from deploy_env import *  # noqa: F403
from deploy_env import Env, wait_for_line
from readme_blocks import environment, link_venv


def _cfngen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "cfngen"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )


def test_version_is_the_installed_distributions() -> None:
    result = _cfngen("--version")
    assert result.returncode == 0
    assert result.stdout == f"cfngen {cfngen.__version__}\n"
    assert version("cfngen") == cfngen.__version__


@pytest.mark.parametrize(
    ("services", "azs", "expected"),
    [
        (1, 2, "2 AZs, 1 ECS service, EKS"),
        (2, 3, "3 AZs, 2 ECS services, EKS"),
    ],
)
def test_validate_counts_in_the_right_number(
    tmp_path: Path, services: int, azs: int, expected: str
) -> None:
    listed = ", ".join(
        f"{{name: s{i}, image: app, path_patterns: ['/s{i}/*']}}" for i in range(1, services)
    )
    subnets = ", ".join(f"10.0.{i}.0/24" for i in range(1, azs + 1))
    config = tmp_path / "c.yaml"
    config.write_text(
        f"network: {{availability_zones: {azs}, public_subnets: [{subnets}]}}\n"
        f"ecs: {{services: [{{name: web, image: app}}{', ' if listed else ''}{listed}]}}\n"
    )
    result = _cfngen("validate", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert f"valid (cfngen-dev, {expected}" in result.stderr


def test_one_problem_is_one_problem(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("nmae: x\n")
    result = _cfngen("validate", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("cfngen: invalid config, 1 problem:\n")


@pytest.mark.parametrize("port", [None, "5123"])
def test_make_help_shows_values_not_make_variables(port: str | None) -> None:
    args = ["make", "--no-print-directory", "-C", str(ROOT), "help"]
    result = subprocess.run(
        args + ([f"PORT={port}"] if port else []),
        capture_output=True,
        text=True,
        timeout=GUARD,
        env={k: v for k, v in os.environ.items() if k not in ("PORT", "MAKEFLAGS")},
    )
    assert result.returncode == 0, result.stderr
    assert "$(" not in result.stdout and "$" not in result.stdout
    assert f"127.0.0.1:{port or 4566} until Ctrl-C" in result.stdout
    targets = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"templates", "test", "rehearse", "manifests", "help"} <= targets


def test_generate_py_hands_over_to_the_checkouts_venv(tmp_path: Path) -> None:
    """`python3 generate.py` works although that python3 has none of the dependencies."""
    bare = [sys.executable, "-S"]  # no site-packages: like a system python3
    assert subprocess.run([*bare, "-c", "import troposphere"], capture_output=True).returncode
    out = tmp_path / "templates"
    result = subprocess.run(
        [*bare, "generate.py", "--format", "json", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "root.json").read_bytes() == (ROOT / "templates/root.json").read_bytes()


def test_generate_py_without_a_venv_says_what_to_run(tmp_path: Path) -> None:
    shutil.copy(ROOT / "generate.py", tmp_path / "generate.py")
    result = subprocess.run(
        [sys.executable, "-S", "generate.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "make venv" in result.stderr and "Traceback" not in result.stderr


def test_emulator_on_a_free_port_tells_scripts_its_url(tmp_path: Path) -> None:
    """`make rehearse` starts `cfngen emulator --port 0 --url-file F` and reads F."""
    url_file = tmp_path / "endpoint"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "cfngen"), "emulator", "--port", "0",
         "--url-file", str(url_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = wait_for_line(proc, "cfngen emulator: AWS API on")  # once the URL file is in place
        url = url_file.read_text().strip()
        assert first.startswith(f"cfngen emulator: AWS API on {url} ")
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    finally:
        # Ctrl-C and SIGTERM together, as `make rehearse` delivers them, and again: the
        # main thread is busy with the first when the next ones land on a server thread.
        for sig in (signal.SIGINT, signal.SIGTERM) * 3:
            proc.send_signal(sig)
        try:
            out, _ = proc.communicate(timeout=GUARD)
        except subprocess.TimeoutExpired:
            proc.kill()  # leave nothing running, then fail
            proc.communicate()
            raise
    assert proc.returncode == 0
    assert (first + out).endswith("cfngen emulator: stopped\n")


def test_make_deploy_against_the_local_endpoint_needs_no_credentials(
    env: Env, tmp_path: Path
) -> None:
    """README: `make deploy ENDPOINT=http://127.0.0.1:...` on a machine with no AWS set-up."""
    checkout = copy_checkout(tmp_path / "checkout")
    link_venv(Path(sys.prefix), checkout)
    shell = environment(Path(sys.prefix), tmp_path)  # no AWS_* credentials, no profile

    def make(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", *args, f"ENDPOINT={env.url}", "ARGS=--yes"],
            cwd=checkout, env=shell, capture_output=True, text=True, timeout=GUARD,
        )  # fmt: skip

    deployed = make("deploy")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert env.stack() is not None
    assert (checkout / "output/dev/outputs.json").is_file()
    destroyed = make("destroy")
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert env.stack() is None


def test_rehearse_keep_serves_the_deployed_stacks_until_ctrl_c(tmp_path: Path) -> None:
    """`make rehearse KEEP=1` stops before the destroy; the stacks stay until Ctrl-C."""
    checkout = copy_checkout(tmp_path / "checkout")
    link_venv(Path(sys.prefix), checkout)
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "rehearse", "KEEP=1"],
        cwd=checkout, env=environment(Path(sys.prefix), tmp_path), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        seen = wait_for_line(proc, "rehearsal deployed; the stacks stay on ")  # or ended early
        url = seen.split("rehearsal deployed; the stacks stay on ")[1].split()[0]
        cfn = boto3.client(
            "cloudformation", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        (stack,) = cfn.describe_stacks(StackName="cfngen-dev")["Stacks"]
        assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        assert "DELETE" not in seen
        assert (checkout / "build/rehearsal/dev/outputs.json").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches make and the emulator
        try:
            proc.communicate(timeout=GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # leave nothing running, then fail
            raise
    assert not (checkout / "build/rehearsal/endpoint").exists()  # the trap cleaned up
