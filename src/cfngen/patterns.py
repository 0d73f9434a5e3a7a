"""Name rules shared by several config sections, defined once (AWS and Kubernetes syntax)."""

from __future__ import annotations

import re

REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
IMAGE_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")

_K8S_NAME_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def is_digest(tag: str) -> bool:
    """An image digest (``sha256:`` and 64 hex digits) rather than a tag."""
    return bool(DIGEST_RE.match(tag))


def is_label_key(key: str) -> bool:
    """Kubernetes label (or taint) key: optional DNS-subdomain prefix (<= 253) / name (<= 63)."""
    prefix, _, name = key.rpartition("/")
    if not _K8S_NAME_RE.match(name) or len(name) > 63:
        return False
    return not prefix or (bool(_DNS_SUBDOMAIN_RE.match(prefix)) and len(prefix) <= 253)


def is_label_value(value: str) -> bool:
    """Kubernetes label (or taint) value: empty, or up to 63 name characters."""
    return value == "" or (bool(_K8S_NAME_RE.match(value)) and len(value) <= 63)
