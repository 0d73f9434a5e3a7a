"""StackSets' status values as enums: no module spells one as a string.

``StrEnum`` members compare equal to the strings boto3 returns (see
:mod:`cfngen.deploy.status` for the stack and change-set ones).
"""

from __future__ import annotations

from enum import StrEnum


class OperationStatus(StrEnum):
    """``StackSetOperation.Status``."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


# An operation in one of these has ended (successfully only in SUCCEEDED).
OPERATION_DONE = frozenset(
    {OperationStatus.SUCCEEDED, OperationStatus.FAILED, OperationStatus.STOPPED}
)


class InstanceStatus(StrEnum):
    """``StackInstanceSummary.Status``."""

    CURRENT = "CURRENT"
    OUTDATED = "OUTDATED"
    INOPERABLE = "INOPERABLE"


class PermissionModel(StrEnum):
    """The API's spelling; the config says ``self-managed`` / ``service-managed``."""

    SELF_MANAGED = "SELF_MANAGED"
    SERVICE_MANAGED = "SERVICE_MANAGED"


class StackSetChange(StrEnum):
    """What a plan does to the stack set itself (empty: nothing)."""

    CREATE = "create"
    UPDATE = "update"
    NONE = ""
