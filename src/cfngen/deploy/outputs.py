"""Root stack outputs: fetched once, printed as a table, saved as ``output/<env>/outputs.json``.

``outputs.json`` is a contract with the Kubernetes side (``cfngen manifests``): one
JSON object, root OutputKey -> OutputValue, sorted keys, 2-space indent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

OUTPUTS_FILE = "outputs.json"


def from_stack(stack: Mapping[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: str(o.get("OutputValue", "")) for o in stack.get("Outputs") or []}


def path_for(out_dir: Path, environment: str) -> Path:
    return out_dir / environment / OUTPUTS_FILE


def save(outputs: Mapping[str, str], out_dir: Path, environment: str) -> Path:
    path = path_for(out_dir, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(outputs), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def table(outputs: Mapping[str, str]) -> str:
    if not outputs:
        return "(no outputs)"
    width = max(len(k) for k in outputs)
    return "\n".join(f"  {k.ljust(width)}  {outputs[k]}" for k in sorted(outputs))
