"""The dated on-demand price table: shipped in ``prices.json``, or a refreshed copy.

One JSON file, every price in USD for one unit of use (an hour, a GB, a GB-month, a key
month), per region. ``scripts/refresh_prices.py`` rewrites it from the AWS Price List API;
the file carries its date and source, which every report prints under the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Final

SHIPPED: Final = "prices.json"
# Every unit price a region entry must have (ec2_hour is the instance-type table).
UNIT_KEYS: Final = (
    "alb_hour",
    "alb_lcu_hour",
    "data_transfer_out_gb",
    "ebs_gp2_gb_month",
    "ebs_gp3_gb_month",
    "ecr_storage_gb_month",
    "eks_cluster_hour",
    "eks_extended_support_hour",
    "fargate_gb_hour",
    "fargate_vcpu_hour",
    "kms_key_month",
    "logs_ingestion_gb",
    "logs_storage_gb_month",
    "logs_vended_gb",
    "nat_gateway_gb",
    "nat_gateway_hour",
    "nlb_hour",
    "nlb_nlcu_hour",
    "public_ipv4_hour",
    "s3_standard_gb_month",
)


class PriceError(Exception):
    """A price file that cannot be used, or a region it does not cover."""


@dataclass(frozen=True)
class RegionPrices:
    region: str
    unit: dict[str, float]
    ec2_hour: dict[str, float]

    def __getitem__(self, key: str) -> float:
        return self.unit[key]


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    source: str
    regions: dict[str, RegionPrices]
    eks_standard_support_end: dict[str, date]

    def region(self, name: str) -> RegionPrices:
        if name not in self.regions:
            raise PriceError(
                f"no prices for region {name} in this price table (it has "
                f"{', '.join(sorted(self.regions))}); write a table for it with "
                f"`python scripts/refresh_prices.py --region {name} --out prices.json` and "
                "pass --prices prices.json"
            )
        return self.regions[name]

    @property
    def footer(self) -> str:
        return f"prices as of {self.as_of}: {self.source}"


def load(path: Path | None = None) -> PriceTable:
    """The shipped table, or ``path``; PriceError names what is wrong with a bad file."""
    where = str(path) if path else f"cfngen/preview/{SHIPPED}"
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else resources.files("cfngen.preview").joinpath(SHIPPED).read_text(encoding="utf-8")
        )
        data = json.loads(text)
    except FileNotFoundError:
        raise PriceError(f"{where}: file not found") from None
    except (OSError, ValueError) as exc:
        raise PriceError(f"{where}: not a JSON price table ({exc})") from None
    return parse(data, where)


def parse(data: Any, where: str = "price table") -> PriceTable:
    if not isinstance(data, dict):
        raise PriceError(f"{where}: expected a JSON object")
    problems: list[str] = []
    for key in ("as_of", "source", "regions"):
        if key not in data:
            problems.append(f"{where}: missing key {key!r}")
    regions: dict[str, RegionPrices] = {}
    for name, entry in dict(data.get("regions") or {}).items():
        unit: dict[str, float] = {}
        for key in UNIT_KEYS:
            value = entry.get(key) if isinstance(entry, dict) else None
            if not _price(value):
                problems.append(f"{where}: regions.{name}.{key}: {value!r} is not a price >= 0")
            else:
                unit[key] = float(value)  # type: ignore[arg-type]
        ec2 = entry.get("ec2_hour", {}) if isinstance(entry, dict) else {}
        bad = [k for k, v in dict(ec2).items() if not _price(v)]
        problems += [f"{where}: regions.{name}.ec2_hour.{k}: not a price >= 0" for k in bad]
        regions[name] = RegionPrices(name, unit, {k: float(v) for k, v in ec2.items()})
    support: dict[str, date] = {}
    for version, day in dict(data.get("eks_standard_support_end") or {}).items():
        try:
            support[str(version)] = date.fromisoformat(str(day))
        except ValueError:
            problems.append(f"{where}: eks_standard_support_end.{version}: {day!r} is no date")
    if problems:
        raise PriceError("\n".join(problems))
    return PriceTable(str(data["as_of"]), str(data["source"]), regions, support)


def _price(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
