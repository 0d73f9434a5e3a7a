"""A real `cfngen` process on a pseudo-terminal: it prompts, and the test answers or presses Ctrl-C.

Reads block until the expected text arrives (bounded by a timeout only as a guard against a
hang); nothing waits on the clock to synchronise.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
from pathlib import Path

from cfngen.emulator import TEST_CREDENTIALS
from conftest import GUARD

VENV_BIN = Path(sys.executable).parent


class Terminal:
    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        environ = {**os.environ, **TEST_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "cfngen"), *args],
            cwd=cwd,
            env=environ,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.text = ""

    def expect(self, needle: str, guard: float = GUARD) -> str:
        """Read until ``needle`` has been printed; return everything read so far."""
        while needle not in self.text:
            ready, _, _ = select.select([self.master], [], [], guard)
            if not ready:
                raise AssertionError(f"no {needle!r} after {guard} s; got:\n{self.text}")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the process closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"process ended before {needle!r}; got:\n{self.text}")
            self.text += chunk.decode("utf-8", "replace")
        return self.text

    def send(self, line: str) -> None:
        os.write(self.master, line.encode())

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self, guard: float = GUARD) -> int:
        """Wait for the process; return its exit code (everything it printed is in text)."""
        while True:
            ready, _, _ = select.select([self.master], [], [], guard)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.text += chunk.decode("utf-8", "replace")
        code = self.proc.wait(timeout=guard)
        os.close(self.master)
        return code
