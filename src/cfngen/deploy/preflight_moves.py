"""Preflight for moves: a named resource must not change nested stack in one update.

Changing ``ecs.shards`` / ``ecs.layout`` (or ``ecr.shards`` / ``ecr.layout``) moves
services (repositories) from one nested stack to another. CloudFormation runs such an
update in two phases: every stack first creates and updates its resources, and only
then, in the root's cleanup phase (``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS``), do the
nested stacks delete what they no longer declare. So a moved service's new stack
creates its log group (a fixed name) and its listener rule (a fixed priority on the
same listener) while the old stack still holds them: "already exists" / "Priority in
use", and the whole update rolls back, minutes in. A repository (a fixed name) likewise.

This check compares the deployed tree (``GetTemplate`` of the root and every nested
stack) with the new templates: an identity (a fixed name, or a listener and priority)
that is declared in one nested stack now and in another one by the new templates is a
finding, naming the key that moved it and the two ways out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cfngen.deploy.deployed import deployed_templates
from cfngen.deploy.preflight_base import Context, Finding
from cfngen.deploy.preflight_names import NAMED
from cfngen.deploy.session import error_message
from cfngen.preview.templates import TemplateSet

RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
SHOWN = 4  # moved items named in a finding; the rest are counted


@dataclass(frozen=True)
class Place:
    stack: str  # the nested stack's path in the tree (``EcsServices01``)
    label: str  # as cfngen's files name it (``ecs-services-01``)
    what: str  # "LogGroup /ecs/..." or "BravoListenerRule (priority 7 on MainListener)"


def _identities(ts: TemplateSet) -> dict[str, Place]:
    """Each fixed identity of the tree -> where it is declared."""
    out: dict[str, Place] = {}
    for kind in NAMED:
        for res in ts.resources(kind.rtype):
            name = ts.resolve(res.stack, res.properties.get(kind.prop))
            if isinstance(name, str):
                what = f"{kind.rtype.rsplit('::', 1)[1]} {name}"
                out[f"{kind.rtype}|{name}"] = Place(res.stack, ts.label(res.stack), what)
    for res in ts.resources(RULE):
        listener = ts.resolve(res.stack, res.properties.get("ListenerArn"))
        priority = res.properties.get("Priority")
        if listener is None or not isinstance(priority, int):
            continue
        shown = getattr(listener, "logical_id", listener)
        out[f"{RULE}|{json.dumps(listener, default=repr)}|{priority}"] = Place(
            res.stack, ts.label(res.stack), f"{res.logical_id} (priority {priority} on {shown})"
        )
    return out


def _new_tree(ctx: Context) -> TemplateSet:
    def child(_path: str, _lid: str, res: Mapping[str, Any]) -> Mapping[str, Any] | None:
        url = str((res.get("Properties") or {}).get("TemplateURL", ""))
        return ctx.templates.get(url)

    return TemplateSet.build(ctx.templates["root.json"], child, ctx.aws.region)


WAY_OUT = {
    "services": "first without them in ecs.services (their tasks stop until the second; with "
    "retain.log_groups their log groups stay), then with them (the groups are adopted back)",
    "repositories": "first without them in ecr.repositories (with retain.ecr_repositories "
    "they stay, images and all), then with them (adopted back)",
}
SHARD = re.compile(r"^(EcsServices|Ecr)\d\d$")


def _key(before: Place, after: Place) -> str:
    """The config key whose change moved it (the shard count, or the layout)."""
    ecr = before.stack.startswith("Ecr") or after.stack.startswith("Ecr")
    section = "ecr" if ecr else "ecs"
    both_shards = SHARD.match(before.stack) and SHARD.match(after.stack)
    return f"{section}.{'shards' if both_shards else 'layout'}"


def moves(deployed: TemplateSet, new: TemplateSet) -> dict[str, list[tuple[Place, Place]]]:
    """By config key: each fixed identity the new tree declares in another nested stack
    than the deployed one, as (where it is, where it would be)."""
    then = _identities(deployed)
    out: dict[str, list[tuple[Place, Place]]] = {}
    for identity, after in sorted(_identities(new).items()):
        before = then.get(identity)
        if before is not None and before.stack != after.stack:
            out.setdefault(_key(before, after), []).append((before, after))
    return out


def _deployed_root(ctx: Context) -> str | None:
    """The root stack's id, or None before the first deploy."""
    try:
        stacks = ctx.aws.client("cloudformation").describe_stacks(StackName=ctx.stack_name)
    except ClientError as exc:
        if "does not exist" in error_message(exc):
            return None
        raise
    found = stacks["Stacks"]
    return str(found[0]["StackId"]) if found else None


def moved(ctx: Context) -> Iterator[Finding]:
    if "root.json" not in ctx.templates:
        return
    root = _deployed_root(ctx)
    if root is None:
        return  # a first deploy moves nothing
    deployed = deployed_templates(ctx.aws.client("cloudformation"), root, ctx.aws.region)
    if deployed is None:
        ctx.notes.append("preflight: moves between nested stacks not checked (root unreadable)")
        return
    for key, moved_ in sorted(moves(deployed, _new_tree(ctx)).items()):
        shown = [f"{b.what} {b.label} -> {a.label}" for b, a in moved_[:SHOWN]]
        more = f", and {len(moved_) - SHOWN} more" if len(moved_) > SHOWN else ""
        items = "repositories" if key.startswith("ecr") else "services"
        yield Finding(
            key,
            f"{len(moved_)} fixed name{'s' if len(moved_) != 1 else ''} or priorit"
            f"{'ies' if len(moved_) != 1 else 'y'} would move between nested stacks in one "
            f"update ({'; '.join(shown)}{more}): CloudFormation creates them in the new "
            "stack before the cleanup phase deletes them from the old one, so each would "
            "be taken and the update would roll back",
            f"keep {key} as deployed, or move the {items} in two deploys: {WAY_OUT[items]}",
        )
