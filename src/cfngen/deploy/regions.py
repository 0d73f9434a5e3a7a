"""Which AWS regions exist, known offline from botocore's endpoint data.

A mistyped region (``--region us-eest-1``) must stop before any call: a client for an
unknown region would try ``cloudformation.us-eest-1.amazonaws.com`` and fail only after
retries, and ``diff`` used to create a template bucket on the way. Whether a known region
is enabled for the account is a question for the account (``ec2:DescribeRegions``), asked
by the preflight.
"""

from __future__ import annotations

from functools import lru_cache

from cfngen.aws_session import new_session


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition this botocore knows CloudFormation in."""
    session = new_session()
    found: set[str] = set()
    for partition in session.get_available_partitions():
        found.update(session.get_available_regions("cloudformation", partition_name=partition))
    return frozenset(found)


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from ``a`` to ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def _closest(region: str, regions: frozenset[str]) -> list[str]:
    """Every known region at the smallest edit distance (at most 2), sorted."""
    scored = sorted((_distance(region, r), r) for r in regions)
    if not scored or scored[0][0] > 2:
        return []
    return [r for d, r in scored if d == scored[0][0]][:3]


def unknown_region(region: str, source: str) -> str | None:
    """One line naming the region, where it came from and the likely one; None if known."""
    regions = known_regions()
    if region in regions:
        return None
    close = _closest(region.lower(), regions)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"{source}: {region!r} is not an AWS region{hint} (known: {len(regions)} regions, "
        "e.g. us-east-1, eu-west-1; a region newer than this boto3 needs `pip install -U boto3`)"
    )
