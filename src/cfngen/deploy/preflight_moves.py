"""Preflight for moves: a named resource must not change nested stack in one update.

A split platform's service groups run at once, so a named resource must not move from
one group to another either (:func:`between_top_level`; a group the plan deletes goes
first, and the root runs before the groups, so what leaves those moves safely).

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
from cfngen.preview.templates import ROOT, TemplateSet

RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
SHOWN = 4  # moved items named in a finding; the rest are counted


@dataclass(frozen=True)
class Place:
    stack: str  # the nested stack's path in the tree (``EcsServices01``)
    label: str  # as cfngen's files name it (``ecs-services-01``)
    what: str  # "LogGroup /ecs/..." or "BravoListenerRule (priority 7 on MainListener)"
    top: str = ROOT  # the top-level stack it is deployed with (``services-01``)


def _identities(ts: TemplateSet) -> dict[str, Place]:
    """Each fixed identity of the tree -> where it is declared."""
    out: dict[str, Place] = {}
    for kind in NAMED:
        for res in ts.resources(kind.rtype):
            name = ts.resolve(res.stack, res.properties.get(kind.prop))
            if isinstance(name, str):
                what = f"{kind.rtype.rsplit('::', 1)[1]} {name}"
                out[f"{kind.rtype}|{name}"] = Place(
                    res.stack, ts.label(res.stack), what, ts.owner(res.stack)
                )
    for res in ts.resources(RULE):
        listener = ts.resolve(res.stack, res.properties.get("ListenerArn"))
        priority = res.properties.get("Priority")
        if listener is None or not isinstance(priority, int):
            continue
        shown = getattr(listener, "logical_id", listener)
        out[f"{RULE}|{json.dumps(listener, default=repr)}|{priority}"] = Place(
            res.stack,
            ts.label(res.stack),
            f"{res.logical_id} (priority {priority} on {shown})",
            ts.owner(res.stack),
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
    """The config key whose change moved it: the shard count, the shards per service
    group (the same shard in another top-level stack), or the layout."""
    b, a = before.stack.rsplit("/", 1)[-1], after.stack.rsplit("/", 1)[-1]
    section = "ecr" if b.startswith("Ecr") or a.startswith("Ecr") else "ecs"
    if not (SHARD.match(b) and SHARD.match(a)):
        return f"{section}.layout"
    return f"{section}.shards" if b != a else "ecs.shards_per_operation"


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
    yield from _findings(moves(deployed, _new_tree(ctx)))


def between_top_level(
    cfn: Any, region: str, live: Mapping[str, str], files: Mapping[str, bytes]
) -> list[Finding]:
    """A split platform's moves out of a service-group stack: to another group (the two
    run at once), within it (as for the root's nested stacks), or to the root.

    ``live``: top-level key -> stack id of the root and of each group the plan keeps (a
    group the plan deletes goes first, so what leaves it moves safely; so does what
    leaves the root, which runs before the groups).
    """
    if ROOT not in live:
        return []
    trees = {k: deployed_templates(cfn, sid, region) for k, sid in live.items()}
    root = trees.pop(ROOT)
    if root is None or any(t is None for t in trees.values()):
        return []  # the root's own check says it could not read the tree
    deployed = TemplateSet.joined(root, {k: t for k, t in trees.items() if t is not None})
    return top_level_findings(deployed, TemplateSet.platform(files, region))


def top_level_findings(deployed: TemplateSet, new: TemplateSet) -> list[Finding]:
    """The moves out of a group stack between two whole platforms (joined trees)."""
    found = {
        key: [(b, a) for b, a in pairs if b.top != ROOT]
        for key, pairs in moves(deployed, new).items()
    }
    return list(_findings({k: v for k, v in found.items() if v}))


def _findings(by_key: Mapping[str, list[tuple[Place, Place]]]) -> Iterator[Finding]:
    for key, moved_ in sorted(by_key.items()):
        shown = [f"{b.what} {b.label} -> {a.label}" for b, a in moved_[:SHOWN]]
        more = f", and {len(moved_) - SHOWN} more" if len(moved_) > SHOWN else ""
        items = "repositories" if key.startswith("ecr") else "services"
        across = any(b.top != a.top for b, a in moved_)
        where = "between top-level stacks" if across else "between nested stacks in one update"
        why = (
            "the two stacks run at once, and the new one creates them while the old one "
            "still holds them"
            if across
            else "CloudFormation creates them in the new stack before the cleanup phase "
            "deletes them from the old one"
        )
        yield Finding(
            key,
            f"{len(moved_)} fixed name{'s' if len(moved_) != 1 else ''} or priorit"
            f"{'ies' if len(moved_) != 1 else 'y'} would move {where} "
            f"({'; '.join(shown)}{more}): {why}, so each would be taken and the update "
            "would roll back",
            f"keep {key} as deployed, or move the {items} in two deploys: {WAY_OUT[items]}",
        )
