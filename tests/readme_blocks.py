"""The executable README: its fenced blocks, what each is, and running the shell ones.

Conventions (README.md follows them; the test checks that it does):

* Every fenced block names what it is: ``sh``, ``output``, ``text``, ``mermaid``, ``yaml``
  or ``json``.
* ``sh`` blocks are run, in README order, in one fresh checkout, each in bash with
  ``set -e -o pipefail``; exported variables and the working folder carry over to the
  next block, as in one terminal (so ``. .venv/bin/activate`` lasts). Words after
  ``sh`` change that: ``aws`` (needs an AWS account) and ``norun`` (installs into the
  reader's machine, or runs until Ctrl-C) are not run; ``exit=N`` expects exit code N.
  A block that is not run is still checked: each ``cfngen`` command in it parses with
  the CLI's own parser and each ``make`` target exists (``[...]`` marks an optional part).
* Commands are only in ``sh`` blocks: a ``text`` block whose line starts like a command
  (``cfngen``, ``make``, ``python``, ``kubectl`` ...) is reported, so no command escapes
  both the run and the check by being shown as text.
* An ``output`` block right after an ``sh`` block is what that block prints (stdout and
  stderr together), compared line by line: a line ``...`` stands for any number of lines,
  ``...`` inside a line for any text; trailing spaces and blank lines at either end do
  not count.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conftest import GUARD

LANGUAGES = ("sh", "output", "text", "mermaid", "yaml", "json")
SKIP_MARKERS = ("aws", "norun")
FENCE = "```"
COMMAND_WORDS = ("cfngen", "make", "python", "python3", "pip", "pipx", "kubectl", "aws", "$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    language: str
    markers: tuple[str, ...]
    body: str

    @property
    def runs(self) -> bool:
        return self.language == "sh" and not set(self.markers) & set(SKIP_MARKERS)

    @property
    def exit_code(self) -> int:
        for marker in self.markers:
            if marker.startswith("exit="):
                return int(marker.removeprefix("exit="))
        return 0


@dataclass
class Step:
    """One ``sh`` block that runs, and the output it documents (if any)."""

    block: Block
    expected: Block | None = None


@dataclass
class Result:
    step: Step
    code: int
    output: str
    seconds: float
    problems: list[str] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order (also those indented in a list)."""
    found: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = lines[i].lstrip()
        if opening.startswith(FENCE):
            indent = len(lines[i]) - len(opening)
            words = opening[len(FENCE) :].split()
            start = i
            i += 1
            body: list[str] = []
            while i < len(lines) and not lines[i].lstrip().startswith(FENCE):
                body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"line {start + 1}: the fence is never closed")
            language = words[0] if words else ""
            found.append(Block(start + 1, language, tuple(words[1:]), "\n".join(body)))
        i += 1
    return found


def problems(all_blocks: list[Block]) -> list[str]:
    """Blocks that break the conventions (an unnamed language, a stray output, a marker)."""
    found = []
    for i, b in enumerate(all_blocks):
        where = f"README.md:{b.line}"
        if b.language not in LANGUAGES:
            found.append(f"{where}: say what the block is: ```{' / ```'.join(LANGUAGES)}")
        if b.language == "output" and (i == 0 or all_blocks[i - 1].language != "sh"):
            found.append(f"{where}: an output block must follow the sh block it documents")
        elif b.language == "output" and not all_blocks[i - 1].runs:
            found.append(f"{where}: documents a block that is not run, so it is never checked")
        for marker in b.markers:
            known = marker in SKIP_MARKERS or re.fullmatch(r"exit=\d+", marker)
            if b.language != "sh" or not known:
                found.append(f"{where}: unknown marker {marker!r} on a {b.language} block")
        if b.language == "text":
            for n, line in enumerate(b.body.split("\n"), start=b.line + 1):
                if line.split(maxsplit=1)[:1] and line.split()[0] in COMMAND_WORDS:
                    found.append(
                        f"README.md:{n}: a command in a text block: put it in ```sh (run), "
                        "```sh aws or ```sh norun"
                    )
    return found


def commands(body: str) -> list[list[str]]:
    """The simple commands of a shell block, as words: comments, ``\\`` continuations,
    ``&&``/``||``/``|``/``;`` separators, redirections and the brackets of ``[optional]``
    parts removed (shlex drops each line's ``#`` comment)."""
    found: list[list[str]] = []
    for line in body.replace("\\\n", " ").split("\n"):
        line = re.sub(r"\d*[<>]&\d+", " ", line)  # 2>&1
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        current: list[str] = []
        words = iter([*lexer, ";"])
        for word in words:
            if set(word) & set("<>") and set(word) <= set("<>&"):
                next(words, None)  # a redirection and its file
            elif set(word) <= set(";&|"):
                if current:
                    found.append(current)
                current = []
            elif word.strip("[]"):
                current.append(word.strip("[]"))
    return found


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(encoding="utf-8"), re.M))


