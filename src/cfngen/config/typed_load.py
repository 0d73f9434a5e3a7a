"""Frozen dataclasses from YAML data, by their type hints, with every problem reported.

Generic and schema-free: :mod:`cfngen.config` declares the schema (dataclasses whose
fields are made with :func:`doc`), this module turns a parsed YAML mapping into those
dataclasses. Unknown keys get a "did you mean" hint; type mismatches name the key path,
the value and what is allowed. Supported field types: str, int, bool, Literal[...],
tuple[X, ...], dict[str, X], nested dataclasses and unions of these (incl. None).

Shorthands, the same for every section (so new sections get them for free):

- a key with an empty value (``certificate_arn:``, ``null``, ``~``) is the same as leaving
  it out: the default applies;
- a section that has an ``enabled`` switch takes a bare boolean: ``flow_logs: true`` is
  ``flow_logs: {enabled: true}``;
- an optional section (default: none, like ``autoscaling``) takes ``false`` for none;
  ``true`` means "with its defaults" and so asks for the keys it cannot default.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
from dataclasses import field
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml


class ConfigError(Exception):
    """Raised with one line per problem; the CLI prints them and exits 2.

    ``problems`` are the messages, each starting with its key path. ``located`` holds,
    for each, its ``line:col`` in the file (or "") and the text to show, so that
    :meth:`lines` reads ``file:line:col: key.path: message``.
    """

    def __init__(
        self,
        problems: list[str],
        source: str = "",
        located: list[tuple[str, str]] | None = None,
    ) -> None:
        self.problems = problems
        self.source = source
        self.located = located if located is not None else [("", p) for p in problems]
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """``file:line:col: problem`` for each problem, in order."""
        out = []
        for where, text in self.located:
            head = ":".join(p for p in (self.source, where) if p)
            out.append(f"{head}: {text}" if head else text)
        return out


def doc(text: str, default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    """A dataclass field with a user-facing description (used by the docs test)."""
    if isinstance(default, list | dict):
        raise TypeError("use default_factory for mutable defaults")
    return field(default=default, metadata={"doc": text}, **kw)


def doc_factory(text: str, factory: Any) -> Any:
    return field(default_factory=factory, metadata={"doc": text})


MISSING = object()  # a value that could not be converted (already reported)
UNKNOWN_KEY = ": unknown key"
MAX_STRING_BYTES = 4096  # longer than any value AWS takes here (CloudFormation parameters: 4 KiB)
SWITCH = "enabled"  # a section with this bool field accepts a bare true/false


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
        optional = type(None) in get_args(tp)
        if value is None and optional:
            return None
        section = next(
            (a for a in args if isinstance(a, type) and dataclasses.is_dataclass(a)), None
        )
        if optional and section is not None and isinstance(value, bool):
            # an optional section: false = none, true = with its defaults
            return build(section, {}, path, problems) if value else None
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
            if len(k.encode()) > MAX_STRING_BYTES:
                problems.append(
                    f"{path}: a key of {len(k.encode()):,} bytes; at most "
                    f"{MAX_STRING_BYTES:,} bytes are allowed"
                )
                continue
            if val_tp is str and isinstance(v, int | float | bool):
                problems.append(f"{_join(path, k)}: {_show(v)} is not a string (quote it)")
                continue
            out[k] = _convert(val_tp, v, _join(path, k), problems)
        return out
    if _matches(tp, value):
        if isinstance(value, str) and len(value.encode()) > MAX_STRING_BYTES:
            problems.append(
                f"{path}: a string of {len(value.encode()):,} bytes; at most "
                f"{MAX_STRING_BYTES:,} bytes are allowed"
            )
            return MISSING
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
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if raw is None:
        raw = {}  # an empty section: its defaults
    if isinstance(raw, bool) and _hints(cls).get(SWITCH) is bool:
        raw = {SWITCH: raw}  # flow_logs: true
    if not isinstance(raw, dict):
        switch = " (or true/false)" if SWITCH in fields else ""
        problems.append(f"{where}: {_show(raw)} is not a mapping{switch}")
        return MISSING
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        key_path = _join(path, str(key))
        if value is None and key in fields and type(None) not in get_args(hints[key]):
            if _required(fields[key]):
                problems.append(f"{key_path}: required key is empty")
            continue  # an empty value is the default
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
        if name not in raw and _required(f):
            problems.append(f"{_join(path, name)}: required key is missing")
    try:
        return cls(**kwargs)
    except TypeError:
        return MISSING  # a required key was missing or bad: already reported


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


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
