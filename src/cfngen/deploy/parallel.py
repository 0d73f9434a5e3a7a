"""Several stack operations at once: one thread per stack, each with its own clients.

The service groups of a split platform do not depend on each other, so deploy and
destroy run them together. Each thread prints through a :class:`Prefixed` printer that
labels its lines with the stack and writes whole lines under one lock, so the streams of
several stacks interleave by line, never inside one. A failure in one thread is
returned with the others' results, never raised into them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cfngen.deploy.session import Aws, DeployError
from cfngen.deploy.watch import LOST, ConnectionLost, Interrupted, Printer

GONE = "lost"  # a job's state when it lost the endpoint

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation.type_defs import StackEventTypeDef


class Prefixed(Printer):
    """A group's lines: labelled with the group, one whole line at a time across threads."""

    def __init__(self, base: Printer, label: str, lock: threading.Lock) -> None:
        super().__init__(
            stream=base.stream,
            colour=base.colour,
            clock=base.clock,
            start=base.start,
            sleep=base.sleep,
            heartbeat=base.heartbeat,
        )
        self.label, self.lock = label, lock

    def say(self, text: str) -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def event(self, stack_label: str, ev: StackEventTypeDef) -> None:
        super().event(self._path(stack_label), ev)

    def note(self, stack_label: str, text: str) -> None:
        super().note(self._path(stack_label), text)

    def _path(self, stack_label: str) -> str:
        return self.label if stack_label == "root" else f"{self.label}/{stack_label}"


def own_aws(aws: Aws) -> Aws:
    """A second set of clients on the same credentials, made here in the calling thread
    (a boto3 session is not thread-safe; its clients are)."""
    own = Aws(session=aws.session, region=aws.region, endpoint_url=aws.endpoint_url)
    own.client("cloudformation")
    own.client("ecs")
    return own


def in_parallel(
    jobs: Sequence[tuple[str, Callable[[Printer], None]]],
    printer: Printer,
    lock: threading.Lock,
) -> dict[str, tuple[str, str]]:
    """Run each job in its own thread with a printer labelled by its name; wait for all.

    Each job reports through its member; an exception escaping one is caught here, so a
    failure never stops the others. Ctrl-C raises :class:`Interrupted` naming the jobs
    still running; a job that lost the endpoint raises :class:`ConnectionLost` naming
    every such job once all have ended (their operations go on in CloudFormation).
    """
    results: dict[str, tuple[str, str]] = {}

    def run(name: str, job: Callable[[Printer], None]) -> None:
        try:
            job(Prefixed(printer, name, lock))
            results[name] = ("done", "")
        except (ConnectionLost, *LOST) as exc:  # the operation goes on; said after the join
            results[name] = (GONE, str(exc))
        except DeployError as exc:
            results[name] = ("failed", str(exc))
        except Exception as exc:  # reported with the others, never lost
            results[name] = ("failed", f"{type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=run, args=(name, job), name=f"cfngen-{name}", daemon=True)
        for name, job in jobs
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:  # the operations go on in CloudFormation; say how to resume
        raise Interrupted(running=[n for n, _ in jobs if n not in results]) from None
    lost = [n for n, _ in jobs if results[n][0] == GONE]  # in the jobs' order
    if lost:
        raise ConnectionLost(results[lost[0]][1], running=lost)
    return results