def unknown_commands(block: Block, targets: set[str]) -> list[str]:
    """Problems of a block's ``cfngen`` commands (by the CLI's parser) and ``make`` targets."""
    from cfngen.cli import build_parser

    found = []
    for words in commands(block.body):
        where = f"README.md:{block.line}: {shlex.join(words)}"
        if words[0] == "cfngen":
            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    build_parser().parse_args(words[1:])
            except SystemExit as exc:
                if exc.code:
                    found.append(f"{where}: {err.getvalue().strip().splitlines()[-1]}")
        elif words[0] == "make":
            for target in (w for w in words[1:] if "=" not in w and not w.startswith("-")):
                if target not in targets:
                    found.append(f"{where}: no make target {target!r}")
    return found


def steps(all_blocks: list[Block]) -> list[Step]:
    result = []
    for i, b in enumerate(all_blocks):
        if b.runs:
            following = all_blocks[i + 1] if i + 1 < len(all_blocks) else None
            expected = following if following and following.language == "output" else None
            result.append(Step(b, expected))
    return result


def _pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            literal = ".*?".join(re.escape(piece) for piece in line.split("..."))
            parts.append(literal + r"\n")
    return re.compile("".join(parts))


def _normal(text: str) -> str:
    """Lines without trailing spaces, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def matches(expected: str, actual: str) -> bool:
    """Does ``actual`` output fit the documented ``expected`` (``...`` wildcards)?"""
    return _pattern(_normal(expected)).fullmatch(_normal(actual) + "\n") is not None


def link_venv(venv: Path, checkout: Path) -> None:
    """Give the checkout a ``.venv`` that is the running one, already "installed".

    Each entry is a link, so ``.venv/bin/python`` finds its site-packages; a fresh
    stamp keeps make from installing again (which would repoint the running venv's
    editable install at the scratch copy).
    """
    target = checkout / ".venv"
    target.mkdir()
    for entry in venv.iterdir():
        if entry.name != ".installed":
            (target / entry.name).symlink_to(entry)
    (target / ".installed").touch()


def environment(venv: Path, home: Path) -> dict[str, str]:
    """A reader's shell: cfngen not on PATH, no AWS set-up, no make variables set."""
    drop = {"VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CONFIG", "PORT", "ENDPOINT",
            "ARGS", "KEEP", "REHEARSE_PORT", "PYTHONPATH"}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}
    bins = [p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != venv / "bin"]
    env.update(
        PATH=os.pathsep.join(bins),
        PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"),
        AWS_CONFIG_FILE=str(home / "no-config"),
        AWS_EC2_METADATA_DISABLED="true",  # never look for credentials off this machine
    )
    return env


# bash -c RUNNER readme ENV_OUT CWD_OUT SCRIPT: run SCRIPT, then save what the next block
# starts from (exported variables but read-only ones, and the folder), keeping the status.
RUNNER = """\
env_out=$1 cwd_out=$2
save() {
  status=$?
  set +e
  export -p | grep -v '^declare -[a-z]*r' > "$env_out"
  pwd > "$cwd_out"
  exit $status
}
trap save EXIT
set -e -o pipefail
. "$3"
"""


def run(steps_: list[Step], checkout: Path, venv: Path, timeout: float = GUARD) -> Iterator[Result]:
    """Run each step in the checkout, in order, as one shell session would."""
    state = checkout.parent / "readme-state"
    state.mkdir()
    env = environment(venv, state)
    cwd = checkout
    exported: Path | None = None
    for n, step in enumerate(steps_):
        script = state / f"block{n}.sh"
        preamble = f'. "{exported}"\ncd "{cwd}"\n' if exported else ""
        script.write_text(preamble + step.block.body + "\n")
        env_out, cwd_out = state / f"env{n}", state / f"cwd{n}"
        started = time.monotonic()
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", RUNNER, "readme",
             str(env_out), str(cwd_out), str(script)],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        result = Result(step, proc.returncode, proc.stdout, time.monotonic() - started)
        if proc.returncode != step.block.exit_code:
            result.problems.append(
                f"exit code {proc.returncode}, documented {step.block.exit_code}"
            )
        if step.expected and not matches(step.expected.body, proc.stdout):
            result.problems.append(f"output differs from README.md:{step.expected.line}")
        if env_out.is_file() and cwd_out.is_file():
            exported, cwd = env_out, Path(cwd_out.read_text().strip())
        yield result


def report(result: Result) -> str:
    step = result.step
    lines = [
        f"README.md:{step.block.line}: {'; '.join(result.problems)}",
        "--- block ---",
        step.block.body,
    ]
    if step.expected:
        lines += ["--- documented output ---", step.expected.body]
    lines += ["--- actual output ---", result.output.rstrip("\n")]
    return "\n".join(lines)


__all__ = [
    "Block",
    "Result",
    "Step",
    "blocks",
    "commands",
    "link_venv",
    "make_targets",
    "matches",
    "problems",
    "report",
    "run",
    "steps",
    "unknown_commands",
]
