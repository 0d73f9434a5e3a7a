"""How long each resource type took in this account's own deploys, kept for the estimates.

After every deploy the stack events of the root and nested stacks (already read for the
live progress) give, per resource, the time from its first ``*_IN_PROGRESS`` to its
``*_COMPLETE``: CloudFormation's own timestamps, not our clock. The durations are kept
per operation (create, update) and resource type in ``output/<env>/durations.json``,
the newest :data:`KEEP` of each; the estimate uses their median.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

FILE: Final = "durations.json"
KEEP: Final = 20
NESTED_TYPE: Final = "AWS::CloudFormation::Stack"  # computed from its children instead
OPERATIONS: Final = ("CREATE", "UPDATE")

History = dict[str, dict[str, list[float]]]  # operation -> type -> seconds, oldest first


def path(out_dir: Path, environment: str) -> Path:
    return out_dir / environment / FILE


def load(file: Path) -> History:
    """The recorded durations; an unreadable or foreign file counts as none recorded."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: History = {}
    if not isinstance(data, dict):
        return out
    for op, types in data.items():
        if op.upper() in OPERATIONS and isinstance(types, dict):
            out[op.upper()] = {
                str(t): [float(v) for v in values if isinstance(v, int | float) and v >= 0]
                for t, values in types.items()
                if isinstance(values, list)
            }
    return out


def durations(events: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, float]]:
    """(operation, type, seconds) of every resource an operation created or updated."""
    begun: dict[tuple[str, str, str], datetime] = {}
    out: list[tuple[str, str, float]] = []
    for ev in sorted(events, key=lambda e: e["Timestamp"]):
        rtype = str(ev.get("ResourceType", ""))
        status = str(ev.get("ResourceStatus", ""))
        op = status.split("_", 1)[0]
        if (
            rtype == NESTED_TYPE
            or op not in OPERATIONS
            or ev.get("LogicalResourceId") == ev.get("StackName")
        ):
            continue
        key = (str(ev.get("StackId", "")), str(ev.get("LogicalResourceId", "")), op)
        if status.endswith("_IN_PROGRESS"):
            begun.setdefault(key, ev["Timestamp"])
        elif status.endswith("_COMPLETE") and key in begun:
            seconds = (ev["Timestamp"] - begun.pop(key)).total_seconds()
            out.append((op, rtype, max(0.0, seconds)))
    return out


def record(file: Path, events: Iterable[Mapping[str, Any]]) -> int:
    """Add this deploy's durations to the file (atomically); how many were added."""
    measured = durations(events)
    if not measured:
        return 0
    history = load(file)
    for op, rtype, seconds in measured:
        samples = history.setdefault(op, {}).setdefault(rtype, [])
        samples.append(round(seconds, 1))
        del samples[:-KEEP]
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(history, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, file)
    return len(measured)
