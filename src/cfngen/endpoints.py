"""The local endpoint (`cfngen emulator`): how to recognise it and what it accepts.

Shared by the deployer (credentials for a rehearsal) and the Kubernetes side (an emulated
cluster has no Kubernetes API), so it sits below both.
"""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING, Final
from urllib.parse import urlparse

if TYPE_CHECKING:
    import boto3

# What a loopback endpoint is given when no credentials are configured: the emulator accepts
# any, and these never leave the machine (the same values the AWS CLI needs exported there).
LOCAL_ACCESS_KEY_ID: Final = "testing"
LOCAL_SECRET_ACCESS_KEY: Final = "testing"


def is_loopback(endpoint_url: str | None) -> bool:
    """True for an endpoint on this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlparse(endpoint_url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_local_credentials(
    session: boto3.Session, endpoint_url: str | None, profile: str | None
) -> boto3.Session:
    """``session``; or, for a loopback endpoint and nothing configured, one with test keys.

    A rehearsal then needs no AWS set-up at all; a profile that was asked for is never
    replaced (its own problem is reported instead).
    """
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if profile or not is_loopback(endpoint) or session.get_credentials() is not None:
        return session
    from cfngen.aws_session import new_session

    return new_session(
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        region_name=session.region_name,
    )
