"""Config rules of the ``stackset:`` section (also applied to command-line flags).

Each message names the key path, the bad value and what is allowed, like every
other rule in :mod:`cfngen.config.validate`. ``cfngen stackset`` runs
:func:`check_settings` again after applying its flags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from cfngen.config.schema import Config, StackSetConfig
from cfngen.patterns import REGION_RE

ACCOUNT_RE = re.compile(r"^\d{12}$")
OU_RE = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
ORG_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
STACK_SET_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
PERCENT_RE = re.compile(r"^(\d{1,3})%$")


def parse_amount(value: int | str) -> tuple[int, bool] | None:
    """``3`` -> (3, False); ``'25%'`` -> (25, True); anything else -> None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, False
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text), False
        match = PERCENT_RE.match(text)
        if match:
            return int(match.group(1)), True
    return None


def amount_problem(key: str, value: int | str, minimum: int) -> str | None:
    """A message if ``value`` is not a count >= minimum or a percentage 0/1-100."""
    parsed = parse_amount(value)
    if parsed is None:
        return f"{key}: {value!r} is neither a count (like 3) nor a percentage (like '25%')"
    number, percent = parsed
    if percent and not (minimum <= number <= 100):
        return f"{key}: {value!r} is out of range; use {minimum}%-100%"
    if not percent and number < minimum:
        return f"{key}: {value!r} is below {minimum}"
    return None


def _list(key: str, values: Iterable[str], pattern: re.Pattern[str], what: str) -> Iterator[str]:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if not pattern.match(value):
            yield f"{key}[{i}]: {value!r} is not {what}"
        elif value in seen:
            yield f"{key}[{i}]: {value!r} is listed twice"
        seen.add(value)


def accounts(key: str, values: Iterable[str]) -> Iterator[str]:
    yield from _list(key, values, ACCOUNT_RE, "an AWS account id (12 digits, quoted in YAML)")


def organizational_units(key: str, values: Iterable[str]) -> Iterator[str]:
    yield from _list(key, values, OU_RE, "an organizational unit id (ou-xxxx-yyyyyyyy or r-xxxx)")


def regions(key: str, values: Iterable[str]) -> Iterator[str]:
    yield from _list(key, values, REGION_RE, "an AWS region name (like eu-west-1)")


def check(cfg: Config) -> list[str]:
    return list(check_settings(cfg.stackset))


def check_settings(ss: StackSetConfig) -> Iterator[str]:
    """Problems of one stackset section (from the config, or with flags applied)."""
    key = "stackset"
    if ss.name and not STACK_SET_NAME_RE.match(ss.name):
        yield (
            f"{key}.name: {ss.name!r} is not a stack set name "
            "(a letter, then letters, digits, hyphens; at most 128)"
        )
    if ss.organization_id and not ORG_RE.match(ss.organization_id):
        yield f"{key}.organization_id: {ss.organization_id!r} is not an organization id (o-...)"
    yield from accounts(f"{key}.accounts", ss.accounts)
    yield from organizational_units(f"{key}.organizational_units", ss.organizational_units)
    yield from regions(f"{key}.regions", ss.regions)
    yield from targets(key, ss.permission_model, ss.accounts, ss.organizational_units)
    yield from preferences(f"{key}.preferences", ss, ss.regions)
    for i, ov in enumerate(ss.overrides):
        where = f"{key}.overrides[{i}]"
        if not ov.parameters:
            yield f"{where}.parameters: empty; give at least one parameter value"
        yield from accounts(f"{where}.accounts", ov.accounts)
        yield from regions(f"{where}.regions", ov.regions)
        for j, acct in enumerate(ov.accounts):
            if ss.accounts and acct not in ss.accounts:
                yield f"{where}.accounts[{j}]: {acct!r} is not in stackset.accounts"
        for j, region in enumerate(ov.regions):
            if ss.regions and region not in ss.regions:
                yield f"{where}.regions[{j}]: {region!r} is not in stackset.regions"


def targets(key: str, model: str, accts: Iterable[str], ous: Iterable[str]) -> Iterator[str]:
    """Self-managed targets accounts; service-managed targets OUs (as StackSets requires)."""
    if model == "self-managed" and tuple(ous):
        yield (
            f"{key}.organizational_units: {', '.join(ous)} need permission_model "
            "service-managed; self-managed stack sets target accounts"
        )
    if model == "service-managed" and tuple(accts) and not tuple(ous):
        yield (
            f"{key}.accounts: service-managed stack sets target organizational_units "
            "(accounts alone need permission_model self-managed)"
        )


def preferences(key: str, ss: StackSetConfig, target_regions: Iterable[str]) -> Iterator[str]:
    prefs = ss.preferences
    target_regions = tuple(target_regions)
    yield from regions(f"{key}.region_order", prefs.region_order)
    for i, region in enumerate(prefs.region_order):
        if target_regions and region not in target_regions:
            yield f"{key}.region_order[{i}]: {region!r} is not in stackset.regions"
    max_problem = amount_problem(f"{key}.max_concurrent", prefs.max_concurrent, 1)
    tol_problem = amount_problem(f"{key}.failure_tolerance", prefs.failure_tolerance, 0)
    yield from (p for p in (max_problem, tol_problem) if p)
    if max_problem or tol_problem:
        return
    yield from strict_rule(
        key, prefs.concurrency_mode, prefs.max_concurrent, prefs.failure_tolerance
    )


def strict_rule(
    key: str, mode: str, max_concurrent: int | str, tolerance: int | str
) -> Iterator[str]:
    """STRICT_FAILURE_TOLERANCE: a count of max_concurrent is at most failure_tolerance + 1."""
    mc, tol = parse_amount(max_concurrent), parse_amount(tolerance)
    if mode != "STRICT_FAILURE_TOLERANCE" or mc is None or tol is None:
        return
    if not mc[1] and not tol[1] and mc[0] > tol[0] + 1:
        yield (
            f"{key}.max_concurrent: {mc[0]} exceeds failure_tolerance + 1 ({tol[0] + 1}), "
            "which STRICT_FAILURE_TOLERANCE allows; raise failure_tolerance or use "
            "concurrency_mode SOFT_FAILURE_TOLERANCE"
        )
