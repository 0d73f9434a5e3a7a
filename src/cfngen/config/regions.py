"""The AWS regions cfngen deploys to and their Availability Zones: a shipped, dated table.

Validation uses it so that a config asking for more AZs than a region has, or naming
an AZ the region does not have, is refused before anything is built (CloudFormation
would fail mid-deploy: ``Fn::Select`` past the end of ``Fn::GetAZs``). A check against
the account itself (``DescribeAvailabilityZones``) belongs to the deployer.

``letters``: AZ name suffixes that exist in the region in some account. In the oldest
regions AZ names are mapped per account, so not every account has every letter
(us-west-1 shows each account two of a, b, c). ``usable``: how many AZs every account
sees (and so what ``Fn::GetAZs`` returns at least). Sources: AWS's "AWS Availability
Zones" page (AZ IDs per region) and cfn-lint's AZ table (cfnlint.helpers), checked on
:data:`TABLE_DATE`; a test keeps this table a superset-consistent copy of cfn-lint's.
Regions outside the standard, GovCloud and China partitions (ISO, sovereign) are left
out: cfngen's templates were not checked there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

TABLE_DATE: Final = "2026-11-26"


@dataclass(frozen=True)
class Region:
    letters: str
    usable: int

    def zone_names(self, region: str) -> list[str]:
        return [f"{region}{c}" for c in self.letters]


def _r(letters: str, usable: int | None = None) -> Region:
    return Region(letters, usable if usable is not None else len(letters))


REGIONS: Final[Mapping[str, Region]] = {
    "us-east-1": _r("abcdef"),
    "us-east-2": _r("abc"),
    "us-west-1": _r("abc", 2),  # per-account mapping: each account sees two
    "us-west-2": _r("abcd"),
    "af-south-1": _r("abc"),
    "ap-east-1": _r("abc"),
    "ap-east-2": _r("abc"),
    "ap-south-1": _r("abc"),
    "ap-south-2": _r("abc"),
    "ap-southeast-1": _r("abc"),
    "ap-southeast-2": _r("abc"),
    "ap-southeast-3": _r("abc"),
    "ap-southeast-4": _r("abc"),
    "ap-southeast-5": _r("abc"),
    "ap-southeast-6": _r("abc"),
    "ap-southeast-7": _r("abc"),
    "ap-northeast-1": _r("abcd", 3),  # apne1-az3 is closed to newer accounts
    "ap-northeast-2": _r("abcd"),
    "ap-northeast-3": _r("abc"),
    "ca-central-1": _r("abcd", 3),  # three AZ IDs (cac1-az1, az2, az4)
    "ca-west-1": _r("abc"),
    "eu-central-1": _r("abc"),
    "eu-central-2": _r("abc"),
    "eu-north-1": _r("abc"),
    "eu-south-1": _r("abc"),
    "eu-south-2": _r("abc"),
    "eu-west-1": _r("abc"),
    "eu-west-2": _r("abc"),
    "eu-west-3": _r("abc"),
    "il-central-1": _r("abc"),
    "me-central-1": _r("abc"),
    "me-south-1": _r("abc"),
    "mx-central-1": _r("abc"),
    "sa-east-1": _r("abc"),
    "us-gov-east-1": _r("abc"),
    "us-gov-west-1": _r("abc"),
    "cn-north-1": _r("abc"),
    "cn-northwest-1": _r("abc"),
}


def region(name: str) -> Region | None:
    return REGIONS.get(name)


def known() -> str:
    """The regions of the table, for messages."""
    return ", ".join(REGIONS)
