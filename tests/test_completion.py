"""`cfngen completion bash|zsh`: scripts that know every subcommand; bash really completes.

The bash script is loaded into a real bash and its completion function called the way
bash calls it on Tab (COMP_WORDS/COMP_CWORD), so the test sees what a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cfngen.cli import COMMANDS, build_parser
from conftest import GUARD

CFNGEN = str(Path(sys.executable).parent / "cfngen")
NAMES = [c.name for c in COMMANDS]


def _script(shell: str) -> str:
    result = subprocess.run(
        [CFNGEN, "completion", shell], capture_output=True, text=True, timeout=GUARD, check=True
    )
    return result.stdout


def test_completion_is_a_command_and_knows_every_other_one() -> None:
    assert "completion" in NAMES and "init" in NAMES
    help_text = build_parser().format_help()
    assert "completion" in help_text


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_script_names_every_subcommand(shell: str) -> None:
    text = _script(shell)
    for name in [*NAMES, "render", "apply"]:  # and the verbs of `manifests`
        assert name in text, f"{shell} completion lacks {name}"
    if shell == "zsh":
        assert text.startswith("#compdef cfngen")
    else:
        subcommands = next(
            line for line in text.splitlines() if line.startswith("_shtab_cfngen_subparsers=")
        )
        assert subcommands == f"_shtab_cfngen_subparsers=({' '.join(NAMES)})"


BASH_TAB = """
source "$1"
tab() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
  _shtab_cfngen
  echo "${COMPREPLY[*]}"
}
tab cfngen in
tab cfngen manifests r
tab cfngen generate --co
tab cfngen --vers
tab cfngen completion ""
tab cfngen init --no-
"""


def test_bash_completes_as_a_user_types(tmp_path: Path) -> None:
    script = tmp_path / "cfngen.bash"
    script.write_text(_script("bash"))
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_TAB, "bash", str(script)],
        capture_output=True, text=True, timeout=GUARD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "init",
        "render",
        "--config",
        "--version",
        "bash zsh",
        "--no-eks --no-input",
    ]


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = subprocess.run(
        [CFNGEN, "completion", "fish"], capture_output=True, text=True, timeout=GUARD
    )
    assert result.returncode == 2
    assert "invalid choice: 'fish'" in result.stderr
