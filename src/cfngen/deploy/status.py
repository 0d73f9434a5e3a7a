"""CloudFormation's status and action values as enums: no module spells one as a string.

They are ``StrEnum`` members, so they compare equal to the strings boto3 returns and
print as those strings; a status AWS adds later is still a plain string, which is why
the predicates below read the suffixes AWS's naming follows instead of listing values.
"""

from __future__ import annotations

from enum import StrEnum

# A change's action and replacement are shared with the offline plan and the emulator,
# so they live in the lowest layer; they are CloudFormation's values all the same.
from cfngen.resource_diff.model import ChangeAction as ChangeAction
from cfngen.resource_diff.model import Replacement as Replacement


class StackStatus(StrEnum):
    """``Stack.StackStatus`` (also the ``ResourceStatus`` of a stack's own events)."""

    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_FAILED = "CREATE_FAILED"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"
    ROLLBACK_COMPLETE = "ROLLBACK_COMPLETE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
    DELETE_FAILED = "DELETE_FAILED"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_COMPLETE = "UPDATE_COMPLETE"
    UPDATE_FAILED = "UPDATE_FAILED"
    UPDATE_ROLLBACK_IN_PROGRESS = "UPDATE_ROLLBACK_IN_PROGRESS"
    UPDATE_ROLLBACK_FAILED = "UPDATE_ROLLBACK_FAILED"
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_ROLLBACK_COMPLETE = "UPDATE_ROLLBACK_COMPLETE"
    REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"
    IMPORT_IN_PROGRESS = "IMPORT_IN_PROGRESS"
    IMPORT_COMPLETE = "IMPORT_COMPLETE"
    IMPORT_ROLLBACK_IN_PROGRESS = "IMPORT_ROLLBACK_IN_PROGRESS"
    IMPORT_ROLLBACK_FAILED = "IMPORT_ROLLBACK_FAILED"
    IMPORT_ROLLBACK_COMPLETE = "IMPORT_ROLLBACK_COMPLETE"


# The states an operation ends in when it did what was asked.
SUCCEEDED = frozenset(
    {
        StackStatus.CREATE_COMPLETE,
        StackStatus.UPDATE_COMPLETE,
        StackStatus.DELETE_COMPLETE,
        StackStatus.IMPORT_COMPLETE,
    }
)
# A first create that failed: the stack holds nothing and can only be deleted.
FAILED_CREATE = frozenset(
    {StackStatus.ROLLBACK_COMPLETE, StackStatus.ROLLBACK_FAILED, StackStatus.CREATE_FAILED}
)
_IN_PROGRESS, _COMPLETE, _FAILED = "_IN_PROGRESS", "_COMPLETE", "_FAILED"
_CLEANUP = "CLEANUP_IN_PROGRESS"


def in_progress(status: str) -> bool:
    """An operation is running (REVIEW_IN_PROGRESS is a stack waiting for a change set)."""
    return status.endswith(_IN_PROGRESS) and status != StackStatus.REVIEW_IN_PROGRESS


def terminal(status: str) -> bool:
    """The operation has ended, successfully or not."""
    return (status.endswith(_COMPLETE) or status.endswith(_FAILED)) and _CLEANUP not in status


def failed(status: str) -> bool:
    """A resource or stack event that reports a failure."""
    return status.endswith(_FAILED)


def succeeded(status: str) -> bool:
    return status in SUCCEEDED


class ChangeSetStatus(StrEnum):
    CREATE_PENDING = "CREATE_PENDING"
    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    DELETE_PENDING = "DELETE_PENDING"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    DELETE_FAILED = "DELETE_FAILED"
    FAILED = "FAILED"


# DescribeChangeSet has settled: the change set can be read (or it will never be).
CHANGE_SET_SETTLED = frozenset(
    {ChangeSetStatus.CREATE_COMPLETE, ChangeSetStatus.FAILED, ChangeSetStatus.DELETE_COMPLETE}
)


class ChangeSetType(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    IMPORT = "IMPORT"


class OnStackFailure(StrEnum):
    DELETE = "DELETE"
    ROLLBACK = "ROLLBACK"
    DO_NOTHING = "DO_NOTHING"


class Capability(StrEnum):
    IAM = "CAPABILITY_IAM"
    NAMED_IAM = "CAPABILITY_NAMED_IAM"
    AUTO_EXPAND = "CAPABILITY_AUTO_EXPAND"
