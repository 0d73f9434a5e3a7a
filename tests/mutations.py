"""Invalid and random variants of valid configs, for the property tests.

A :class:`Mutant` is the bytes of a config file plus what its error must say. The
*invalid* mutations are each refused by construction (wrong type, out of range, a huge
string, an unknown key, a duplicate key, a byte that is not UTF-8, an alias bomb); the
*random* ones (a value moved to another key, a huge number, a key dropped, a random
scalar) may or may not be valid, which the fuzz property handles either way.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, get_args, get_origin, get_type_hints

import yaml
from hypothesis import strategies as st

from cfngen.config import schema

Draw = Callable[[st.SearchStrategy[Any]], Any]
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutant:
    text: bytes
    kind: str
    path: str  # the key path the error must name ("" when the message names no key)
    fragment: str  # a text the error must contain ("" for none)


def dump(data: Any) -> bytes:
    """YAML as a user writes it (block style, one entry per line: no wrapped scalars)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9).encode()


def show(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def leaves(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below the top, collections included."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), value
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*path, i), value
            yield from leaves(value, (*path, i))


def schema_type(path: Path) -> Any:
    """The schema type at a path, or None inside free-form mappings (tags, labels ...)."""
    tp: Any = schema.Config
    for part in path:
        if isinstance(part, int):
            if get_origin(tp) is not tuple:
                return None
            tp = get_args(tp)[0]
            continue
        args = [a for a in (get_args(tp) or (tp,)) if a is not type(None)]
        section = next((a for a in args if dataclasses.is_dataclass(a)), None)
        if section is None:
            return None
        hints = get_type_hints(section)
        if part not in hints:
            return None
        tp = hints[part]
    return tp


def sections(data: Any) -> list[Path]:
    """Paths of the mappings that are schema sections (where unknown keys are refused)."""
    found = [()] if isinstance(data, dict) else []
    for path, value in leaves(data):
        tp = schema_type(path)
        args = get_args(tp) or (tp,)
        if isinstance(value, dict) and any(dataclasses.is_dataclass(a) for a in args):
            found.append(path)
    return found


def _set(data: Any, path: Path, value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _wrong_type(value: Any) -> Any:
    """A value of a type the key never takes (null is never used: it means "default")."""
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, int):
        return [value]
    if isinstance(value, str):
        return {"nested": value}
    if isinstance(value, list):
        return 7
    return [1, 2]


def _scalar_entry(line: str) -> bool:
    """A ``key: value`` line of a block mapping (not a list item, not a section header)."""
    body = line.lstrip(" ")
    if body.startswith(("- ", "#")) or ": " not in body:
        return False
    try:
        entry = yaml.safe_load(body)
    except yaml.YAMLError:
        return False
    return isinstance(entry, dict) and len(entry) == 1


@st.composite
def invalid(draw: Draw, data: dict[str, Any]) -> Mutant:
    """A variant of a valid config that cfngen must refuse (exit 2, naming ``path``)."""
    typed = [
        (p, v)
        for p, v in leaves(data)
        if schema_type(p) is not None and not (isinstance(v, dict) and not v)
    ]
    kinds = ["unknown key", "duplicate key", "not UTF-8", "alias bomb"]
    if typed:
        kinds += ["wrong type", "out of range", "huge string"]
    kind = draw(st.sampled_from(kinds))
    if kind == "wrong type":
        path, value = draw(st.sampled_from(typed))
        return Mutant(dump(_set(data, path, _wrong_type(value))), kind, show(path), "")
    if kind == "out of range":
        # Without a cluster the kubernetes section is unused and its values unchecked.
        eks = data.get("eks")
        unused = (
            ("kubernetes",)
            if eks is False or (isinstance(eks, dict) and eks.get("enabled") is False)
            else ()
        )
        ints = [
            (p, v)
            for p, v in typed
            if isinstance(v, int) and not isinstance(v, bool) and p[0] not in unused
        ]
        if ints:
            path, _ = draw(st.sampled_from(ints))
            return Mutant(dump(_set(data, path, -1)), kind, show(path), "")
        kind = "huge string"
    if kind == "huge string":
        strings = [(p, v) for p, v in typed if isinstance(v, str)]
        if strings:
            path, _ = draw(st.sampled_from(strings))
            huge = "a" * draw(st.integers(5000, 20000))
            return Mutant(dump(_set(data, path, huge)), kind, show(path), "")
        kind = "unknown key"
    if kind == "unknown key":
        where = draw(st.sampled_from(sections(data)))
        key = draw(st.sampled_from(["colour", "enable", "zz_extra", "Name", "servces"]))
        node = copy.deepcopy(data)
        target = node
        for part in where:
            target = target[part]
        if key in target:
            key = "zz_extra"
        target[key] = "x"
        return Mutant(dump(node), kind, show((*where, key)), "unknown key")
    if kind == "duplicate key":
        lines = dump(data).decode().splitlines()
        keyed = [i for i, line in enumerate(lines) if _scalar_entry(line)]
        if keyed:
            i = draw(st.sampled_from(keyed))
            text = "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]) + "\n"
            fragment = f"at lines {i + 1} and {i + 2}"
            return Mutant(text.encode(), kind, "", fragment)
        kind = "not UTF-8"
    if kind == "not UTF-8":
        raw = dump(data)
        at = draw(st.integers(0, len(raw)))
        byte = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe9", b"\x80"]))
        return Mutant(raw[:at] + byte + raw[at:], kind, "", "not UTF-8")
    bomb = ["x-bomb:", "  a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        bomb.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return Mutant(dump(data) + ("\n".join(bomb) + "\n").encode(), "alias bomb", "", "alias")


@st.composite
def random(draw: Draw, data: dict[str, Any]) -> bytes:
    """A variant that may or may not be valid: anything a careless edit could do."""
    paths = [p for p, _ in leaves(data)]
    if not paths:
        return dump(data)
    path = draw(st.sampled_from(paths))
    kind = draw(st.sampled_from(["drop", "swap", "number", "scalar", "text"]))
    if kind == "drop":
        node = copy.deepcopy(data)
        target = node
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
        return dump(node)
    if kind == "swap":
        _, other = draw(st.sampled_from(list(leaves(data))))
        return dump(_set(data, path, copy.deepcopy(other)))
    if kind == "number":
        value = draw(st.one_of(st.integers(-(2**63), 2**63), st.floats(allow_nan=True)))
        return dump(_set(data, path, value))
    if kind == "scalar":
        value = draw(st.one_of(st.booleans(), st.none(), st.text(max_size=40), st.integers()))
        return dump(_set(data, path, value))
    return dump(_set(data, path, draw(st.text(min_size=0, max_size=300))))
