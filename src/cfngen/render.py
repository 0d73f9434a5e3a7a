"""Turning templates into files: deterministic bytes, parameter files, atomic output.

Files are first written into a fresh temporary folder beside the target and
then swapped in, so a failed or interrupted run never leaves a half-written
``templates/``. A target folder holding files cfngen did not write is refused
rather than replaced.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from troposphere import Template

from cfngen import cfnyaml
from cfngen.atomic import replace_folder
from cfngen.config import Config
from cfngen.contracts import Stack
from cfngen.stacks import encode, operations, quotas, root, services_group

FORMATS = ("json", "yaml")
PARAMETERS_DIR = "parameters"
ROOT_FILE = "root"


class OutputError(Exception):
    """The output folder cannot be written safely."""


class QuotaError(Exception):
    """The templates of a config would break CloudFormation or ALB quotas.

    ``problems`` start with the config key to change (see :mod:`cfngen.stacks.quotas`).
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rendered:
    """Relative path -> file bytes, for everything one generation writes; and the
    top-level stacks they deploy as, in order (:func:`cfngen.stacks.operations.top_level`)."""

    files: Mapping[str, bytes]
    top_level: tuple[operations.TopLevel, ...] = (operations.TopLevel(ROOT_FILE, "", (), {}),)
    resources: int = 0  # resources of the whole platform as one operation (nested included)

    def names(self) -> list[str]:
        return sorted(self.files)

    def only(self, formats: Iterable[str]) -> Rendered:
        """The templates in ``formats`` alone (parameter files are always JSON and kept)."""
        keep = {f".{fmt}" for fmt in formats}
        files = {
            name: data
            for name, data in self.files.items()
            if name.startswith(f"{PARAMETERS_DIR}/") or Path(name).suffix in keep
        }
        return replace(self, files=files)


def json_bytes(data: Mapping[str, Any]) -> bytes:
    """Indented JSON with sorted keys and a final newline, as ``json.dumps(indent=2)`` writes.

    orjson writes the same bytes as the standard library's pure-Python indenting encoder
    many times faster. Text stays UTF-8 as is: cfn-lint's JSON reader refuses the
    surrogate-pair escapes that ensure_ascii writes beyond U+FFFF (tag values may hold
    them).
    """
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def template_bytes(data: Mapping[str, Any], fmt: str) -> bytes:
    """Stable text of a template dict (``Template.to_dict()``): sorted keys, final newline."""
    if fmt == "json":
        return json_bytes(data)
    if fmt == "yaml":
        return cfnyaml.dumps(data).encode()
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def parameter_file(t: Template, sources: Mapping[str, str]) -> bytes:
    """CloudFormation CLI parameter file: defaults, or a placeholder naming the source output.

    ``sources``: parameter name -> the stack (file stem) whose output gives it.
    """
    entries = []
    for name, param in sorted(t.parameters.items()):
        if name in sources:
            value = f"<output {name} of the {sources[name]} stack>"
        else:
            value = str(param.properties.get("Default", ""))
        entries.append({"ParameterKey": name, "ParameterValue": value})
    return (json.dumps(entries, indent=2) + "\n").encode()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a platform is built.

    A build allocates hundreds of thousands of objects that all stay alive until it ends;
    each automatic collection walks every one of them again, which made a 1,000-service
    generate half garbage collection (and its time grow faster than the services).
    Reference counting still frees what dies; cycles wait for the next collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render(cfg: Config, formats: Iterable[str] = FORMATS) -> Rendered:
    """Build every template of a config and serialise it; pure, no I/O.

    Raises QuotaError instead of returning templates CloudFormation would refuse.
    """
    with _no_cycle_collection():
        return _render(cfg, formats)


def _render(cfg: Config, formats: Iterable[str]) -> Rendered:
    formats = [f for f in FORMATS if f in set(formats)]
    if not formats:
        raise ValueError(f"no format to render; use one of {', '.join(FORMATS)}")
    children = root.build_children(cfg)
    parts = operations.split(cfg, children)
    wiring = root.wiring(children)
    files: dict[str, bytes] = {}
    # to_dict() is the costly step: once per template, shared by both formats.
    data = {Stack.file(lid): encode.template_dict(tmpl) for lid, tmpl in children.items()}
    for fmt in formats:
        for name, d in data.items():
            files[f"{name}.{fmt}"] = template_bytes(d, fmt)
        tops = {ROOT_FILE: root.build(cfg, ext=fmt, children=parts.root, groups=parts.inputs)}
        for key, shards in parts.groups.items():
            tops[key] = services_group.build(cfg, key, shards, parts.inputs[key], fmt)
        top_dicts = {key: encode.template_dict(tmpl) for key, tmpl in tops.items()}
        for key, top_dict in top_dicts.items():
            files[f"{key}.{fmt}"] = template_bytes(top_dict, fmt)
    data.update(top_dicts)
    for lid, tmpl in children.items():
        if tmpl.parameters:
            sources = {name: Stack.file(src) for name, src in wiring[lid].items()}
            files[f"{PARAMETERS_DIR}/{Stack.file(lid)}.json"] = parameter_file(tmpl, sources)
    for key in parts.groups:
        sources = {name: ROOT_FILE for name in parts.inputs[key]}
        files[f"{PARAMETERS_DIR}/{key}.json"] = parameter_file(tops[key], sources)
    sizes = {name: max(len(files[f"{name}.{fmt}"]) for fmt in formats) for name in data}
    problems = quotas.breaches(cfg, data, sizes, _operations(parts))
    if problems:
        raise QuotaError(problems)
    resources = operations.operation_resources(children)
    return Rendered(files, tuple(operations.plan(parts)), resources)


def _operations(parts: operations.Split) -> dict[str, list[str]]:
    """Top-level stack -> the templates its operation works on (itself and its nested)."""
    ops = {ROOT_FILE: [ROOT_FILE, *(Stack.file(lid) for lid in parts.root)]}
    for key, shards in parts.groups.items():
        ops[key] = [key, *(Stack.file(lid) for lid in shards)]
    return ops


def _ours(path: Path) -> bool:
    """True if a file in an existing output folder looks like something we wrote."""
    if path.is_dir():
        return path.name == PARAMETERS_DIR and all(
            p.suffix == ".json" and p.is_file() for p in path.iterdir()
        )
    return path.suffix in {".json", ".yaml"}


def write(rendered: Rendered, out: Path) -> None:
    """Write all files into ``out`` by building a sibling folder and swapping it in."""
    out = out.resolve()
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        foreign = sorted(p.name for p in out.iterdir() if not _ours(p))
        if foreign:
            raise OutputError(
                f"refusing to replace {out}: it holds files cfngen did not write "
                f"({', '.join(foreign[:5])}); choose another --out or move them"
            )
    replace_folder(out, rendered.files)
