"""cfngen's boto3 sessions share botocore's parsed service models, and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cfngen.aws_session import new_session


def _loader(session: object) -> object:
    return session._session.get_component("data_loader")  # type: ignore[attr-defined]


def test_sessions_share_the_models_but_keep_their_own_credentials_and_region() -> None:
    a = new_session(region_name="us-east-1", aws_access_key_id="AKA", aws_secret_access_key="a")
    b = new_session(region_name="eu-west-1", aws_access_key_id="AKB", aws_secret_access_key="b")
    assert (a.region_name, b.region_name) == ("us-east-1", "eu-west-1")
    assert (a.get_credentials().access_key, b.get_credentials().access_key) == ("AKA", "AKB")
    assert _loader(a) is _loader(b)
    paths = list(_loader(a).search_paths)  # type: ignore[attr-defined]
    boto3_data = [p for p in paths if Path(p).parent.name == "boto3"]
    assert len(boto3_data) == 1  # boto3's folder once, however many sessions were made
    ec2 = [s.client("ec2", endpoint_url="http://127.0.0.1:9") for s in (a, b)]
    assert [c.meta.region_name for c in ec2] == ["us-east-1", "eu-west-1"]
    assert ec2[0].meta.service_model is not None


def test_a_data_path_of_its_own_gets_a_loader_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_DATA_PATH adds models: a session with one never sees another's models."""
    plain = new_session()
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    extra = new_session()
    assert _loader(extra) is not _loader(plain)
    assert os.path.expanduser(str(tmp_path)) in _loader(extra).search_paths  # type: ignore[attr-defined]
    assert _loader(new_session()) is _loader(extra)
