"""Template URLs in every form, and the S3 bucket policies that guard them over plain HTTP.

moto's own reader misreads some of the URL forms our packager and ``aws
cloudformation package`` write (``127.0.0.1``, ``<bucket>.localhost``, path-style
on a regional host) and has no "not an S3 URL" error. :func:`read_template_url`
reads virtual-hosted or path-style URLs with AWS host names, ``localhost`` or
``127.0.0.1``, for root stacks, nested stacks and nested change sets. The
emulator serves plain HTTP on loopback in place of TLS, so a bucket policy's
``aws:SecureTransport`` conditions are left out of moto's permission check.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlparse

from cfngen.emulator import moto_adapter as moto

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def read_template_url(url: str, account_id: str, partition: str = "aws") -> str:
    """Template body behind any S3 URL form: virtual-hosted, path-style, loopback or AWS."""
    parts = urlparse(url)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path.lstrip("/"))
    if host in LOOPBACK_HOSTS or host.startswith("s3.") or host.startswith("s3-"):
        bucket, _, key = path.partition("/")
    elif host.endswith(".localhost"):
        bucket, key = host.removesuffix(".localhost"), path
    elif ".s3." in host or ".s3-" in host:
        bucket, key = host.split(".s3", 1)[0], path
    else:
        raise moto.ValidationError(message=f"TemplateURL must be an Amazon S3 URL: {url}")
    try:
        obj = moto.s3_partition(account_id, partition).get_object(bucket, key)
    except Exception:
        obj = None
    if obj is None:
        raise moto.ValidationError(
            message=f"S3 error: unable to read template {url}: no such object"
        )
    return str(obj.value.decode("utf-8"))


def bucket_permission(self: Any, action: str, resource: str) -> Any:
    """moto ignores policy conditions, so a TLS-only Deny would deny everything.

    The emulator is plain HTTP on loopback standing in for TLS: statements
    conditioned on ``aws:SecureTransport`` are left out; everything else is moto's.
    """
    policy = moto.bucket_policy(self)
    if policy is None:
        return moto.policy_permission(None, action, resource)
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    kept = [
        st for st in statements if "aws:SecureTransport" not in json.dumps(st.get("Condition", {}))
    ]
    return moto.policy_permission({**policy, "Statement": kept}, action, resource)
