"""A service group of a split platform: the top-level stack ``services-GG``.

It nests its ecs-services-NN shards exactly as root nests its children (relative
TemplateURL, stack tags, stated deletion policy) and passes each shard what it needs:
the values root outputs (network, IAM roles, cluster, each load balancer), received as
parameters named like those outputs, and the repository URIs, computed from the
repository names (:func:`cfngen.stacks.operations.repository_uris`). Which shards a
group holds, and which inputs it takes, is :mod:`cfngen.stacks.operations`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from troposphere import Join, Parameter, Ref, Sub, Template

from cfngen.config import Config
from cfngen.stacks import console, operations, root
from cfngen.stacks.common import add_parameter, new_template


def _declared(shards: Mapping[str, Template], name: str) -> tuple[str, str]:
    """Type and description of parameter ``name`` as the shards declare it."""
    param = next(t.parameters[name] for t in shards.values() if name in t.parameters)
    return str(param.properties["Type"]), str(param.properties.get("Description", name))


def _passed(param: Parameter) -> object:
    """A group parameter as a nested stack's parameter value: a string, so a list
    parameter (the subnets) is joined with commas, as CloudFormation requires."""
    if str(param.properties["Type"]).startswith(("List<", "CommaDelimitedList")):
        return Join(",", Ref(param))
    return Ref(param)


def build(
    cfg: Config, key: str, shards: Mapping[str, Template], inputs: Collection[str], ext: str
) -> Template:
    """The template of group ``key`` nesting ``shards``; ``inputs``: root outputs it takes."""
    t = new_template(
        cfg,
        f"ECS services group {key} ({len(shards)} ecs-services stacks), deployed after "
        f"the root stack {cfg.stack_name} with its outputs as parameters",
    )
    params = {name: add_parameter(t, name, *_declared(shards, name)) for name in sorted(inputs)}
    uris = operations.repository_uris(cfg)
    for lid, shard in shards.items():
        nested = root.nested_stack(cfg, lid, ext)
        values: dict[str, Any] = {}
        for name, param in sorted(shard.parameters.items()):
            if name in params:
                values[name] = _passed(params[name])
            elif name in uris:
                values[name] = Sub(uris[name])
            elif "Default" not in param.properties:
                raise root.WiringError(f"{lid} of {key} needs parameter {name}; nothing gives it")
        if values:
            nested.Parameters = values
        t.add_resource(nested)
    return console.add_interface(t)
