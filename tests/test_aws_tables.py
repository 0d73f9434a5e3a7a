"""The shipped, dated AWS tables: consistent with themselves and with cfn-lint's data."""

from __future__ import annotations

import datetime as dt

import pytest
from cfnlint.helpers import AVAILABILITY_ZONES

from cfngen.config import ConfigError, eks_versions, loads, regions
from cfngen.config.schema import EksConfig

TABLE_DAY = dt.date.fromisoformat(eks_versions.TABLE_DATE)


def test_every_region_and_az_name_is_one_cfn_lint_knows_too() -> None:
    """cfn-lint ships AWS's AZ names per region; ours may list fewer (usable), never others
    (except AZ names cfn-lint leaves out of per-account-mapped regions)."""
    for name, region in regions.REGIONS.items():
        assert name in AVAILABILITY_ZONES, name
        assert 2 <= region.usable <= len(region.letters)
        known = set(AVAILABILITY_ZONES[name])
        assert len(known & set(region.zone_names(name))) >= region.usable, name


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("region: us-west-1\nnetwork: {availability_zones: 3}", "region us-west-1 has for every"),
        (
            "region: eu-west-1\nnetwork: {availability_zones: [eu-west-1a, eu-west-1d]}",
            "network.availability_zones[1]: 'eu-west-1d' is not an AZ of region eu-west-1",
        ),
        ("region: eu-west-9", "region: 'eu-west-9' is not a region cfngen knows"),
    ],
)
def test_az_counts_and_names_come_from_the_table(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        loads(text)
    assert any(fragment in p for p in info.value.problems), info.value.problems


def test_the_calendar_follows_the_14_plus_12_months_rule() -> None:
    for version, r in eks_versions.CALENDAR.items():
        months = (r.end_of_standard.year - r.released.year) * 12 + (
            r.end_of_standard.month - r.released.month
        )
        assert 13 <= months <= 15, version
        assert r.end_of_extended == r.end_of_standard.replace(year=r.end_of_standard.year + 1)


def test_the_default_version_is_the_newest_in_standard_support_on_the_table_date() -> None:
    standard = [
        v for v, r in eks_versions.CALENDAR.items() if r.released <= TABLE_DAY < r.end_of_standard
    ]
    assert EksConfig().version == eks_versions.DEFAULT == max(standard, key=lambda v: int(v[2:]))


@pytest.mark.parametrize(
    ("version", "fragment"),
    [
        ("1.99", "is not an EKS version in cfngen's release calendar"),
        ("1.280", "is not an EKS version in cfngen's release calendar"),
        ("1.0028", "is not a Kubernetes version like '1.36'"),
        ("1.036", "is not a Kubernetes version like"),
        ("2.1", "is not a Kubernetes version like"),
        ("1.31", "reached the end of EKS extended support on 2026-11-26"),
        ("1.27", "is past the end of EKS extended support"),
    ],
)
def test_versions_eks_refuses(version: str, fragment: str) -> None:
    problem = eks_versions.problem(version, TABLE_DAY)
    assert problem is not None and fragment in problem
    assert "use 1.32-1.37" not in problem and "use 1.32-1.36 (1.34, 1.35, 1.36 in" in problem


def test_extended_support_and_the_next_version_are_accepted_with_a_note() -> None:
    assert eks_versions.problem("1.33", TABLE_DAY) is None
    assert "extended support" in (eks_versions.note("1.33", TABLE_DAY) or "")
    assert eks_versions.problem(eks_versions.NEXT, TABLE_DAY) is None
    assert "newer than cfngen's EKS release calendar" in (
        eks_versions.note(eks_versions.NEXT, TABLE_DAY) or ""
    )
    assert eks_versions.note(eks_versions.DEFAULT, TABLE_DAY) is None


def test_the_day_can_be_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFNGEN_TODAY", "2028-01-01")
    with pytest.raises(ConfigError) as info:
        loads("eks: {version: '1.33'}")
    assert "reached the end of EKS extended support on 2027-07-29" in info.value.problems[0]
    monkeypatch.setenv("CFNGEN_TODAY", "soon")
    with pytest.raises(ConfigError) as info:
        loads("")
    assert "CFNGEN_TODAY='soon' is not a date" in info.value.problems[0]
