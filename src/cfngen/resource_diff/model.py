"""A resource change as CloudFormation's DescribeChangeSet reports it (with property values).

The enums are the API's values (``StrEnum``: they compare equal to boto3's strings), so
a change read from the API and one computed offline are the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# What CloudFormation shows for a value it can only know when the change runs.
KNOWN_AFTER_APPLY: Final = "{{changeSet:KNOWN_AFTER_APPLY}}"
NESTED_STACK: Final = "AWS::CloudFormation::Stack"


class ChangeAction(StrEnum):
    """``ResourceChange.Action``."""

    ADD = "Add"
    MODIFY = "Modify"
    REMOVE = "Remove"
    IMPORT = "Import"
    DYNAMIC = "Dynamic"


class Replacement(StrEnum):
    """``ResourceChange.Replacement``."""

    TRUE = "True"
    FALSE = "False"
    CONDITIONAL = "Conditional"


class Recreation(StrEnum):
    """``ResourceTargetDefinition.RequiresRecreation``."""

    NEVER = "Never"
    CONDITIONALLY = "Conditionally"
    ALWAYS = "Always"


class Evaluation(StrEnum):
    STATIC = "Static"
    DYNAMIC = "Dynamic"


class ChangeSource(StrEnum):
    DIRECT = "DirectModification"
    RESOURCE_REFERENCE = "ResourceReference"
    PARAMETER_REFERENCE = "ParameterReference"
    RESOURCE_ATTRIBUTE = "ResourceAttribute"
    AUTOMATIC = "Automatic"


class AttributeChange(StrEnum):
    ADD = "Add"
    REMOVE = "Remove"
    MODIFY = "Modify"


@dataclass(frozen=True)
class Detail:
    """One changed value of a resource: ``DesiredCount: 2 -> 3``."""

    name: str  # the top-level property (or the attribute, e.g. DeletionPolicy)
    path: str  # JSON pointer in the resource: /Properties/HealthCheck/Path
    before: str | None
    after: str | None
    change_type: AttributeChange = AttributeChange.MODIFY
    recreation: Recreation = Recreation.NEVER
    evaluation: Evaluation = Evaluation.STATIC
    source: ChangeSource = ChangeSource.DIRECT
    causing_entity: str | None = None
    attribute: str = "Properties"

    @property
    def short_path(self) -> str:
        """``HealthCheck/Path`` for a property, ``DeletionPolicy`` for an attribute."""
        prefix = "/Properties/"
        return self.path[len(prefix) :] if self.path.startswith(prefix) else self.path.lstrip("/")


@dataclass(frozen=True)
class ResourceChange:
    """One resource of one stack in a plan."""

    stack: str  # "root", or the path of nested logical ids ("Network", "Platform/Network")
    action: str  # ChangeAction (a plain string when AWS adds one)
    logical_id: str
    resource_type: str
    replacement: str = ""  # Replacement, or "" when not applicable (Add, Remove)
    details: tuple[Detail, ...] = ()
    physical_id: str = ""

    @property
    def replaces(self) -> bool:
        return self.replacement in (Replacement.TRUE, Replacement.CONDITIONAL)

    def why_replaced(self) -> str:
        """Which values force the replacement, e.g. ``CidrBlock is create-only``."""
        forcing = [d for d in self.details if d.recreation != Recreation.NEVER]
        reasons = []
        for d in forcing:
            because = f" (because {d.causing_entity} changes)" if d.causing_entity else ""
            may = "may need" if d.recreation == Recreation.CONDITIONALLY else "is create-only"
            reasons.append(f"{d.short_path} {may}{because}")
        return "; ".join(dict.fromkeys(reasons))
