"""Who runs an operation: recognisable change-set names and request tokens.

Two people (or a person and a CI job) deploying the same stack must be able to see each
other. Every change set and every mutating call cfngen makes carries a name of the form
``cfngen-<verb>-<UTC time>-<rand>-<user>--<host>`` (CloudFormation allows letters,
digits and hyphens, 128 at most), and each change set's description says the same in
words; the stack events keep the token of the call that started an operation, so
"busy" can say whose operation it is and since when.
"""

from __future__ import annotations

import getpass
import os
import re
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

PREFIX: Final = "cfngen-"
STAMP: Final = "%Y%m%dT%H%M%SZ"
_PIECE = re.compile(r"[^A-Za-z0-9]+")
_NAME = re.compile(
    r"^cfngen-(?P<verb>[a-z]+)-(?P<stamp>\d{8}T\d{6}Z)-(?P<rand>[0-9a-f]{4})"
    r"-(?P<user>[A-Za-z0-9-]+?)--(?P<host>[A-Za-z0-9-]+)$"
)


def _piece(text: str, limit: int) -> str:
    cleaned = _PIECE.sub("-", text).strip("-")[:limit].strip("-")
    return cleaned or "unknown"


def user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without passwd entry)
        return os.environ.get("USER") or "unknown"


def host() -> str:
    return socket.gethostname().split(".")[0] or "unknown"


@dataclass(frozen=True)
class Operator:
    """One cfngen run: its verb, who and where, and when it started."""

    verb: str
    user: str
    host: str
    at: datetime

    @property
    def name(self) -> str:
        """A change-set name and ClientRequestToken unique to this run."""
        rand = secrets.token_hex(2)
        return (
            f"{PREFIX}{self.verb}-{self.at.strftime(STAMP)}-{rand}-"
            f"{_piece(self.user, 32)}--{_piece(self.host, 40)}"
        )

    @property
    def description(self) -> str:
        return f"cfngen {self.verb} by {self.user}@{self.host} at {self.at.strftime(STAMP)}"


def current(verb: str, now: datetime | None = None) -> Operator:
    return Operator(verb, user(), host(), now or datetime.now(UTC))


@dataclass(frozen=True)
class Parsed:
    verb: str
    who: str
    at: datetime

    def __str__(self) -> str:
        return f"cfngen {self.verb} of {self.who} at {self.at.strftime('%Y-%m-%d %H:%M:%SZ')}"


def parse(name: str) -> Parsed | None:
    """The verb, user@host and time in a name cfngen made; None for any other name."""
    m = _NAME.match(name or "")
    if not m:
        return None
    at = datetime.strptime(m["stamp"], STAMP).replace(tzinfo=UTC)
    return Parsed(m["verb"], f"{m['user']}@{m['host']}", at)


def describe_token(token: str) -> str:
    """``cfngen deploy of alice@build-7 at 2026-11-26 12:03:04Z``, or "" for a foreign token."""
    parsed = parse(token)
    return str(parsed) if parsed else ""
