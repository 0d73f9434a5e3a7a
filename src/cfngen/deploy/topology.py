"""The top-level stacks of one platform as the deployer runs them: names, order, inputs.

A platform too big for one stack operation is generated as several top-level stacks
(:func:`cfngen.stacks.operations.top_level`): the platform ``root`` and service groups
``services-GG`` whose parameters are root outputs. The deployer treats them as one plan:
:func:`waves` orders them by dependency (root, then every group at once), a group's
parameter values are read from the root's outputs (:func:`parameters`), and group stacks
of this platform that the config no longer generates are found (:func:`stale`) so that a
deploy removes them before the root takes their services back (a service name cannot be
in two stacks at once).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cfngen.config import Config
from cfngen.deploy.preflight_base import UNANSWERED
from cfngen.deploy.session import error_code
from cfngen.render import ROOT_FILE, Rendered
from cfngen.resource_diff import ResourceChange
from cfngen.stacks.operations import top_level

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient

GROUP_SUFFIX = "-services-"
GROUP_KEY = re.compile(r"services-\d{2}")  # a group's template file stem
GONE = ("DELETE_COMPLETE",)


@dataclass(frozen=True)
class Top:
    """One top-level stack of the plan: its template key, stack name, what it needs first."""

    key: str  # "root" or "services-01": the template file stem
    name: str  # the stack name
    after: tuple[str, ...]  # keys deployed before this one
    inputs: Mapping[str, str]  # parameter -> root output it takes

    @property
    def is_root(self) -> bool:
        return self.key == ROOT_FILE


def tops(cfg: Config, rendered: Rendered | None = None) -> list[Top]:
    """The platform's top-level stacks in deploy order; ``[root]`` alone unless split.

    From ``rendered`` when the caller has rendered the config (building the templates
    again is most of a generate's time).
    """
    levels = rendered.top_level if rendered is not None else top_level(cfg)
    return [
        Top(t.key, cfg.stack_name + t.stack_suffix, tuple(t.after), dict(t.inputs)) for t in levels
    ]


def waves(stacks: Sequence[Top]) -> list[list[Top]]:
    """The stacks in dependency order, grouped: each wave needs only earlier waves, so the
    stacks of one wave run at the same time."""
    done: set[str] = set()
    left = list(stacks)
    out: list[list[Top]] = []
    while left:
        known = {s.key for s in stacks}
        ready = [t for t in left if all(a in done or a not in known for a in t.after)]
        if not ready:
            raise ValueError(f"top-level stacks depend on each other: {[t.key for t in left]}")
        out.append(ready)
        done.update(t.key for t in ready)
        left = [t for t in left if t not in ready]
    return out


def parameters(top: Top, root_outputs: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The group's parameter values from the root's outputs, and the outputs still missing."""
    values = {p: root_outputs[o] for p, o in top.inputs.items() if o in root_outputs}
    missing = sorted(o for o in top.inputs.values() if o not in root_outputs)
    return values, missing


def relabel(changes: Sequence[ResourceChange], key: str) -> list[ResourceChange]:
    """A group's changes with the group in their stack path (``services-01/EcsServices03``)."""
    return [replace(c, stack=key if c.stack == "root" else f"{key}/{c.stack}") for c in changes]


def local(changes: Sequence[ResourceChange], key: str) -> list[ResourceChange]:
    """A group's changes with its stack paths inside its own tree again (undoes :func:`relabel`)."""
    if key == ROOT_FILE:
        return list(changes)
    out = []
    for c in changes:
        if c.stack == key:
            out.append(replace(c, stack=ROOT_FILE))
        elif c.stack.startswith(f"{key}/"):
            out.append(replace(c, stack=c.stack.removeprefix(f"{key}/")))
    return out


def key_of(cfg: Config, stack_name: str) -> str:
    """``cfngen-dev-services-01`` -> ``services-01``; the platform's own stack -> ``root``."""
    if stack_name == cfg.stack_name:
        return ROOT_FILE
    return stack_name.removeprefix(f"{cfg.stack_name}-")


def _pattern(cfg: Config) -> re.Pattern[str]:
    return re.compile(re.escape(cfg.stack_name + GROUP_SUFFIX) + r"\d{2}")


def _ours(stack: Mapping[str, Any], cfg: Config) -> bool:
    tags = {t["Key"]: t["Value"] for t in stack.get("Tags") or []}
    return tags.get("cfngen:name") == cfg.name and tags.get("cfngen:environment") == (
        cfg.environment
    )


def deployed_groups(cfn: CloudFormationClient, cfg: Config) -> list[dict[str, Any]]:
    """The live service-group stacks of this platform (named ``<stack>-services-GG`` and
    tagged with its name and environment), by name."""
    pattern = _pattern(cfg)
    ids: dict[str, str] = {}  # name -> id: by id, a stack being deleted is found too
    try:
        for page in cfn.get_paginator("list_stacks").paginate():
            for summary in page.get("StackSummaries", []):
                name = str(summary.get("StackName", ""))
                if pattern.fullmatch(name) and summary.get("StackStatus") not in GONE:
                    ids[name] = str(summary.get("StackId") or name)
    except ClientError as exc:
        if error_code(exc) in UNANSWERED:  # a role without ListStacks: as before splits
            return []
        raise
    found: list[dict[str, Any]] = []
    for name in sorted(ids):
        stacks = cfn.describe_stacks(StackName=ids[name]).get("Stacks", [])
        live = [dict(s) for s in stacks if s["StackStatus"] not in GONE]
        found.extend(s for s in live if _ours(s, cfg))
    return found


def live_groups(cfn: CloudFormationClient, cfg: Config) -> list[dict[str, Any]]:
    """Every group stack of this platform that exists: those the config generates (asked
    by name) and those found by :func:`deployed_groups` (left from an earlier split)."""
    from cfngen.deploy.stack import describe

    found = {s["StackName"]: s for s in deployed_groups(cfn, cfg)}
    for top in tops(cfg)[1:]:
        if top.name not in found:
            stack = describe(cfn, top.name)
            if stack is not None:
                found[top.name] = stack
    return [found[name] for name in sorted(found)]


def stale(cfn: CloudFormationClient, cfg: Config, planned: Sequence[Top]) -> list[dict[str, Any]]:
    """Deployed group stacks of this platform that the config no longer generates."""
    names = {t.name for t in planned}
    return [s for s in deployed_groups(cfn, cfg) if s["StackName"] not in names]


def subtree(files: Mapping[str, bytes], key: str, as_root: bool = False) -> dict[str, bytes]:
    """The rendered JSON files of one top-level stack: its template and every template it
    nests (relative TemplateURLs), for the checks that read one stack tree; ``as_root``
    files the top as ``root.json``, where the previews look for a tree's top."""
    import json

    out: dict[str, bytes] = {}
    todo = [f"{key}.json"]
    while todo:
        name = todo.pop()
        if name in out or name not in files:
            continue
        out[name] = files[name]
        for res in (json.loads(files[name]).get("Resources") or {}).values():
            url = str((res.get("Properties") or {}).get("TemplateURL", ""))
            if res.get("Type") == "AWS::CloudFormation::Stack" and url in files:
                todo.append(url)
    if as_root and key != ROOT_FILE and f"{key}.json" in out:
        out[f"{ROOT_FILE}.json"] = out.pop(f"{key}.json")  # the tree's top, as readers expect
    return out
