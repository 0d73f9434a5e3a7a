"""The executable README: its shell blocks run as written, and print what it says they print.

Every ``sh`` block that needs no AWS runs in README order in a fresh copy of the checkout
(tracked and new files; nothing ignored: no output/, no build/) whose ``.venv`` links to
the running one, so ``make`` finds it installed. The shell starts as a reader's would:
cfngen not on PATH, no AWS credentials or profile. How blocks are marked is in
:mod:`readme_blocks`; the checks of the mechanism itself come first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_checkout
from readme_blocks import (
    Block,
    Step,
    blocks,
    commands,
    link_venv,
    make_targets,
    matches,
    problems,
    report,
    run,
    steps,
    unknown_commands,
)

README = ROOT / "README.md"
VENV = Path(sys.prefix)


# --------------------------------------------------------------------------- the mechanism


@pytest.mark.parametrize(
    ("expected", "actual", "fits"),
    [
        ("a\nb", "a\nb\n", True),
        ("a\nb", "a\nc", False),
        ("a  \n\nb\n\n", "\na\n\nb", True),  # trailing spaces, blank ends
        ("...\nlast", "x\ny\nlast", True),
        ("...\nlast", "last", True),
        ("first\n...", "first", True),
        ("first\n...\nlast", "first\nlast\nmore", False),
        ("wrote ... files to t/", "wrote 14 files to t/", True),
        ("wrote ... files to t/", "wrote 14 files to u/", False),
        ("a.b", "axb", False),  # literal, not a regex
        ("a", "a\nextra line", False),
    ],
)
def test_output_matching(expected: str, actual: str, fits: bool) -> None:
    assert matches(expected, actual) is fits


def test_blocks_and_their_markers() -> None:
    text = "\n".join(
        [
            "# t", "```sh", "echo hi", "```", "```output", "hi", "```",
            "```sh aws", "aws s3 ls", "```", "```sh exit=2", "false", "```",
            "```", "plain", "```", "```output", "stray", "```", "```sh norun loud", "x", "```",
            "```output", "x", "```",
            "- a list item:", "  ```sh", "  echo indented", "  ```",
        ]
    )  # fmt: skip
    found = blocks(text)
    assert [(b.line, b.language, b.markers) for b in found] == [
        (2, "sh", ()), (5, "output", ()), (8, "sh", ("aws",)), (11, "sh", ("exit=2",)),
        (14, "", ()), (17, "output", ()), (20, "sh", ("norun", "loud")), (23, "output", ()),
        (27, "sh", ()),
    ]  # fmt: skip
    assert found[-1].body == "echo indented"
    assert [(s.block.line, s.expected and s.expected.line) for s in steps(found)] == [
        (2, 5),
        (11, None),
        (27, None),
    ]
    assert steps(found)[1].block.exit_code == 2
    assert problems(found) == [
        "README.md:14: say what the block is: ```sh / ```output / ```text / ```mermaid / "
        "```yaml / ```json",
        "README.md:17: an output block must follow the sh block it documents",
        "README.md:20: unknown marker 'loud' on a sh block",
        "README.md:23: documents a block that is not run, so it is never checked",
    ]


def test_a_command_shown_as_text_is_reported() -> None:
    text = "```text\nroot.yaml\n  make deploy\n```\n```text\ncfngen diff --config c.yaml\n```"
    assert problems(blocks(text)) == [
        "README.md:3: a command in a text block: put it in ```sh (run), ```sh aws or ```sh norun",
        "README.md:6: a command in a text block: put it in ```sh (run), ```sh aws or ```sh norun",
    ]


def test_the_commands_of_a_block() -> None:
    body = (
        "cfngen stackset deploy --config c.yaml \\\n    --accounts 1,2 [--yes]  # a comment\n"
        "mkdir -p d && cfngen completion zsh > d/_cfngen\n"
        "make deploy CONFIG=x.yaml 2>&1 | tee log; echo '# not a comment'\n"
    )
    assert commands(body) == [
        ["cfngen", "stackset", "deploy", "--config", "c.yaml", "--accounts", "1,2", "--yes"],
        ["mkdir", "-p", "d"],
        ["cfngen", "completion", "zsh"],
        ["make", "deploy", "CONFIG=x.yaml"],
        ["tee", "log"],
        ["echo", "# not a comment"],
    ]


def test_a_command_that_is_not_run_is_still_checked() -> None:
    body = (
        "cfngen deploy --config c.yaml --yes\n"  # fine
        "cfngen deploy --config c.yaml --yse\n"  # a misspelt flag
        "cfngen deplyo\n"  # no such subcommand
        "make deploy CONFIG=x.yaml ARGS=--yes\n"  # fine
        "make deplyo\n"
    )
    found = unknown_commands(Block(7, "sh", ("aws",), body), make_targets(ROOT / "Makefile"))
    assert [line.split(": ", 2)[1] for line in found] == [
        "cfngen deploy --config c.yaml --yse",
        "cfngen deplyo",
        "make deplyo",
    ]
    assert "unrecognized arguments: --yse" in found[0]
    assert found[2].endswith("no make target 'deplyo'")


def test_a_drifted_command_or_output_is_reported(tmp_path: Path) -> None:
    """The runner catches a wrong exit code and a changed output, and keeps shell state."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    sh = [
        Block(1, "sh", (), "export GREETING=hello\nmkdir -p sub && cd sub"),
        Block(5, "sh", (), "echo $GREETING from $(basename $PWD)"),
        Block(9, "sh", (), "echo changed"),
        Block(13, "sh", ("exit=2",), "true"),
    ]
    docs = [None, Block(7, "output", (), "hello from sub"), Block(11, "output", (), "same"), None]
    results = list(run([Step(b, d) for b, d in zip(sh, docs, strict=True)], checkout, VENV))
    assert [r.problems for r in results] == [
        [],
        [],
        ["output differs from README.md:11"],
        ["exit code 0, documented 2"],
    ]
    assert "--- actual output ---\nchanged" in report(results[2])


# --------------------------------------------------------------------------- the README


def test_every_block_says_what_it_is() -> None:
    assert problems(blocks(README.read_text(encoding="utf-8"))) == []


def test_commands_not_run_are_real_commands() -> None:
    """An ``sh aws`` / ``sh norun`` block is not run: its cfngen flags and make targets must
    still exist, so a renamed flag fails here rather than in a reader's terminal."""
    targets = make_targets(ROOT / "Makefile")
    not_run = [b for b in blocks(README.read_text(encoding="utf-8")) if b.language == "sh"]
    not_run = [b for b in not_run if not b.runs]
    assert not_run, "the README shows no AWS command"
    assert [p for b in not_run for p in unknown_commands(b, targets)] == []


def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    found = blocks(README.read_text(encoding="utf-8"))
    to_run = steps(found)
    text = "\n".join(s.block.body for s in to_run)
    for documented in ("make templates", "cfngen --version", "cfngen init", "make rehearse"):
        assert documented in text, f"README lost its {documented!r} block"
    checkout = copy_checkout(tmp_path / "checkout")
    link_venv(VENV, checkout)
    results = list(run(to_run, checkout, VENV))
    failed = [report(r) for r in results if r.problems]
    assert not failed, "\n\n".join(failed)
    # `make rehearse` then `make manifests` rendered from the rehearsal's outputs.
    assert (checkout / "build/rehearsal/dev/manifests/rendered.yaml").is_file()
