"""``ImportExistingResources``: a change set adopts named resources an earlier stack kept.

CloudFormation imports a resource that the template names with a fixed (static) name,
whose ``DeletionPolicy`` is ``Retain`` or ``RetainExceptOnCreate``, and that belongs to
no stack; the change set lists it as ``Import`` and executing binds the existing
resource (``IMPORT_IN_PROGRESS`` / ``IMPORT_COMPLETE``) instead of creating one that
would clash. moto knows nothing of it; here the same rules apply to the named types
cfngen's templates use (ECR repositories, log groups, buckets, IAM roles).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.moto_adapter import Template

ADOPTABLE_POLICIES = frozenset({"Retain", "RetainExceptOnCreate"})
NAME_PROPERTY = {
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
}
IMPORTING: ContextVar[bool] = ContextVar("importing", default=False)


@contextlib.contextmanager
def importing(enabled: bool) -> Iterator[None]:
    """While a change set with ImportExistingResources runs."""
    token = IMPORTING.set(enabled)
    try:
        yield
    finally:
        IMPORTING.reset(token)


def _static_name(resource_json: Template) -> str | None:
    prop = NAME_PROPERTY.get(str(resource_json.get("Type")))
    if prop is None or resource_json.get("DeletionPolicy") not in ADOPTABLE_POLICIES:
        return None
    name = (resource_json.get("Properties") or {}).get(prop)
    return name if isinstance(name, str) else None  # a Ref/Sub name is not imported


def _owned(account_id: str, region_name: str, physical: str) -> bool:
    for stack in moto.cloudformation(account_id, region_name).stacks.values():
        for resource in moto.parsed(stack.resource_map).values():
            if str(getattr(resource, "physical_resource_id", "") or "") == physical:
                return True
    return False


def existing(resource_json: Template, account_id: str, region_name: str) -> Any:
    """The resource to adopt for this template entry, or None (create it)."""
    name = _static_name(resource_json)
    if name is None:
        return None
    found = moto.existing_named(str(resource_json["Type"]), name, account_id, region_name)
    if found is None or _owned(account_id, region_name, name):
        return None
    return found
