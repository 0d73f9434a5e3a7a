"""Usage assumptions (hours, GB of logs, LCUs, Spot savings) behind a cost estimate.

The defaults live in ``usage.yaml`` beside this module, documented key by key; a user's
file overrides any subset. Bad files are reported like bad configs: one line per
problem naming the key, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

DEFAULTS_FILE: Final = "usage.yaml"


class UsageError(Exception):
    """A usage file that cannot be used; ``problems`` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Usage:
    hours_per_month: float = 730.0
    alb_lcu_per_hour: float = 1.0
    nlb_nlcu_per_hour: float = 1.0
    nat_gb_per_gateway: float = 0.0
    internet_egress_gb: float = 0.0
    log_gb_per_service: float = 1.0
    flow_log_gb: float = 5.0
    eks_control_plane_log_gb: float = 5.0
    s3_gb_per_bucket: float = 5.0
    ecr_gb_per_repository: float = 1.0
    fargate_spot_discount: float = 0.68
    ec2_spot_discount: float = 0.60


FRACTIONS: Final = ("fargate_spot_discount", "ec2_spot_discount")


def defaults() -> Usage:
    """The documented defaults: the shipped usage.yaml."""
    text = resources.files("cfngen.preview").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    return apply(Usage(), yaml.safe_load(text), DEFAULTS_FILE)


def load(path: Path | None) -> Usage:
    base = defaults()
    if path is None:
        return base
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError([f"{path}: file not found"]) from None
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError([f"{path}: not a YAML usage file ({exc})"]) from None
    return apply(base, data, str(path))


def apply(base: Usage, data: Any, where: str) -> Usage:
    """``base`` with the keys of ``data`` replaced; every problem reported at once."""
    if data is None:
        return base
    if not isinstance(data, dict):
        raise UsageError([f"{where}: expected a mapping of usage keys"])
    known = {f.name for f in fields(Usage)}
    problems: list[str] = []
    values: dict[str, float] = {}
    for key, value in data.items():
        if key not in known:
            problems.append(f"{where}: {key}: unknown key (allowed: {', '.join(sorted(known))})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{where}: {key}: {value!r} is not a number >= 0")
        elif key in FRACTIONS and value >= 1:
            problems.append(f"{where}: {key}: {value!r} must be below 1 (a fraction saved)")
        elif key == "hours_per_month" and not 0 < value <= 744:
            problems.append(f"{where}: {key}: {value!r} must be in (0, 744]")
        else:
            values[key] = float(value)
    if problems:
        raise UsageError(problems)
    return replace(base, **values)
