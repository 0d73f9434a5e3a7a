"""A plan as people read it: one row per resource, each changed value, a summary line.

For every modified resource each changed property path is printed with its value before
and after, and whether it forces a replacement and why (a create-only property, or a
value that changes because something it refers to is replaced). The summary counts
resources, not nested stacks ("2 to add, 1 to change, 1 to replace, 0 to remove"); a
replaced resource is counted once, under replace. Used for the change set a deploy or
``diff`` creates and for the offline ``diff --against``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cfngen.resource_diff import (
    KNOWN_AFTER_APPLY,
    AttributeChange,
    ChangeAction,
    Detail,
    Recreation,
    Replacement,
    ResourceChange,
)

NESTED_TYPE = "AWS::CloudFormation::Stack"
VALUE_WIDTH = 60
REPLACEMENT_WORDS: dict[str, str] = {
    Replacement.TRUE: "yes",
    Replacement.FALSE: "no",
    Replacement.CONDITIONAL: "conditional",
}
MARKS: dict[str, str] = {
    AttributeChange.ADD: "+",
    AttributeChange.REMOVE: "-",
    AttributeChange.MODIFY: "~",
}


def _value(text: str | None) -> str:
    if text is None:
        return "(none)"
    if text == KNOWN_AFTER_APPLY:
        return "(known after apply)"
    if len(text) > VALUE_WIDTH:
        return text[: VALUE_WIDTH - 3] + "..."
    return text


def detail_line(d: Detail) -> str:
    """``~ DesiredCount: 2 -> 3`` and, when it forces one, why the resource is replaced."""
    if d.change_type == AttributeChange.ADD:
        text = f"+ {d.short_path}: {_value(d.after)}"
    elif d.change_type == AttributeChange.REMOVE:
        text = f"- {d.short_path}: {_value(d.before)}"
    else:
        text = f"~ {d.short_path}: {_value(d.before)} -> {_value(d.after)}"
    because = f" because {d.causing_entity} changes" if d.causing_entity else ""
    if d.recreation == Recreation.ALWAYS:
        text += f"  (forces replacement: create-only{because})"
    elif d.recreation == Recreation.CONDITIONALLY:
        text += f"  (may force replacement{because})"
    elif because:
        text += f"  ({because.strip()})"
    return text


def table(changes: Sequence[ResourceChange]) -> str:
    """Rows of STACK ACTION LOGICAL-ID TYPE REPLACEMENT, each followed by its changed values."""
    header = ("STACK", "ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT")
    rows = [
        (
            c.stack,
            c.action,
            c.logical_id,
            c.resource_type,
            REPLACEMENT_WORDS.get(c.replacement, "-"),
        )
        for c in changes
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return "  " + "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(header)]
    for change, row in zip(changes, rows, strict=True):
        out.append(line(row))
        for d in change.details:
            if change.resource_type == NESTED_TYPE and d.name == "TemplateURL":
                continue  # content-addressed: the nested stack's own rows say what changed
            out.append("        " + detail_line(d))
    return "\n".join(out)


def counts(changes: Sequence[ResourceChange]) -> dict[str, int]:
    """add / change / replace / remove / import counts over resources (not nested stacks)."""
    out = {"add": 0, "change": 0, "replace": 0, "remove": 0, "import": 0}
    for c in changes:
        if c.resource_type == NESTED_TYPE:
            continue
        if c.action == ChangeAction.ADD:
            out["add"] += 1
        elif c.action == ChangeAction.REMOVE:
            out["remove"] += 1
        elif c.action == ChangeAction.IMPORT:
            out["import"] += 1
        elif c.replaces:
            out["replace"] += 1
        else:
            out["change"] += 1
    return out


def summary(changes: Sequence[ResourceChange]) -> str:
    """``Plan: 2 to add, 1 to change, 1 to replace, 0 to remove (3 stacks)``."""
    n = counts(changes)
    text = (
        f"Plan: {n['add']} to add, {n['change']} to change, {n['replace']} to replace, "
        f"{n['remove']} to remove"
    )
    if n["import"]:
        text += f", {n['import']} to import (kept by an earlier stack)"
    stacks = len({c.stack for c in changes})
    return f"{text} ({stacks} {'stack' if stacks == 1 else 'stacks'})"


def replacements(changes: Sequence[ResourceChange]) -> list[str]:
    """One line per replaced resource with the reason, for the warning under the plan."""
    out = []
    for c in changes:
        if c.replaces and c.resource_type != NESTED_TYPE:
            why = c.why_replaced()
            conditional = " may be" if c.replacement == Replacement.CONDITIONAL else " is"
            out.append(
                f"  {c.stack}/{c.logical_id} ({c.resource_type}){conditional} replaced"
                + (f": {why}" if why else "")
            )
    return out
