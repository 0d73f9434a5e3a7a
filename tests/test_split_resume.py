"""Stopping the watch of a split platform's deploy or destroy: what goes on, how to resume.

Ctrl-C (SIGINT to the real CLI) or a lost endpoint while several top-level stacks run:
the error names the stacks whose operation goes on in CloudFormation and those of the
plan not started, the `cfngen watch` that follows them and the command to run again.
Operations are held at the endpoint (``hold`` faults) so that they cannot end before the
signal, and released when the in-process `cfngen watch` first waits: no wall-clock
timing. Every effect is read back through CloudFormation.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from cfngen.deploy.parallel import in_parallel
from cfngen.deploy.watch import ConnectionLost, Printer
from conftest import GUARD
from deploy_env import *  # noqa: F403
from deploy_env import (
    STACK,
    Env,
    own_endpoint,
    release_when_it_waits,
    run_cli,
    wait_for_line,
)
from split_env import group_stacks, split_config

GROUPS = [f"{STACK}-services-01", f"{STACK}-services-02"]


def _started(proc: subprocess.Popen[str], stacks: list[str], status: str) -> None:
    """Read the CLI's output until each stack's own first event line was printed."""
    read = ""
    for name in stacks:
        line = (f"{name} (AWS::CloudFormation::Stack)", status)
        if not any(all(n in row for n in line) for row in read.splitlines()):
            read += wait_for_line(proc, *line)


def _stopped(env: Env, command: str, config: str, stacks: list[str], status: str) -> str:
    """Run the CLI, Ctrl-C once each stack's operation has started; its stderr."""
    proc = run_cli([command, "--config", config, "--yes", "--endpoint-url", env.url], env.workdir)
    _started(proc, stacks, status)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    return err


def test_ctrl_c_while_the_groups_deploy_names_them_and_watch_follows_both(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = split_config(env)
    holds = [env.control.fault("hold", stack=g) for g in GROUPS]
    err = _stopped(env, "deploy", config, GROUPS, "CREATE_IN_PROGRESS")
    assert f"the operations go on in CloudFormation (in progress: {', '.join(GROUPS)})" in err
    assert f"Resume watching with: cfngen watch --config {config} --endpoint-url {env.url}" in err
    assert "not started" not in err  # the root is done, both groups run

    release_when_it_waits(monkeypatch, env.control, *holds)
    code, out, err = env.cfngen("watch", "--config", config)
    assert code == 0, err
    assert f"following 2 top-level stacks at once: {', '.join(GROUPS)}" in out
    for name in GROUPS:
        assert f"stack {name}: CREATE_COMPLETE" in out
        assert env.stack(name)["StackStatus"] == "CREATE_COMPLETE"  # type: ignore[index]
    assert env.control.faults() == []


def test_ctrl_c_while_the_root_deploys_names_the_groups_not_started(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = split_config(env)
    hold = env.control.fault("hold", stack=STACK)
    err = _stopped(env, "deploy", config, [STACK], "CREATE_IN_PROGRESS")
    assert f"(in progress: {STACK})" in err
    assert (
        f"not started: {', '.join(GROUPS)}; once the operations above are complete, run "
        f"again: cfngen deploy --config {config} --endpoint-url {env.url}"
    ) in err

    release_when_it_waits(monkeypatch, env.control, hold)
    code, out, err = env.cfngen("watch", "--config", config)
    assert code == 0, err
    assert f"stack {STACK}: CREATE_COMPLETE" in out
    assert group_stacks(env) == []  # not started, and nothing left of their plans
    code, _, err = env.cfngen("deploy", "--config", config, "--yes")
    assert code == 0, err
    assert group_stacks(env) == GROUPS
    assert all(env.stack(g)["StackStatus"] == "CREATE_COMPLETE" for g in GROUPS)  # type: ignore[index]


def test_ctrl_c_while_the_groups_are_deleted_says_destroy_again_deletes_the_root(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = split_config(env)
    assert env.cfngen("deploy", "--config", config, "--yes")[0] == 0
    holds = [env.control.fault("hold", stack=g) for g in GROUPS]
    err = _stopped(env, "destroy", config, GROUPS, "DELETE_IN_PROGRESS")
    assert f"(in progress: {', '.join(GROUPS)})" in err
    assert f"not started: {STACK}; once the operations above are complete, run again: " in err
    assert f"cfngen destroy --config {config} --endpoint-url {env.url}" in err

    release_when_it_waits(monkeypatch, env.control, *holds)
    code, out, err = env.cfngen("watch", "--config", config)
    assert code == 0, err
    assert all(f"stack {g}: DELETE_COMPLETE" in out for g in GROUPS)
    assert group_stacks(env) == [] and env.stack(STACK) is not None
    code, _, err = env.cfngen("destroy", "--config", config, "--yes")
    assert code == 0, err
    assert env.stack(STACK) is None or env.stack(STACK)["StackStatus"] == "DELETE_COMPLETE"  # type: ignore[index]


def test_losing_the_endpoint_while_the_groups_deploy_names_them(env: Env, tmp_path: Path) -> None:
    with own_endpoint(tmp_path) as (url, stop):
        from cfngen.emulator import EmulatorClient

        for name in GROUPS:
            EmulatorClient(url).fault("hold", stack=name)
        config = split_config(env)
        proc = run_cli(
            ["deploy", "--config", config, "--yes", "--endpoint-url", url],
            env.workdir,
            env_extra={"AWS_MAX_ATTEMPTS": "1"},
        )
        _started(proc, GROUPS, "CREATE_IN_PROGRESS")
        stop()
        _, err = proc.communicate(timeout=GUARD)
        assert proc.returncode == 1, err
        assert "lost the connection to the endpoint while watching" in err
        assert f"(in progress: {', '.join(GROUPS)})" in err
        assert f"Resume watching with: cfngen watch --config {config} --endpoint-url {url}" in err
        assert "Traceback" not in err


def test_a_job_that_lost_the_endpoint_is_named_once_the_others_have_ended() -> None:
    import io
    import threading

    ended: list[str] = []

    def lost(_: Printer) -> None:
        raise ConnectionLost("endpoint gone")

    def fine(_: Printer) -> None:
        ended.append("fine")

    printer = Printer(stream=io.StringIO())
    with pytest.raises(ConnectionLost) as caught:
        in_parallel([("a", lost), ("b", fine), ("c", lost)], printer, threading.Lock())
    assert caught.value.running == ("a", "c")  # in the jobs' order, whichever ended first
    assert str(caught.value) == "endpoint gone"
    assert ended == ["fine"]  # the others ran to their end
