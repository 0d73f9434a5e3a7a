"""`cfngen emulator`: a local AWS endpoint (moto, gaps filled) on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse

from cfngen.commands.common import Command, UserError


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=4566, help="TCP port (default: 4566; 0 = any)")
    p.add_argument(
        "--url-file",
        metavar="FILE",
        help="write the endpoint URL to FILE once it accepts requests (with --port 0, this "
        "is how a script learns the port; `make rehearse` uses it)",
    )


def run(args: argparse.Namespace) -> int:
    from cfngen.emulator import EmulatorUnavailable, serve

    try:
        serve(args.port, args.url_file)
    except EmulatorUnavailable as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", 1) from None
    return 0


COMMAND = Command(
    "emulator",
    help="serve a local AWS endpoint on 127.0.0.1 for rehearsals (needs the [local] extra)",
    description=(
        "Run moto's AWS API in-process on 127.0.0.1 with cfngen's gap fills (nested stack "
        "outputs, EKS resources, events, rollback states, fault injection) until Ctrl-C or "
        "SIGTERM. Point cfngen or the AWS CLI at it with --endpoint-url."
    ),
    arguments=_arguments,
    run=run,
)
