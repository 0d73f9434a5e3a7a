"""Root stack: the nested stacks, wired to each other by output/parameter name.

A child's Parameter named like another child's Output receives that output via
``Fn::GetAtt <Producer>.Outputs.<Name>``; that reference is also what orders the
stacks (network, iam and ecr start together; ecs-alb and eks after them).
A parameter nobody produces must have a Default, else building fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from troposphere import GetAtt, Tags, Template
from troposphere.cloudformation import Stack as NestedStack

from cfngen.config import Config, placement
from cfngen.contracts import EcrOut, RootOut, Stack
from cfngen.stacks import console, ecr, ecs_alb, ecs_albs, ecs_shard, eks, iam, network
from cfngen.stacks.common import add_output, new_template

# The one line per stack: logical ID -> builder.  Order is the order in the template.
CHILDREN: Mapping[str, Callable[[Config], Template]] = {
    Stack.NETWORK: network.build,
    Stack.IAM: iam.build,
    Stack.ECR: ecr.build,
    Stack.ECS_ALB: ecs_alb.build,
    Stack.EKS: eks.build,
}
# Stacks a config can switch off: logical ID -> whether this config has it.
OPTIONAL: Mapping[str, Callable[[Config], bool]] = {
    Stack.EKS: lambda cfg: cfg.eks.enabled,
}


# cfn-lint W3002 says a relative TemplateURL needs `package`; that is the design (and it is
# what lets cfn-lint check the nested parameters, E3043), so it is silenced per resource.
PACKAGE_ONLY_WARNING = "W3002"


def _producer(children: Mapping[str, Template], output: str) -> str:
    return next(lid for lid, t in children.items() if output in t.outputs)


class WiringError(Exception):
    """A child parameter that no stack produces and that has no default."""


def included(cfg: Config) -> list[str]:
    """Logical IDs of the nested stacks this config has, in template order."""
    return [lid for lid in CHILDREN if lid not in OPTIONAL or OPTIONAL[lid](cfg)]


def build_children(cfg: Config) -> dict[str, Template]:
    """Every nested template by logical ID; in the sharded layouts the ecr-NN stacks stand
    in for ecr, and the ecs-services-NN stacks follow ecs-alb."""
    out: dict[str, Template] = {}
    for lid in included(cfg):
        if lid == Stack.ECR and placement.ecr_sharded(cfg):
            for number, names in placement.repository_shards(cfg).items():
                out[Stack.ecr_shard(number)] = console.add_interface(ecr.build(cfg, names))
            continue
        if lid == Stack.ECS_ALB and placement.ecs_sharded(cfg):
            out[lid] = console.add_interface(ecs_albs.build(cfg))
            for number, services in placement.service_shards(cfg).items():
                shard = ecs_shard.build(cfg, number, services)
                out[Stack.ecs_shard(number)] = console.add_interface(shard)
            continue
        out[lid] = console.add_interface(CHILDREN[lid](cfg))
    return out


def _summary(children: Mapping[str, Template]) -> str:
    """The stacks named in the root's description; shards counted, not listed."""
    names = [Stack.file(lid) for lid in children if lid in Stack.FILES]
    for prefix, what in ((Stack.ECR_SHARD, "ecr"), (Stack.ECS_SHARD, "ecs-services")):
        count = sum(1 for lid in children if lid not in Stack.FILES and lid.startswith(prefix))
        if count:
            names.append(f"{count} {what} stacks")
    return ", ".join(names)


def wiring(children: Mapping[str, Template]) -> dict[str, dict[str, str]]:
    """child logical ID -> {parameter name: producing child logical ID}."""
    producers: dict[str, str] = {}
    for lid, tmpl in children.items():
        for out in tmpl.outputs:
            if out in producers:
                raise WiringError(f"output {out} is produced by both {producers[out]} and {lid}")
            producers[out] = lid
    result: dict[str, dict[str, str]] = {}
    for lid, tmpl in children.items():
        wired: dict[str, str] = {}
        for name, param in tmpl.parameters.items():
            if name in producers and producers[name] != lid:
                wired[name] = producers[name]
            elif "Default" not in param.properties:
                raise WiringError(f"{lid} needs parameter {name} but no stack outputs it")
        result[lid] = wired
    return result


def stack_tags(cfg: Config) -> Tags:
    """Tags on each nested stack; CloudFormation propagates them to the stack's resources."""
    tags = {"cfngen:name": cfg.name, "cfngen:environment": cfg.environment, **cfg.tags}
    return Tags(**dict(sorted(tags.items())))


def nested_stack(cfg: Config, lid: str, ext: str) -> NestedStack:
    """The stack resource nesting child ``lid`` (root's children, a service group's shards)."""
    return NestedStack(
        lid,
        # Relative on purpose: `cfngen package` / `aws cloudformation package` upload it.
        Metadata={"cfn-lint": {"config": {"ignore_checks": [PACKAGE_ONLY_WARNING]}}},
        TemplateURL=f"{Stack.file(lid)}.{ext}",
        Tags=stack_tags(cfg),
        # Stated, not left to the default: a child stack goes with its parent; what must
        # outlive a destroy is kept inside the child (the retain.* settings).
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )


def build(
    cfg: Config,
    ext: str = "yaml",
    children: Mapping[str, Template] | None = None,
    groups: Mapping[str, Collection[str]] | None = None,
) -> Template:
    """The root template; ``ext`` picks which rendering of the children TemplateURL names.

    ``groups`` (a split platform, :mod:`cfngen.stacks.operations`): service group -> the
    children's outputs it takes, which root then outputs too.
    """
    children = children if children is not None else build_children(cfg)
    summary = _summary(children)
    if groups:
        summary += f"; services in {len(groups)} top-level stacks deployed after it"
    t = new_template(cfg, f"root stack ({summary})")
    for lid, params in wiring(children).items():
        nested = nested_stack(cfg, lid, ext)
        if params:
            nested.Parameters = {
                name: GetAtt(producer, f"Outputs.{name}")
                for name, producer in sorted(params.items())
            }
        t.add_resource(nested)
    exported = [(p, name) for p, name in RootOut.FROM_CHILDREN if p in children] + [
        (_producer(children, EcrOut.repository_uri(r.name)), EcrOut.repository_uri(r.name))
        for r in cfg.ecr.repositories
        if not placement.ecr_sharded(cfg) or r.name == cfg.kubernetes.image
    ]
    taken = {name for names in (groups or {}).values() for name in names}
    exported += [(_producer(children, n), n) for n in sorted(taken - {n for _, n in exported})]
    for producer, name in exported:
        description = children[producer].outputs[name].properties.get("Description", name)
        add_output(t, name, GetAtt(producer, f"Outputs.{name}"), description)
    return t
