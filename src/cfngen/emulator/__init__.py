"""A local AWS endpoint for rehearsals and tests: moto's server in-process, on loopback only.

``cfngen emulator`` (or :class:`Emulator` in tests) serves moto's AWS API on
``127.0.0.1`` with the gaps that matter to cfngen filled (see
:mod:`cfngen.emulator.engine`, which wires them in through
:mod:`cfngen.emulator.moto_adapter`, the one module that touches moto):

* ``Fn::GetAtt Child.Outputs.Name`` on nested stacks, nested stacks updated in
  place, nested change sets with ``IncludeNestedStacks``;
* ``AWS::EKS::Cluster`` and ``AWS::EKS::Nodegroup`` created in moto's EKS
  backend (so ``eks describe-cluster`` sees them); the types and properties the
  production layout needs and moto lacks are filled in moto's own backends (see
  :mod:`cfngen.emulator.fills` and :mod:`cfngen.emulator.fill_types`); custom
  resources answer SUCCESS without running their Lambda; any other type moto has
  no model for is accepted as a placeholder with a stable id;
* per-resource events, rollback states, busy stacks, termination protection;
* template URLs in every form (virtual-hosted or path-style, AWS host names,
  ``localhost`` or ``127.0.0.1``);
* fault injection and call counting through ``/_cfngen/*`` (see
  :mod:`cfngen.emulator.server`) so failure paths are driven at the endpoint.

What a rehearsal proves: the templates parse, every ``Ref``/``GetAtt``/parameter
resolves across the nested stacks, the resources moto models are created with
the properties we pass (VPC, subnets, ALB, ECS, ECR, IAM, EKS API objects), the
outputs come out, and the deploy flow (package, change sets, events, no-op,
update, destroy, failure handling) behaves. What it cannot prove: anything AWS
decides server-side - IAM permissions and capabilities, service quotas, AZ
availability, real resource timing and rollbacks, whether an ECS task or an EKS
node actually starts, load balancer health, what a custom resource's function
does (it is never run), ALB deletion protection refusing a delete, or
CloudFormation's own validation of property values beyond what moto checks.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request
from types import TracebackType
from typing import Any

from cfngen.emulator.errors import EmulatorUnavailable

DEFAULT_PORT = 4566
HOST = "127.0.0.1"
# A control call answers at once (a reset after a big deploy: well under a second); the
# timeout only keeps a caller from hanging on an endpoint that stopped, so it is generous
# enough for a machine under heavy load.
CONTROL_TIMEOUT = 120.0
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


class Emulator:
    """moto on 127.0.0.1 (port 0 picks a free one); use as a context manager."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Emulator:
        """Serve on loopback; :class:`EmulatorUnavailable` if moto is missing or untested."""
        try:
            from werkzeug.serving import make_server

            from cfngen.emulator import engine
            from cfngen.emulator import moto_adapter as moto
            from cfngen.emulator.server import Middleware
        except ImportError as exc:  # moto[server] comes with the [local] extra
            raise EmulatorUnavailable(
                f"the emulator needs moto ({exc.name} is missing): pip install 'cfngen[local]'"
            ) from None

        engine.install()
        self._server = make_server(
            HOST,
            self.port,
            Middleware(moto.wsgi_app()),
            threaded=True,
            request_handler=moto.request_handler(),
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def client(self) -> EmulatorClient:
        return EmulatorClient(self.url)


class EmulatorClient:
    """The control API over HTTP, for tests and benchmarks in any process."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(f"{self.url}/_cfngen/{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=CONTROL_TIMEOUT) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:  # the control API says what it refused
            detail = json.loads(exc.read() or b"{}").get("error", exc.reason)
            raise ValueError(f"emulator {method} /_cfngen/{path}: {detail}") from None

    def calls(self) -> dict[str, int]:
        return dict(self._call("GET", "calls"))

    def reset_calls(self) -> None:
        self._call("DELETE", "calls")

    def fault(self, kind: str, **spec: Any) -> str:
        """Inject a fault (kinds: :mod:`cfngen.emulator.faults`); returns its id to release."""
        return str(self._call("POST", "faults", {"kind": kind, **spec})["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["faults"])

    def release(self, fault_id: str) -> None:
        """End one fault now: a busy stack turns idle, a held operation finishes."""
        self._call("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def reset(self) -> None:
        self._call("POST", "reset")


def serve(port: int = DEFAULT_PORT, url_file: str | None = None) -> None:
    """Run until Ctrl-C or SIGTERM (``cfngen emulator``); later ones are ignored.

    ``url_file`` receives the endpoint URL once it accepts requests (written whole, then
    renamed into place), so a script can start it on port 0 and wait for the file.

    The signals are blocked before the server threads start (they inherit the mask) and
    taken with ``sigwait`` here: a Python handler only runs in the main thread, and when
    the kernel hands the signal to a server thread the main thread's wait is never
    interrupted, so the endpoint would hang on a Ctrl-C (as it did when `make rehearse`
    relays SIGTERM while Ctrl-C reaches the endpoint). A signal the caller ignores stays
    ignored (a shell's background job ignores Ctrl-C), except that SIGTERM always stops it.
    """
    stop_signals = {
        sig
        for sig in (signal.SIGINT, signal.SIGTERM)
        if sig == signal.SIGTERM or signal.getsignal(sig) is not signal.SIG_IGN
    }
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        with Emulator(port) as emu:
            if url_file:
                tmp = f"{url_file}.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(emu.url + "\n")
                os.replace(tmp, url_file)
            print(
                f"cfngen emulator: AWS API on {emu.url} (loopback only); Ctrl-C stops it",
                flush=True,
            )
            print(
                f"  use: --endpoint-url {emu.url} with any credentials, e.g. "
                "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
                flush=True,
            )
            signal.sigwait(stop_signals)
            for sig in stop_signals:  # a second Ctrl-C must not cut the shutdown short
                signal.signal(sig, signal.SIG_IGN)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    print("cfngen emulator: stopped", flush=True)


__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "TEST_CREDENTIALS",
    "Emulator",
    "EmulatorClient",
    "EmulatorUnavailable",
    "serve",
]
