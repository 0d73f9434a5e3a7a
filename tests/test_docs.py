"""The README's config reference lists every config key the loader accepts."""

from __future__ import annotations

from cfngen.config import field_docs
from conftest import ROOT


def test_every_config_key_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [key for key, _ in field_docs() if f"`{key}`" not in readme]
    assert not missing, f"README config reference lacks: {missing}"


def test_every_config_key_has_a_description() -> None:
    assert [key for key, text in field_docs() if not text] == []
