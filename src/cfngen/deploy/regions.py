"""Which AWS regions exist, known offline from botocore's endpoint data.

A mistyped region (``--region us-eest-1``) must stop before any call: a client for an
unknown region would try ``cloudformation.us-eest-1.amazonaws.com`` and fail only after
retries, and ``diff`` used to create a template bucket on the way. Whether a known region
is enabled for the account is a question for the account (``ec2:DescribeRegions``), asked
by the preflight.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import boto3


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition this botocore knows CloudFormation in."""
    session = boto3.Session()
    found: set[str] = set()
    for partition in session.get_available_partitions():
        found.update(session.get_available_regions("cloudformation", partition_name=partition))
    return frozenset(found)


def unknown_region(region: str, source: str) -> str | None:
    """One line naming the region, where it came from and the likely one; None if known."""
    regions = known_regions()
    if region in regions:
        return None
    close = difflib.get_close_matches(region, sorted(regions), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{source}: {region!r} is not an AWS region{hint} (known: {len(regions)} regions, "
        "e.g. us-east-1, eu-west-1; a region newer than this boto3 needs `pip install -U boto3`)"
    )
