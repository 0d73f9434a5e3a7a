"""The README's gap-fill table stays true to the emulator's code.

Every CloudFormation type the emulator serves itself or patches over moto's model is
named (in backticks) in a row of the table whose module column names the module that
registers it; every module the table names exists; and every emulator module is either
named in the table or is plumbing listed here with what it does instead. A new fill that
is not documented fails here with its name.
"""

from __future__ import annotations

import re

from cfngen.emulator import engine, fills, models, security_fills
from conftest import ROOT

EMULATOR = ROOT / "src/cfngen/emulator"
# Modules that fill no gap themselves: they serve, route, inject faults or hold shared code.
PLUMBING = {
    "__init__": "the public API: Emulator, EmulatorClient, serve()",
    "engine": "installs the fills into moto and picks the model for a type",
    "errors": "the emulator's exceptions",
    "faults": "fault injection (/_cfngen/faults), not a gap of moto's",
    "model_base": "the base classes the fill models share",
    "server": "the WSGI middleware: control API, call counts, routing to fills",
}
TABLE_HEAD = "| fill | without it, moto 5.2.5 ... | module |"
TYPE = re.compile(r"`((?:AWS|Custom)::[A-Za-z0-9]+(?:::[A-Za-z0-9*]+)?)`")


def _rows() -> list[tuple[str, str, set[str]]]:
    """(the row, its fill text, the module names in its module column)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index(TABLE_HEAD) :].split("\n\n", 1)[0].splitlines()[2:]
    rows = []
    for line in table:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, line
        fill, _, module = cells
        # "`models` (`NestedStack`), `stack_ops`": the modules, not the class in brackets
        rows.append((line, fill, set(re.findall(r"(?:^|, )`(\w+)`", module))))
    return rows


def _registered() -> dict[str, set[str]]:
    """Each type the emulator takes over from moto -> the modules that register it."""
    found: dict[str, set[str]] = {}
    for type_, model in engine.MODELS.items():
        found.setdefault(type_, set()).add(model.__module__.rpartition(".")[2])
    for module in (fills, security_fills):
        for type_ in module.MODEL_PATCHES:
            found.setdefault(type_, set()).add(module.__name__.rpartition(".")[2])
    return found


def test_the_table_is_found_and_has_one_row_per_fill() -> None:
    rows = _rows()
    assert len(rows) > 30
    assert len({fill for _, fill, _ in rows}) == len(rows)  # no fill listed twice


def test_every_type_the_emulator_takes_over_is_a_row_naming_its_module() -> None:
    rows = _rows()
    registered = _registered()
    assert "AWS::EKS::Cluster" in registered and "AWS::KMS::Key" in registered
    missing = {
        f"{type_} ({module})"
        for type_, modules in registered.items()
        for module in modules
        if not any(type_ in TYPE.findall(fill) and module in named for _, fill, named in rows)
    }
    assert missing == set()


def test_the_placeholder_for_any_other_type_is_documented() -> None:
    assert any("GenericResource" in line for line, _, _ in _rows())
    assert engine.model_for("AWS::Nothing::Modelled") is models.GenericResource


def test_every_module_in_the_table_exists_and_every_fill_module_is_in_it() -> None:
    named = {m for _, _, modules in _rows() for m in modules}
    present = {p.stem for p in EMULATOR.glob("*.py")}
    assert named - present == set()
    assert present - named - set(PLUMBING) == set()
    assert set(PLUMBING) <= present
