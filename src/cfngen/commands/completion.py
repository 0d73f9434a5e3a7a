"""`cfngen completion bash|zsh`: a tab-completion script for the shell, made from the parser.

shtab turns the argparse parser itself into a static script, so completion knows every
subcommand and flag without starting Python on each Tab. File and folder flags
(``--config``, ``--out`` ...) complete paths: :func:`cfngen.commands.common.completes`
marks them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from cfngen.commands.common import Command, UserError

SHELLS = ("bash", "zsh")
ParserFactory = Callable[[], argparse.ArgumentParser]


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    try:
        import shtab
    except ImportError:  # pragma: no cover - shtab is an install requirement
        raise UserError("shell completion needs shtab: pip install shtab") from None
    return str(shtab.complete(parser, shell=shell))


def command(parser_factory: ParserFactory) -> Command:
    """The ``completion`` command for the parser ``parser_factory`` builds (the CLI's own)."""

    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("shell", choices=SHELLS, help="the shell to complete for")

    def run(args: argparse.Namespace) -> int:
        print(script(parser_factory(), args.shell), end="")
        return 0

    return Command(
        "completion",
        help="print a tab-completion script for bash or zsh",
        description=(
            "Print a script that completes cfngen's subcommands and flags in bash or zsh. "
            'bash: add `eval "$(cfngen completion bash)"` to ~/.bashrc, or save it as '
            "~/.local/share/bash-completion/completions/cfngen. zsh: save it as _cfngen in a "
            "folder of $fpath (e.g. `cfngen completion zsh > ~/.zfunc/_cfngen` with "
            "`fpath+=~/.zfunc` before compinit in ~/.zshrc)."
        ),
        arguments=arguments,
        run=run,
    )
