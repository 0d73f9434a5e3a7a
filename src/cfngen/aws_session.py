"""boto3 sessions that share botocore's parsed service models within one process.

A fresh boto3 session parses the JSON model of every service it makes a client for (EC2's
is megabytes) and botocore's endpoint data: about a second for a deploy's clients. The
models are read-only files of the installed botocore, so every session cfngen makes in a
process shares one data loader and parses each model once; credentials, profile, region
and configuration stay each session's own.
"""

from __future__ import annotations

import threading

import boto3
import botocore.session
from botocore.loaders import Loader

_LOCK = threading.Lock()
_LOADERS: dict[str, Loader] = {}  # by AWS_DATA_PATH (botocore's data_path), which adds models


def new_session(
    profile_name: str | None = None,
    region_name: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
) -> boto3.Session:
    """``boto3.Session(...)`` with these arguments, on the process's shared data loader."""
    core = botocore.session.get_session()
    session = boto3.Session(
        botocore_session=core,
        profile_name=profile_name,
        region_name=region_name,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
    )
    # boto3 has added its own data folder to the new loader, which has parsed nothing yet:
    # the first one of a data path becomes the shared one (boto3's folder once in its paths).
    key = str(core.get_config_variable("data_path") or "")
    with _LOCK:
        shared = _LOADERS.setdefault(key, core.get_component("data_loader"))
    core.register_component("data_loader", shared)
    return session
