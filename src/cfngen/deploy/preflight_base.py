"""What every preflight check shares: a finding, the context it reads, unanswered APIs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cfngen.config import Config
from cfngen.deploy.session import Aws
from cfngen.render import Rendered

# Error codes that mean "this API does not answer here", not "the resource is wrong".
UNANSWERED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnknownOperationException",
        "InvalidAction",
        "NotImplemented",
        "404",
        "500",
        "501",
        "NoSuchResourceException",
        "InternalFailure",
        "ServiceException",
    }
)


@dataclass(frozen=True)
class Finding:
    """One problem: the config key, what is wrong, and what to do."""

    key: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}; {self.fix}"


@dataclass
class Context:
    """What every check reads: the connection, the config, the stack's templates."""

    aws: Aws
    cfg: Config
    templates: Mapping[str, Mapping[str, Any]]  # file name -> template
    stack_name: str
    notes: list[str] = field(default_factory=list)
    adopted: set[tuple[str, str]] = field(default_factory=set)  # (type, name) to import
    # the other top-level stacks of this platform (a split platform's root and groups):
    # what they own moves between them within the plan, it is not taken by a stranger
    family: tuple[str, ...] = ()
    _azs: list[str] | None = None

    def resources(self, rtype: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
        """(template file, logical id, properties) of every resource of ``rtype``."""
        for name, tmpl in sorted(self.templates.items()):
            for lid, res in sorted((tmpl.get("Resources") or {}).items()):
                if res.get("Type") == rtype:
                    yield name, lid, dict(res.get("Properties") or {})

    def azs(self) -> list[str]:
        """The region's available AZ names, in the order Fn::GetAZs gives them."""
        if self._azs is None:
            zones = self.aws.client("ec2").describe_availability_zones(
                Filters=[{"Name": "state", "Values": ["available"]}]
            )["AvailabilityZones"]
            self._azs = sorted(
                str(z["ZoneName"])
                for z in zones
                if z.get("ZoneType", "availability-zone") == "availability-zone"
            )
        return self._azs

    def chosen_azs(self) -> list[str]:
        azs = self.cfg.network.availability_zones
        if isinstance(azs, int):
            return self.azs()[:azs]
        return list(azs)


Check = Callable[[Context], Iterator[Finding]]


def templates_of(rendered: Rendered) -> dict[str, Mapping[str, Any]]:
    return {
        name: json.loads(data)
        for name, data in rendered.files.items()
        if name.endswith(".json") and "/" not in name
    }
