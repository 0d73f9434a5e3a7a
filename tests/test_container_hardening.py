"""`ecs.services[].user`, `readonly_root_filesystem` and `writable_paths`: validation and
the task definition they build.

What a deployed task definition says is read back through DescribeTaskDefinition in
test_effective_security (every example); here: every bad value is named with its key and
what is allowed, and every accepted combination becomes exactly one volume and one
writable mount per path, a read-only root, and the user as written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.config import ConfigError, load, loads
from cfngen.config.validate_security import MAX_WRITABLE_PATHS
from cfngen.stacks import root
from conftest import ROOT
from strategies import USERS, WRITABLE_PATHS

IMG = "public.ecr.aws/nginx/nginx"


def service(**keys: str) -> str:
    extra = "".join(f", {k}: {v}" for k, v in keys.items())
    return f"ecs: {{services: [{{name: web, image: {IMG}{extra}}}]}}"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        loads(text)
    return err.value.problems


def container_and_volumes(text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    template = root.build_children(loads(text))["EcsAlb"].to_dict()
    props = template["Resources"]["WebTaskDefinition"]["Properties"]
    (container,) = props["ContainerDefinitions"]
    return container, props.get("Volumes", [])


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"user": "'app user'"}, "ecs.services[0].user: 'app user' is not a user; give a UID"),
        ({"user": "':1000'"}, "ecs.services[0].user: ':1000' is not a user"),
        ({"user": "'1000:'"}, "ecs.services[0].user: '1000:' is not a user"),
        ({"user": "'-x'"}, "ecs.services[0].user: '-x' is not a user"),
        ({"user": "'" + "a" * 33 + "'"}, "is not a user"),
        ({"writable_paths": "[tmp]"}, "ecs.services[0].writable_paths[0]: 'tmp' is not a"),
        ({"writable_paths": "[/]"}, "ecs.services[0].writable_paths[0]: '/' is not a"),
        ({"writable_paths": "[/tmp/]"}, "writable_paths[0]: '/tmp/' is not a directory to mount"),
        ({"writable_paths": "[/a/../b]"}, "writable_paths[0]: '/a/../b' is not a directory"),
        ({"writable_paths": "[/a/./b]"}, "writable_paths[0]: '/a/./b' is not a directory"),
        ({"writable_paths": "['/my dir']"}, "writable_paths[0]: '/my dir' is not a directory"),
        ({"writable_paths": "[/tmp, /run, /tmp]"}, "writable_paths[2]: '/tmp' is already "
         "writable_paths[0]"),
        ({"readonly_root_filesystem": "maybe"}, "ecs.services[0].readonly_root_filesystem:"),
        ({"writable_paths": "/tmp"}, "ecs.services[0].writable_paths:"),
    ],
)  # fmt: skip
def test_bad_values_are_named(keys: dict[str, str], expected: str) -> None:
    found = problems(service(**keys))
    assert any(expected in p for p in found), found


def test_too_many_writable_paths() -> None:
    paths = ", ".join(f"/data/{i}" for i in range(MAX_WRITABLE_PATHS + 1))
    (found,) = problems(service(writable_paths=f"[{paths}]"))
    assert found.startswith(f"ecs.services[0].writable_paths: {MAX_WRITABLE_PATHS + 1} paths;")


def test_defaults_read_only_root_with_tmp_and_the_images_user() -> None:
    container, volumes = container_and_volumes(service())
    assert container["ReadonlyRootFilesystem"] is True
    assert "User" not in container
    assert container["MountPoints"] == [
        {"ContainerPath": "/tmp", "ReadOnly": False, "SourceVolume": "writable-0"}
    ]
    assert volumes == [{"Name": "writable-0"}]


def test_a_writable_root_mounts_nothing() -> None:
    container, volumes = container_and_volumes(
        service(readonly_root_filesystem="false", writable_paths="[/data]")
    )
    assert container["ReadonlyRootFilesystem"] is False
    assert "MountPoints" not in container and volumes == []


def test_the_seed_runs_nginx_unprivileged_as_its_user_with_only_tmp_writable() -> None:
    """The seed's image writes only to /tmp as UID 101 and listens on 8080: with the
    defaults it starts (stock nginx would need root, /var/cache/nginx and /var/run)."""
    for cfg in (load(ROOT / "config" / "default.yaml"), loads("{}")):
        (svc,) = cfg.ecs.services
        assert svc.image == "public.ecr.aws/nginx/nginx-unprivileged"
        assert (svc.user, svc.container_port, svc.writable_paths) == ("101", 8080, ("/tmp",))
        assert svc.readonly_root_filesystem is True


@settings(max_examples=40, deadline=None)
@given(USERS, st.booleans(), WRITABLE_PATHS)
def test_accepted_settings_build_one_mount_per_path(
    user: str, readonly: bool, paths: list[str]
) -> None:
    text = service(
        user=json.dumps(user), readonly_root_filesystem=str(readonly).lower(),
        writable_paths=json.dumps(paths),
    )  # fmt: skip
    container, volumes = container_and_volumes(text)
    assert container["User"] == user
    assert container["ReadonlyRootFilesystem"] is readonly
    mounts = container.get("MountPoints", [])
    if not readonly:
        assert mounts == [] and volumes == []
        return
    assert [m["ContainerPath"] for m in mounts] == paths
    assert [m["SourceVolume"] for m in mounts] == [v["Name"] for v in volumes]
    assert len({v["Name"] for v in volumes}) == len(paths)
    assert all(m["ReadOnly"] is False for m in mounts)
