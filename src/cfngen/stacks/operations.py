"""Top-level stacks: the CloudFormation operations a platform deploys as, in order.

One stack operation (a stack with its nested stacks) handles at most 2,500 resources.
A platform is one operation, ``root``, until ``ecs.operations`` splits it: then root
keeps network, iam, ecr(-NN), ecs-alb and eks, and the ecs-services-NN shards go into
service-group stacks ``services-GG`` (``ecs.shards_per_operation`` shards each), each a
top-level stack of its own, deployed after root with root's outputs as parameters.

A service's group is a function of its shard (a hash of its name and ``ecs.shards``)
and ``ecs.shards_per_operation`` only, so services coming and going never move another.
``auto`` splits when the built templates hold more than one operation takes: crossing
that line moves every service once (out of root into the groups), like ``ecs.layout:
auto`` does. Pure: no I/O; the deployer reads :func:`top_level` for its plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from troposphere import Template

from cfngen.config import Config, limits, placement
from cfngen.contracts import EcrOut, Stack
from cfngen.stacks import ecr, root

ROOT = "root"


@dataclass(frozen=True)
class TopLevel:
    """One top-level stack: what to deploy, under which name, after what, with which inputs."""

    key: str  # "root" or "services-01": the template file stem
    stack_suffix: str  # "" for root, "-services-01": stack name = cfg.stack_name + suffix
    after: tuple[str, ...]  # keys deployed first: () for root, ("root",) for groups
    inputs: Mapping[str, str]  # parameter name -> root output name it takes (the same)


@dataclass(frozen=True)
class Split:
    """The nested templates of a platform divided between its top-level stacks."""

    root: Mapping[str, Template]  # logical ID -> template nested under root
    groups: Mapping[str, Mapping[str, Template]] = field(default_factory=dict)
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group -> root outputs

    def root_outputs(self) -> tuple[str, ...]:
        """Every root output some group takes, sorted."""
        return tuple(sorted({name for names in self.inputs.values() for name in names}))


def operation_resources(children: Mapping[str, Template]) -> int:
    """Resources of one operation of root holding ``children``: theirs plus one stack each."""
    return sum(len(t.resources) for t in children.values()) + len(children)


def is_split(cfg: Config, children: Mapping[str, Template]) -> bool:
    """True if the services go into service-group top-level stacks."""
    if not placement.ecs_sharded(cfg) or cfg.ecs.operations == "single":
        return False
    if cfg.ecs.operations == "split":
        return True
    return operation_resources(children) > limits.RESOURCES_PER_OPERATION


def flip_warning(cfg: Config, resources: int) -> str | None:
    """``ecs.operations: auto`` close to switching, for a platform of ``resources`` in one
    operation (:func:`operation_resources`); None when it is not."""
    limit = limits.RESOURCES_PER_OPERATION
    if cfg.ecs.operations != "auto" or not placement.ecs_sharded(cfg):
        return None
    if not placement.near(resources, limit):
        return None
    now, other = ("split", "single") if resources > limit else ("single", "split")
    return (
        f"ecs.operations: auto makes this platform of {resources:,} resources {now}, and "
        f"{other} {'at' if now == 'split' else 'above'} {limit:,}: crossing that line moves "
        f"every service once between the root and the service-group stacks (a "
        f"replacement); write ecs.operations: {now} (or {other}) to keep the choice"
    )


def repository_uris(cfg: Config) -> dict[str, str]:
    """Repository URI parameter name -> the URI as an ``Fn::Sub`` string.

    A group computes the URIs its services pull from rather than taking them from root:
    root may not output 300 of them (200 outputs per template), and the repository name
    is fixed by the config (the repository exists: the group is deployed after root).
    """
    return {
        EcrOut.repository_uri(repo.name): (
            "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/"
            + ecr.repository_name(cfg, repo)
        )
        for repo in cfg.ecr.repositories
    }


def _inputs(
    shards: Mapping[str, Template], nested: Mapping[str, Template], computed: Mapping[str, str]
) -> tuple[str, ...]:
    """The root outputs a group's shards take: every parameter a root child outputs."""
    produced = {name for t in nested.values() for name in t.outputs}
    return tuple(
        sorted(
            {
                name
                for t in shards.values()
                for name in t.parameters
                if name in produced and name not in computed
            }
        )
    )


def split(cfg: Config, children: Mapping[str, Template]) -> Split:
    """Divide the nested templates (:func:`cfngen.stacks.root.build_children`)."""
    if not is_split(cfg, children):
        return Split(root=dict(children))
    grouped: dict[str, dict[str, Template]] = {}
    for lid, tmpl in children.items():
        number = Stack.ecs_shard_number(lid)
        if number is not None:
            key = Stack.group(placement.operation_group(number, cfg.ecs.shards_per_operation))
            grouped.setdefault(key, {})[lid] = tmpl
    nested = {lid: t for lid, t in children.items() if Stack.ecs_shard_number(lid) is None}
    computed = repository_uris(cfg)
    groups = dict(sorted(grouped.items()))
    inputs = {key: _inputs(shards, nested, computed) for key, shards in groups.items()}
    return Split(root=nested, groups=groups, inputs=inputs)


def plan(parts: Split) -> list[TopLevel]:
    """The top-level stacks of a divided platform, in deploy order."""
    tops = [TopLevel(ROOT, "", (), {})]
    tops += [
        TopLevel(key, f"-{key}", (ROOT,), {name: name for name in parts.inputs[key]})
        for key in parts.groups
    ]
    return tops


def top_level(cfg: Config, children: Mapping[str, Template] | None = None) -> list[TopLevel]:
    """The top-level stacks of ``cfg`` in deploy order: ``[root]`` alone when not split.

    ``children``: the nested templates when the caller has built them already (building
    them is most of a generate's time).
    """
    if not placement.ecs_sharded(cfg) or cfg.ecs.operations == "single":
        return [TopLevel(ROOT, "", (), {})]
    if children is None:
        children = root.build_children(cfg)
    return plan(split(cfg, children))
