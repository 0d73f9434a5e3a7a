"""Turning user names into CloudFormation logical IDs (a public contract: keep stable)."""

from __future__ import annotations

import re


def logical_id(name: str) -> str:
    """`web-api` -> `WebApi`; logical IDs allow only letters and digits."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)
