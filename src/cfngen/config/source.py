"""Reading a config file safely: bytes -> plain data plus where every key sits in the file.

A config is untrusted input, so before any typed conversion this module refuses what
would crash, hang or silently mislead: files that are not UTF-8, files over
:data:`MAX_BYTES`, documents over :data:`MAX_NODES` nodes (counted with every alias
expanded, which stops "billion laughs" bombs), recursive aliases, duplicate keys (YAML
would keep only the last, so ``cpu: 256`` then ``cpu: 4096`` silently gives 4096) and
keys that are not scalars. Each refusal names the line and column.

The document is composed into YAML's node tree (libyaml when available) and walked
once: the walk builds the plain Python data and a :class:`Marks` table from each key
path (``ecs.services[0].cpu``, spelled as problems spell it) to the position of its
key and of its value, so that every later problem can be reported as
``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1_048_576  # 1 MiB: a 1,000-service config is about a third of it
MAX_NODES = 100_000  # scalars + mappings + sequences, aliases expanded
MERGE_TAG = "tag:yaml.org,2002:merge"
_STANDARD_COLLECTION_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
    "tag:yaml.org,2002:set",
}
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in the config file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass
class Marks:
    """Key path -> position of the value (and of the key, for mapping entries)."""

    values: dict[str, Position] = field(default_factory=dict)
    keys: dict[str, Position] = field(default_factory=dict)

    def written(self, path: str) -> bool:
        """True if the file itself holds ``path`` (not a default)."""
        return path in self.values


class SourceError(Exception):
    """The file cannot be read as a config; one message with its position."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def decode(data: bytes) -> str:
    """UTF-8 text of a config file (a BOM is allowed), or a SourceError at the bad byte."""
    if len(data) > MAX_BYTES:
        raise SourceError(
            f"the file is larger than {MAX_BYTES:,} bytes (1 MiB), the most a config may be"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8",
            Position(line, column),
        ) from None
    return text.removeprefix("\ufeff")


