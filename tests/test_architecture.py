"""The import structure of src/: no cycles, no private names across module lines.

import-linter (`make arch`, part of `make test`) checks the layers and that only the
`emulator` command imports the emulator. What it does not check is here: grimp's graph
of every ``cfngen`` module (imports under TYPE_CHECKING and inside functions included)
has no cycle, and no module reaches into another's private names (``_name``), whether
imported (``from m import _f``), from a private module (``m._impl``) or through an
imported name (``mod._f``, ``Class._attr``). Each check is also shown to fail on a
small bad example, so that a broken checker cannot pass silently.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import grimp

from conftest import ROOT

SRC = ROOT / "src"
# The emulator's one door into moto: reaching into moto's private modules is its job
# (it names the moto versions it was written for); no other module may do it.
MOTO_ADAPTER = "cfngen.emulator.moto_adapter"
INTO_MOTO = re.compile(r"^\d+: (from|import) moto(\.| |$)")
# Likewise the one door into troposphere's internals (encode runs its checks itself).
TROPOSPHERE_ADAPTER = "cfngen.stacks.troposphere_adapter"
OBJECT_ATTRIBUTE = re.compile(r"^\d+: \w+\._\w+$")
INTO_TROPOSPHERE = re.compile(r"^\d+: obj\._validate_props$")


def allowed(module: str, use: str) -> bool:
    """A private use that is allowed: an adapter reaching into its library, nothing else."""
    if module == TROPOSPHERE_ADAPTER:
        return bool(INTO_TROPOSPHERE.match(use))
    if module == MOTO_ADAPTER:  # moto's private modules, and what moto's objects hold
        return bool(INTO_MOTO.match(use)) or bool(OBJECT_ATTRIBUTE.match(use))
    return False


OWN = frozenset({"self", "cls"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# --------------------------------------------------------------------------- cycles


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def _import_graph() -> dict[str, set[str]]:
    g = grimp.build_graph("cfngen")
    kept = set(g.modules)
    return {m: set(g.find_modules_directly_imported_by(m)) & kept for m in kept}


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]


def test_no_import_cycles_in_src() -> None:
    graph = _import_graph()
    assert "cfngen.config" in graph and "cfngen.cli" in graph  # the graph is the real one
    assert cycles(graph) == []


# --------------------------------------------------------------------------- private names


def private_uses(source: str, module: str) -> list[str]:
    """``line: what`` for every private name this module takes from another module."""
    tree = ast.parse(source)
    package = module.rpartition(".")[0]
    bound: set[str] = set()  # names bound by imports: their private attributes are foreign
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{node.lineno}: import {alias.name}")
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            if any(_private(part) for part in base.split(".")):
                found.append(f"{node.lineno}: from {base} import ...")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.lineno}: from {base} import {alias.name}")
                bound.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        # A private attribute of anything but the object itself (``self``/``cls``) is
        # another module's private name: an imported module, or an object it made.
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id in bound or node.value.id not in OWN)
            and _private(node.attr)
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return sorted(found)


def _src_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((SRC / "cfngen").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def test_the_private_name_finder_finds_each_kind() -> None:
    source = (
        "import argparse\n"
        "from cfngen import validate as v\n"
        "from cfngen.deploy.stack import _failure, describe\n"
        "from cfngen.commands._aws import run_with\n"
        "from . import _impl\n"
        "def f(self):\n"
        "    v._cidrs()\n"
        "    self._ok = describe.__name__\n"
        "    return argparse._SubParsersAction\n"
        "def g(obj):\n"
        "    return obj._validate_props(), self._mine, cls._ours\n"
    )
    assert private_uses(source, "cfngen.commands.x") == [
        "11: obj._validate_props",
        "3: from cfngen.deploy.stack import _failure",
        "4: from cfngen.commands._aws import ...",
        "5: from cfngen.commands import _impl",
        "7: v._cidrs",
        "9: argparse._SubParsersAction",
    ]


def test_no_private_names_cross_module_lines() -> None:
    modules = dict(_src_modules())
    assert "cfngen.config.validate_platform" in modules
    found = {
        name: uses
        for name, path in modules.items()
        if (
            uses := [
                use
                for use in private_uses(path.read_text(encoding="utf-8"), name)
                if not allowed(name, use)
            ]
        )
    }
    assert found == {}


def test_only_the_moto_adapter_may_reach_into_moto() -> None:
    source = "from moto.moto_api._internal.models import moto_api_backend\n"
    [use] = private_uses(source, MOTO_ADAPTER)
    assert allowed(MOTO_ADAPTER, use)
    assert not allowed("cfngen.emulator.engine", use)
    assert not allowed(MOTO_ADAPTER, "3: from cfngen.emulator.faults import _use")
    assert (SRC / MOTO_ADAPTER.replace(".", "/")).with_suffix(".py").is_file()


def test_only_the_troposphere_adapter_may_reach_into_troposphere_objects() -> None:
    source = "def validate(obj):\n    obj._validate_props()\n"
    [use] = private_uses(source, TROPOSPHERE_ADAPTER)
    assert allowed(TROPOSPHERE_ADAPTER, use)
    assert not allowed("cfngen.stacks.encode", use)
    assert not allowed(TROPOSPHERE_ADAPTER, "3: obj._other")
    assert (SRC / TROPOSPHERE_ADAPTER.replace(".", "/")).with_suffix(".py").is_file()
