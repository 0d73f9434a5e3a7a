"""Shared name rules: the Kubernetes label limits at their boundaries."""

from __future__ import annotations

import pytest

from cfngen.patterns import IMAGE_TAG_RE, REGION_RE, is_label_key, is_label_value


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("app", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("example.com/team", True),
        ("Example.com/team", False),  # the prefix is a lowercase DNS subdomain
        ("example.com/", False),
        ("-team", False),
        ("team.name_x", True),
    ],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert is_label_key(key) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("", True), ("v1.2", True), ("x" * 63, True), ("x" * 64, False), ("a b", False)],
)
def test_label_values(value: str, ok: bool) -> None:
    assert is_label_value(value) is ok


def test_region_and_tag_patterns() -> None:
    assert REGION_RE.match("us-gov-west-1") and not REGION_RE.match("useast1")
    assert IMAGE_TAG_RE.match("v1.2.3") and not IMAGE_TAG_RE.match(".hidden")