def _text_position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return Position(line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _yaml_error(exc: yaml.YAMLError, text: str) -> SourceError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return SourceError(
            f"invalid YAML: character U+{char:04X} is not allowed in YAML (a control character?)",
            _text_position(text, exc.position),
        )
    problem = getattr(exc, "problem", None) or str(exc)
    if "expected a single document" in str(getattr(exc, "context", "")):
        return SourceError(
            "the file holds more than one YAML document (a second '---'); a config is one document",
            _position(mark) if mark else None,
        )
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        problem = f"{problem} ({context} that starts at {_position(context_mark)})"
    elif context:
        problem = f"{problem} ({context})"
    return SourceError(f"invalid YAML: {problem}", _position(mark) if mark else None)


def _count_nodes(loader: Any) -> None:
    """Refuse documents with too many nodes before building them (cheap: events only)."""
    count = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
            count += 1
            if count > MAX_NODES:
                raise SourceError(
                    f"the document has more than {MAX_NODES:,} values; a config may have at "
                    f"most {MAX_NODES:,}",
                    _position(event.start_mark),
                )


@dataclass
class _Walk:
    """One pass over the node tree: data, marks, the node budget, the alias stack."""

    loader: Any
    marks: Marks = field(default_factory=Marks)
    budget: int = MAX_NODES
    active: set[int] = field(default_factory=set)

    def node(self, node: Node, path: str) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise SourceError(
                f"{path or 'config'}: expanding the YAML aliases gives more than "
                f"{MAX_NODES:,} values (an alias bomb?); a config may have at most "
                f"{MAX_NODES:,}",
                _position(node.start_mark),
            )
        self.marks.values.setdefault(path, _position(node.start_mark))
        if isinstance(node, ScalarNode):
            return self.loader.construct_object(node, deep=True)
        if id(node) in self.active:
            raise SourceError(
                f"{path or 'config'}: a YAML alias refers to a value that contains it "
                "(recursive alias)",
                _position(node.start_mark),
            )
        if node.tag not in _STANDARD_COLLECTION_TAGS:
            raise SourceError(
                f"{path or 'config'}: the YAML tag {node.tag} is not supported here",
                _position(node.start_mark),
            )
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.node(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def key(self, node: Node, path: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise SourceError(
                f"{path or 'config'}: a mapping key must be a plain value (like name), not a "
                "list or mapping",
                _position(node.start_mark),
            )
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: MappingNode, path: str) -> dict[Any, Any]:
        merged: list[tuple[Node, Node]] = []
        explicit: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged.extend(self._merge_sources(value_node, path))
            else:
                explicit.append((key_node, value_node))
        out: dict[Any, Any] = {}
        seen: dict[Any, Position] = {}
        # YAML merge keys: explicit keys win over merged ones, earlier merges over later.
        for key_node, value_node in merged:
            key = self.key(key_node, path)
            self._entry(out, key, key_node, value_node, path)
        for key_node, value_node in explicit:
            key = self.key(key_node, path)
            where = _position(key_node.start_mark)
            if _hashable(key) in seen:
                first = seen[_hashable(key)]
                raise SourceError(
                    f"{_join(path, key)}: duplicate key '{key}' at lines {first.line} and "
                    f"{where.line}; YAML would silently keep only the last one, so keep one",
                    where,
                )
            seen[_hashable(key)] = where
            self.marks.values.pop(_join(path, key), None)  # a merged value is overridden
            self._entry(out, key, key_node, value_node, path)
        return out

    def _entry(
        self, out: dict[Any, Any], key: Any, key_node: Node, value_node: Node, path: str
    ) -> None:
        child = _join(path, key)
        self.marks.keys[child] = _position(key_node.start_mark)
        out[key] = self.node(value_node, child)
        if not isinstance(value_node, ScalarNode):  # a section: point at its key line
            self.marks.values[child] = self.marks.keys[child]

    def _merge_sources(self, value: Node, path: str) -> list[tuple[Node, Node]]:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        pairs: list[tuple[Node, Node]] = []
        for source in reversed(sources):  # earlier sources win: they come last
            if not isinstance(source, MappingNode):
                raise SourceError(
                    f"{path or 'config'}: a merge key (<<) takes a mapping or a list of mappings",
                    _position(source.start_mark),
                )
            pairs.extend(source.value)
        return pairs


def _hashable(key: Any) -> Any:
    return key if isinstance(key, str | int | float | bool | type(None)) else repr(key)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def parse(text: str) -> tuple[Any, Marks]:
    """Plain data (``None`` for an empty document) and the marks of every key path."""
    try:
        loader = _LOADER(text)
        try:
            _count_nodes(loader)
        finally:
            loader.dispose()
        loader = _LOADER(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None, Marks()
            walk = _Walk(loader)
            data = walk.node(root, "")
            return data, walk.marks
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    except RecursionError:
        raise SourceError("invalid YAML: the document is nested too deeply") from None


_ROOT = Position(1, 1)
DEFAULT_NOTE = " (default)"
REQUIRED = "required key is missing"


def locate(problem: str, marks: Marks) -> tuple[str, str]:
    """(``line:col``, problem) for a problem that starts with its key path.

    The position is the key path's value (its key, for an unknown key). A path the file
    does not hold is a default: the position is then its nearest ancestor in the file
    (the section the default belongs to, or the top of the file) and the problem's path
    gets a ``(default)`` note, so a user knows the value did not come from a line.
    """
    own = problem.split(": ", 1)[0]
    if own in marks.values:
        unknown = problem.startswith(own + ": unknown key")
        at = marks.keys.get(own, marks.values[own]) if unknown else marks.values[own]
        return str(at), problem
    best, at = "", _ROOT
    for i, char in enumerate(problem[: len(own) + 1]):
        if char in ".[:" and problem[:i] in marks.values and i > len(best):
            best, at = problem[:i], marks.values[problem[:i]]
    if own == "config" or not own or " " in own or problem.endswith(REQUIRED):
        return str(at), problem
    return str(at), own + DEFAULT_NOTE + problem[len(own) :]
