"""Kubernetes versions of Amazon EKS: a shipped, dated release calendar.

A version is in *standard support* for 14 months after its EKS release, then in
*extended support* (at an extra cost per cluster hour) for 12 more; from its end of
extended support date EKS no longer creates clusters with it. Source: the "Amazon EKS
Kubernetes release calendar" of the EKS User Guide (1.29-1.34), AWS's published dates
for 1.35, and for 1.36 the User Guide's standard-support release notes with its EKS
release on 2026-06-02 (standard support through 2027-08-02, then the 12 months of
extended support), checked on :data:`TABLE_DATE`. :data:`DEFAULT` is the newest version
in standard support on that date.

EKS releases a version about every four months, so the table lags behind: the one
version after the newest it knows (:data:`NEWEST` + 1) is accepted with a note (EKS
refuses it at deploy time if it does not offer it yet); anything beyond is refused.

Validation compares the dates with today (UTC); ``CFNGEN_TODAY=YYYY-MM-DD`` pins the
day, so tests and reproducible builds do not depend on the calendar.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

TABLE_DATE: Final = "2026-11-26"
TODAY_VARIABLE: Final = "CFNGEN_TODAY"
VERSION_RE: Final = re.compile(r"^1\.(0|[1-9][0-9]{0,2})$")  # 1.NN: no leading zeros


@dataclass(frozen=True)
class Release:
    released: dt.date  # available on EKS
    end_of_standard: dt.date
    end_of_extended: dt.date  # from this day on, no new clusters


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


CALENDAR: Final[Mapping[str, Release]] = {
    "1.28": Release(_d("2023-09-26"), _d("2024-11-26"), _d("2025-11-26")),
    "1.29": Release(_d("2024-01-23"), _d("2025-03-23"), _d("2026-03-23")),
    "1.30": Release(_d("2024-05-23"), _d("2025-07-23"), _d("2026-07-23")),
    "1.31": Release(_d("2024-09-26"), _d("2025-11-26"), _d("2026-11-26")),
    "1.32": Release(_d("2025-01-23"), _d("2026-03-23"), _d("2027-03-23")),
    "1.33": Release(_d("2025-05-29"), _d("2026-07-29"), _d("2027-07-29")),
    "1.34": Release(_d("2025-10-02"), _d("2026-12-02"), _d("2027-12-02")),
    "1.35": Release(_d("2026-01-27"), _d("2027-03-27"), _d("2028-03-27")),
    "1.36": Release(_d("2026-06-02"), _d("2027-08-02"), _d("2028-08-02")),
}
NEWEST: Final = max(CALENDAR, key=lambda v: int(v.split(".")[1]))
NEXT: Final = f"1.{int(NEWEST.split('.')[1]) + 1}"  # accepted with a note, see above
DEFAULT: Final = "1.36"  # the config default: newest in standard support on TABLE_DATE


class BadDate(ValueError):
    """CFNGEN_TODAY is set but is not a date."""


def today() -> dt.date:
    """Today in UTC, or the day CFNGEN_TODAY pins."""
    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise BadDate(f"{TODAY_VARIABLE}={pinned!r} is not a date like 2026-11-26") from None
    return dt.datetime.now(dt.UTC).date()


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def creatable(on: dt.date) -> list[str]:
    """Versions EKS creates clusters with on a day, oldest first."""
    return sorted(
        (v for v, r in CALENDAR.items() if r.released <= on < r.end_of_extended), key=_minor
    )


def problem(version: str, on: dt.date) -> str | None:
    """Why EKS would refuse to create a cluster of ``version`` on a day, or None."""
    ok = creatable(on)
    offered = f"{ok[0]}-{ok[-1]}" if len(ok) > 1 else (ok[0] if ok else "none")
    standard = [v for v in ok if on < CALENDAR[v].end_of_standard]
    advice = f"use {offered}" + (
        f" ({', '.join(standard)} in standard support)" if standard else ""
    )
    if not VERSION_RE.match(version):
        return (
            f"{version!r} is not a Kubernetes version like '1.{_minor(NEWEST)}' (1.<minor>, "
            f"no leading zeros; quote it in YAML); {advice}"
        )
    release = CALENDAR.get(version)
    if release is None:
        if version == NEXT:
            return None
        if _minor(version) > _minor(NEWEST):
            return (
                f"{version!r} is not an EKS version in cfngen's release calendar (dated "
                f"{TABLE_DATE}, newest {NEWEST}); {advice}"
            )
        return f"{version!r} is past the end of EKS extended support; {advice}"
    if on >= release.end_of_extended:
        return (
            f"{version!r} reached the end of EKS extended support on "
            f"{release.end_of_extended.isoformat()}: EKS no longer creates clusters with "
            f"it; {advice}"
        )
    if on < release.released:
        return f"{version!r} is not released on EKS before {release.released.isoformat()}; {advice}"
    return None


def note(version: str, on: dt.date) -> str | None:
    """What a user should know about an accepted version: extended support, or unknown."""
    release = CALENDAR.get(version)
    if version == NEXT:
        return (
            f"eks.version {version} is newer than cfngen's EKS release calendar (dated "
            f"{TABLE_DATE}, newest {NEWEST}); if EKS does not offer it yet, the deploy fails"
        )
    if release and release.end_of_standard <= on < release.end_of_extended:
        return (
            f"eks.version {version} is in EKS extended support (extra cost per cluster hour) "
            f"until {release.end_of_extended.isoformat()}; EKS then upgrades the cluster"
        )
    return None
