"""The CDK comparison (bench/bench_cdk.py, bench/cdk/): offline, pinned, never needed by tests.

The benchmark itself needs node and runs only under `make bench`; what is checked here is
what must hold without node: the environment `cdk synth` runs in can reach no AWS account
and phones nothing home, and the CDK app's dependencies are pinned by a committed lock file.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CDK = BENCH / "cdk"


@functools.cache
def bench_cdk() -> ModuleType:
    """bench/bench_cdk.py as a module (bench/ is a folder of scripts, not a package)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_cdk", BENCH / "bench_cdk.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


NAMES = st.sampled_from(
    [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "CDK_DEFAULT_ACCOUNT",
        "CDK_DISABLE_VERSION_CHECK",
        "ECS_CONTAINER_METADATA_URI_V4",
        "npm_config_registry",
        "NPM_CONFIG_OFFLINE",
        "HOME",
        "PATH",
        "LANG",
    ]
)


@given(st.dictionaries(NAMES, st.text(max_size=8)))
def test_cdk_synth_runs_without_credentials_or_calls_home(base: dict[str, str]) -> None:
    home = Path("/nonexistent/bench-home")
    env = bench_cdk().cdk_env(base, home)
    # No way to an AWS account: no credentials, profile, endpoint or metadata service.
    allowed_aws = {
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_REGION",
    }
    assert {k for k in env if k.startswith("AWS_")} == allowed_aws
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert Path(env["AWS_CONFIG_FILE"]).parent == home
    assert Path(env["AWS_SHARED_CREDENTIALS_FILE"]).parent == home
    assert "ECS_CONTAINER_METADATA_URI_V4" not in env
    # Nothing from the user's home, no version check, telemetry, update notice or registry.
    assert env["HOME"] == str(home)
    assert env["CDK_DISABLE_VERSION_CHECK"] == "1"
    assert env["CDK_DISABLE_CLI_TELEMETRY"] == "1"
    assert "CDK_DEFAULT_ACCOUNT" not in env
    assert env["npm_config_update_notifier"] == "false"
    assert env["npm_config_offline"] == "true"
    assert "npm_config_registry" not in env and "NPM_CONFIG_OFFLINE" not in env
    for kept in ("PATH", "LANG"):
        assert env.get(kept) == base.get(kept)


def test_cdk_app_is_pinned_by_its_lock_file() -> None:
    package = json.loads((CDK / "package.json").read_text())
    lock = json.loads((CDK / "package-lock.json").read_text())
    wanted = {**package["dependencies"], **package["devDependencies"]}
    assert set(wanted) == {"aws-cdk-lib", "constructs", "aws-cdk"}
    for name, version in wanted.items():
        assert version[0].isdigit(), f"{name} must be pinned exactly, not {version!r}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    # The app never looks anything up in an account, and never reports home.
    settings = json.loads((CDK / "cdk.json").read_text())
    assert settings["app"] == "node app.js"
    assert settings["context"]["cli-telemetry"] is False
    assert "lookup" not in (CDK / "app.js").read_text().lower()
