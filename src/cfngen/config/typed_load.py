"""Frozen dataclasses from YAML data, by their type hints, with every problem reported.

Generic and schema-free: :mod:`cfngen.config` declares the schema (dataclasses whose
fields are made with :func:`doc`), this module turns a parsed YAML mapping into those
dataclasses. Unknown keys get a "did you mean" hint; type mismatches name the key path,
the value and what is allowed. Supported field types: str, int, bool, Literal[...],
tuple[X, ...], dict[str, X], nested dataclasses and unions of these (incl. None).
"""

from __future__ import annotations

import dataclasses
import difflib
import types
from dataclasses import field
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml


class ConfigError(Exception):
    """Raised with one line per problem; the CLI prints them and exits 2."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__("\n".join(head + p for p in problems))


def doc(text: str, default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    """A dataclass field with a user-facing description (used by the docs test)."""
    if isinstance(default, list | dict):
        raise TypeError("use default_factory for mutable defaults")
    return field(default=default, metadata={"doc": text}, **kw)


def doc_factory(text: str, factory: Any) -> Any:
    return field(default_factory=factory, metadata={"doc": text})


MISSING = object()  # a value that could not be converted (already reported)
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
UNKNOWN_KEY = ": unknown key"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(tp: Any) -> str:
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if origin is tuple:
        return "a list"
    if origin is dict:
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp) if a is not type(None))
    return str(tp)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True)
    text = text.strip().removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """Convert one YAML value to ``tp``; on mismatch record a problem, return MISSING."""
    origin = get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, path, problems)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None and type(None) in get_args(tp):
            return None
        for arg in args:
            if _matches(arg, value):
                return _convert(arg, value, path, problems)
        problems.append(f"{path}: {_show(value)} is not {_describe(tp)}")
        return MISSING
    if origin is Literal:
        if value in get_args(tp):
            return value
        problems.append(f"{path}: {_show(value)} is not allowed; use {_describe(tp)}")
        return MISSING
    if origin is tuple:
        if not isinstance(value, list):
            problems.append(f"{path}: {_show(value)} is not a list")
            return MISSING
        (item_tp, _) = get_args(tp)
        items = [_convert(item_tp, v, _join(path, i), problems) for i, v in enumerate(value)]
        return tuple(items)
    if origin is dict:
        _, val_tp = get_args(tp)
        if not isinstance(value, dict):
            problems.append(f"{path}: {_show(value)} is not a mapping")
            return MISSING
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                problems.append(f"{path}: key {_show(k)} is not a string")
                continue
            if val_tp is str and isinstance(v, int | float | bool):
                problems.append(f"{_join(path, k)}: {_show(v)} is not a string (quote it)")
                continue
            out[k] = _convert(val_tp, v, _join(path, k), problems)
        return out
    if _matches(tp, value):
        return value
    if tp is str and isinstance(value, int | float | bool):
        kind, why = (
            ("true/false", "YAML reads yes, no, on and off as true/false")
            if isinstance(value, bool)
            else ("number", "YAML reads 1.30 as 1.3 and 0123 as 83")
        )
        problems.append(
            f"{path}: {_show(value)} was read as a {kind}, not a string; put the value in "
            f"quotes exactly as you mean it ({why})"
        )
        return MISSING
    problems.append(f"{path}: {_show(value)} is not {_describe(tp)}")
    return MISSING


def _matches(tp: Any, value: Any) -> bool:
    origin = get_origin(tp)
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin is tuple:
        return isinstance(value, list)
    if origin is dict or dataclasses.is_dataclass(tp):
        return isinstance(value, dict)
    if origin is Literal:
        return value in get_args(tp)
    return False


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def build(cls: type, raw: Any, path: str, problems: list[str]) -> Any:
    where = path or "config"
    if not isinstance(raw, dict):
        problems.append(f"{where}: {_show(raw)} is not a mapping")
        return MISSING
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        key_path = _join(path, str(key))
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = ", ".join(fields)
            problems.append(f"{key_path}{UNKNOWN_KEY}{hint} (allowed: {allowed})")
            continue
        converted = _convert(hints[key], value, key_path, problems)
        if converted is not MISSING:
            kwargs[key] = converted
    for name, f in fields.items():
        missing_default = (
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        if name not in raw and missing_default:
            problems.append(f"{_join(path, name)}: required key is missing")
    try:
        return cls(**kwargs)
    except TypeError:
        return MISSING  # a required key was missing or bad: already reported


def field_docs(cls: type, path: str = "") -> list[tuple[str, str]]:
    """(key path, description) of every config key, for the docs test and `--help`."""
    out: list[tuple[str, str]] = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        key = _join(path, f.name)
        out.append((key, f.metadata.get("doc", "")))
        tp = hints[f.name]
        item = get_args(tp)[0] if get_origin(tp) is tuple else tp
        if get_origin(item) in (Union, types.UnionType):  # e.g. AutoscalingConfig | None
            item = next((a for a in get_args(item) if dataclasses.is_dataclass(a)), item)
        if isinstance(item, type) and dataclasses.is_dataclass(item):
            out.extend(field_docs(item, key + ("[]" if get_origin(tp) is tuple else "")))
    return out
