"""What a stack change does to each resource: property paths, before -> after, replacement.

One implementation shared by the deployer's plan (``cfngen diff --against``, offline)
and the local endpoint's change sets (``IncludePropertyValues`` details), so that a
rehearsal and a pull-request review apply the same rules: a changed property that the
resource type's schema lists as create-only (cfn-lint ships AWS's schemas) replaces the
resource, and a replaced resource changes every value that refers to it, which can
replace those resources in turn, across nested stacks. It sits in the lowest layer and
imports nothing else of cfngen, so any layer (and the emulator) may use it.
"""

from __future__ import annotations

from cfngen.resource_diff.compare import StackDiff, diff_stack
from cfngen.resource_diff.model import (
    KNOWN_AFTER_APPLY,
    AttributeChange,
    ChangeAction,
    ChangeSource,
    Detail,
    Evaluation,
    Recreation,
    Replacement,
    ResourceChange,
)
from cfngen.resource_diff.resolve import DYNAMIC, Side
from cfngen.resource_diff.tree import TemplateTree, diff_tree

__all__ = [
    "DYNAMIC",
    "KNOWN_AFTER_APPLY",
    "AttributeChange",
    "ChangeAction",
    "ChangeSource",
    "Detail",
    "Evaluation",
    "Recreation",
    "Replacement",
    "ResourceChange",
    "Side",
    "StackDiff",
    "TemplateTree",
    "diff_stack",
    "diff_tree",
]
