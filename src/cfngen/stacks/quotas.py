"""Measure built templates against CloudFormation's and the ALB's quotas.

Counts are taken from the templates themselves (``Template.to_dict()`` data and the
rendered bytes), never estimated from the config, so they stay right whatever the
builders add. Each breach names the config key that makes the template grow, the
measured figure and the limit (:mod:`cfngen.config.limits`), and starts with that
key so the CLI can point at its line. :func:`breaches` is what validation and
generation call; :func:`usage` gives the raw figures (for tests, benchmarks and a
later sharding step that needs to know how full a template is).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cfngen.config import Config, limits, placement
from cfngen.contracts import MANAGED_BY_TAG, EcsAlbOut, Stack
from cfngen.stacks import ecs_blue_green

ROOT = "root"
TemplateData = Mapping[str, Any]

# The config key that makes each template grow (and that a breach points at).
DRIVERS: Mapping[str, str] = {
    ROOT: "ecr.repositories",  # the root re-exports every repository URI
    Stack.FILES[Stack.NETWORK]: "network.availability_zones",
    Stack.FILES[Stack.IAM]: "iam",
    Stack.FILES[Stack.ECR]: "ecr.repositories",
    Stack.FILES[Stack.ECS_ALB]: "ecs.services",
    Stack.FILES[Stack.EKS]: "eks",
}
# The sharded layouts' stacks (ecs-services-07, ecr-03) grow with the services or
# repositories hashed into them: fewer per stack takes more shards.
SHARD_DRIVERS = (
    ("ecs-services-", "ecs.shards"),
    ("ecr-", "ecr.shards"),
    (Stack.GROUP, "ecs.shards_per_operation"),  # a split platform's services-GG
)


def driver(name: str) -> str:
    """The config key that makes template ``name`` grow."""
    for prefix, key in SHARD_DRIVERS:
        if name.startswith(prefix):
            return key
    return DRIVERS.get(name, name)


@dataclass(frozen=True)
class Usage:
    """What one template uses of the per-template quotas."""

    name: str
    resources: int
    parameters: int
    outputs: int
    mappings: int
    size: int  # bytes of the largest rendering written (JSON or YAML)
    description: int  # bytes of the template Description
    most_tags: tuple[int, str]  # most tags on one resource, stack tags included; which one
    longest_id: str  # the longest logical ID among resources, parameters, outputs


def usage(name: str, data: TemplateData, size: int, stack_tags: frozenset[str]) -> Usage:
    """The figures of one template; ``stack_tags``: keys of the tags every stack carries."""
    ids = [*data.get("Resources", {}), *data.get("Parameters", {}), *data.get("Outputs", {})]
    tagged = [(len(stack_tags | _own_tags(r)), lid) for lid, r in data.get("Resources", {}).items()]
    return Usage(
        name=name,
        resources=len(data.get("Resources", {})),
        parameters=len(data.get("Parameters", {})),
        outputs=len(data.get("Outputs", {})),
        mappings=len(data.get("Mappings", {})),
        size=size,
        description=len(str(data.get("Description", "")).encode()),
        most_tags=max(tagged, default=(len(stack_tags), "")),
        longest_id=max(ids, key=len, default=""),
    )


def _tag_keys(tags: Any) -> frozenset[str]:
    if isinstance(tags, dict):
        return frozenset(map(str, tags))
    if isinstance(tags, list):
        return frozenset(str(t.get("Key")) for t in tags if isinstance(t, dict))
    return frozenset()


def _own_tags(resource: Mapping[str, Any]) -> frozenset[str]:
    """Keys of the tags set on the resource itself (Tags, or in TagSpecifications)."""
    props = resource.get("Properties", {})
    keys = _tag_keys(props.get("Tags"))
    data = props.get("LaunchTemplateData", {})
    for spec in (data.get("TagSpecifications") or []) if isinstance(data, dict) else []:
        keys |= _tag_keys(spec.get("Tags"))
    return keys


def stack_tag_keys(root: TemplateData) -> frozenset[str]:
    """Tags on every stack: the nested stacks' Tags plus the deployer's root stack tag.

    CloudFormation propagates stack tags to every resource it creates, so they count
    against each resource's 50 along with the resource's own tags (same key: one tag).
    """
    keys = {MANAGED_BY_TAG}
    for res in root.get("Resources", {}).values():
        keys |= _tag_keys(res.get("Properties", {}).get("Tags"))
    return frozenset(keys)


def breaches(
    cfg: Config,
    templates: Mapping[str, TemplateData],
    sizes: Mapping[str, int],
    operations: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Every quota the templates break, one message each, starting with a config key.

    ``templates`` maps a template name (``root``, ``network`` ...) to its data;
    ``sizes`` maps the same names to the byte size of their largest rendering;
    ``operations`` maps each top-level stack to the templates of its operation (itself
    first; default: one operation of them all).
    """
    out: list[str] = []
    stack_tags = stack_tag_keys(templates.get(ROOT, {}))
    uses = [usage(name, data, sizes.get(name, 0), stack_tags) for name, data in templates.items()]
    for use in uses:
        out.extend(_template_breaches(cfg, use))
    out.extend(_alb_breaches(cfg, templates))
    out.extend(_security_group_breaches(cfg, templates))
    out.extend(_tag_breaches(cfg, max(uses, key=lambda u: u.most_tags[0])))
    out.extend(_operation_breaches(cfg, uses, operations or {ROOT: list(templates)}))
    return out


def _operation_breaches(
    cfg: Config, uses: list[Usage], operations: Mapping[str, Sequence[str]]
) -> Iterator[str]:
    """At most 2,500 resources per top-level stack operation, nested stacks included."""
    by_name = {u.name: u for u in uses}
    limit = limits.RESOURCES_PER_OPERATION
    for top, names in operations.items():
        total = sum(by_name[n].resources for n in names if n in by_name)
        if total <= limit:
            continue
        what = (
            f"the {top} stack and its {len(names) - 1} nested stacks hold {total:,} resources; "
            f"one CloudFormation stack operation, nested stacks included, handles at most "
            f"{limit:,}"
        )
        if top != ROOT:
            yield (
                f"ecs.shards_per_operation: {what}: lower ecs.shards_per_operation (now "
                f"{cfg.ecs.shards_per_operation}) or raise ecs.shards (now {cfg.ecs.shards}) "
                "to put fewer services in each service group (this moves services between "
                "stacks, once)"
            )
        elif len(operations) > 1:
            biggest = max((by_name[n] for n in names if n in by_name), key=lambda u: u.resources)
            yield (
                f"{driver(biggest.name)}: {what} (the services are in their service groups "
                f"already; the largest is {biggest.name}, {biggest.resources:,})"
            )
        elif placement.ecs_sharded(cfg):
            yield (
                f"ecs.operations: {what}: ecs.operations: split (or auto) moves the "
                "ecs-services stacks into service-group top-level stacks"
            )
        else:
            yield (
                f"ecs.layout: {what}: ecs.layout: sharded with ecs.operations: auto spreads "
                "the services over service-group top-level stacks"
            )


def _units(cfg: Config, key: str) -> tuple[int, str]:
    if key == "ecs.services":
        return len(cfg.ecs.services), "services"
    if key == "ecr.repositories":
        return len(cfg.ecr.repositories), "repositories"
    return 0, ""


# What to do about a full template, by the key that drives it.
_ADVICE = {
    "ecs.services": " (or ecs.layout: sharded, which spreads services over stacks)",
    "ecr.repositories": " (or ecr.layout: sharded, which spreads repositories over stacks)",
    "ecs.shards": (
        ": raise ecs.shards (this moves services between stacks, once) or give the services "
        "fewer features"
    ),
    "ecr.shards": ": raise ecr.shards (this moves repositories between stacks, once)",
}


def _too_many(cfg: Config, use: Usage, what: str, count: int, limit: int) -> str:
    key = driver(use.name)
    units, noun = _units(cfg, key)
    fit = f"; about {units * limit // count} {noun} fit in one template" if units else ""
    per = f" for {units} {noun}" if units else ""
    return (
        f"{key}: the {use.name} template would have {count:,} {what}{per}; CloudFormation "
        f"allows at most {limit} {what} per template{fit}{_ADVICE.get(key, '')}"
    )


def _template_breaches(cfg: Config, use: Usage) -> Iterator[str]:
    key = driver(use.name)
    for what, count, limit in (
        ("resources", use.resources, limits.RESOURCES),
        ("parameters", use.parameters, limits.PARAMETERS),
        ("outputs", use.outputs, limits.OUTPUTS),
        ("mappings", use.mappings, limits.MAPPINGS),
    ):
        if count > limit:
            yield _too_many(cfg, use, what, count, limit)
    if use.size > limits.TEMPLATE_BYTES:
        yield (
            f"{key}: the {use.name} template would be {use.size:,} bytes; CloudFormation "
            f"accepts templates of at most {limits.TEMPLATE_BYTES:,} bytes (1 MB)"
        )
    if use.description > limits.DESCRIPTION_BYTES:
        yield (
            f"name: the {use.name} template's description would be {use.description:,} "
            f"bytes; CloudFormation allows at most {limits.DESCRIPTION_BYTES:,}"
        )
    if len(use.longest_id) > limits.LOGICAL_ID_CHARS:
        yield (
            f"{key}: the {use.name} template would have a logical ID of "
            f"{len(use.longest_id)} characters ({use.longest_id[:40]}...); CloudFormation "
            f"allows at most {limits.LOGICAL_ID_CHARS}"
        )


def _tag_breaches(cfg: Config, use: Usage) -> Iterator[str]:
    total, resource = use.most_tags
    if total > limits.TAGS_PER_RESOURCE:
        room = limits.TAGS_PER_RESOURCE - (total - len(cfg.tags))
        yield (
            f"tags: {len(cfg.tags)} tags are too many: with the tags cfngen adds, resource "
            f"{resource} of the {use.name} template would carry {total}; AWS allows "
            f"{limits.TAGS_PER_RESOURCE} per resource, so give at most {max(room, 0)}"
        )


def _ref(value: Any) -> str:
    return str(value.get("Ref", "")) if isinstance(value, dict) else ""


def _alb_breaches(cfg: Config, templates: Mapping[str, TemplateData]) -> Iterator[str]:
    """Listener rules per listener, target groups per ALB, condition values per rule,
    counted over every template: a sharded listener's rules are in many, where it is the
    parameter they receive it by (the same name in every shard)."""
    sharded = placement.ecs_sharded(cfg)
    key = "alb.count" if sharded else "ecs.services"
    # A listener received as a parameter -> its load balancer's (production) listener
    # parameter, which names that load balancer below: a test listener's rules forward to
    # the same groups, on the same load balancer.
    tests = [
        (lb, port)
        for lb in placement.load_balancer_names(cfg)
        for port in ecs_blue_green.test_ports(cfg, lb)
    ]
    lb_of = {EcsAlbOut.test_listener_arn(lb, p): EcsAlbOut.listener_arn(lb) for lb, p in tests}
    groups: dict[str, set[str]] = defaultdict(set)  # ALB -> target groups it forwards to
    rules: dict[str, list[tuple[str, Any]]] = defaultdict(list)  # listener -> rules
    for name, data in templates.items():
        resources = data.get("Resources", {})
        listeners = {
            lid: _ref(r["Properties"].get("LoadBalancerArn"))
            for lid, r in resources.items()
            if r.get("Type") == "AWS::ElasticLoadBalancingV2::Listener"
        }
        for lid, alb in listeners.items():
            for action in resources[lid]["Properties"].get("DefaultActions", []):
                groups[f"load balancer {alb} of the {name} template"].add(
                    _ref(action.get("TargetGroupArn"))
                )
        for lid, res in resources.items():
            if res.get("Type") != "AWS::ElasticLoadBalancingV2::ListenerRule":
                continue
            props = res["Properties"]
            listener = _ref(props.get("ListenerArn"))
            alb = listeners.get(listener, lb_of.get(listener, listener))
            if listener in listeners:  # else a parameter: the same listener in every shard
                listener = f"listener {listener} of the {name} template"
                alb = f"load balancer {alb} of the {name} template"
            rules[listener].append((lid, props.get("Priority")))
            for action in props.get("Actions", []):
                groups[alb] |= {f"{name}:{group}" for group in _forwards_to(action)}
            values = sum(
                len(cond.get(config, {}).get("Values", []))
                for cond in props.get("Conditions", [])
                for config in cond
                if config.endswith("Config")
            )
            if values > limits.CONDITION_VALUES_PER_RULE:
                yield (
                    f"{driver(name)}: listener rule {lid} of the {name} template has {values} "
                    f"condition values; an ALB rule takes at most "
                    f"{limits.CONDITION_VALUES_PER_RULE}"
                )
    advice = (
        ": raise alb.count (this moves about 1/count of the services, once) or place services "
        "on alb.load_balancers with ecs.services[].load_balancer"
        if sharded
        else " (ecs.layout: sharded with alb.count spreads services over load balancers)"
    )
    named = {
        EcsAlbOut.listener_arn(lb): f"load balancer {lb}"
        for lb in placement.load_balancer_names(cfg)
    }
    of_lb = {ref: f"the listener of {lb}" for ref, lb in named.items()} | {
        EcsAlbOut.test_listener_arn(lb, port): f"the test listener {port} of load balancer {lb}"
        for lb, port in tests
    }
    for listener, entries in rules.items():
        if len(entries) > limits.RULES_PER_LISTENER:
            yield (
                f"{key}: {len(entries)} listener rules on {of_lb.get(listener, listener)}; an ALB "
                f"listener takes at most {limits.RULES_PER_LISTENER} (the default action not "
                f"counted){advice}"
            )
        priorities = [p for _, p in entries]
        for prio in sorted({p for p in priorities if priorities.count(p) > 1}, key=str):
            yield (
                f"{key}: listener rule priority {prio} is used twice on "
                f"{of_lb.get(listener, listener)}"
            )
    for alb, tgs in groups.items():
        tgs.discard("")
        tgs.discard(":")
        if len(tgs) > limits.TARGET_GROUPS_PER_ALB:
            yield (
                f"{key}: {named.get(alb, alb)} would forward to {len(tgs)} target groups; "
                f"an ALB takes at most {limits.TARGET_GROUPS_PER_ALB}{advice}"
            )


def _forwards_to(action: Mapping[str, Any]) -> set[str]:
    """The target groups a rule action forwards to: one, or a weighted list (blue/green
    lists its primary and alternate groups, and both count against the ALB's quota)."""
    weighted = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    found = {_ref(action.get("TargetGroupArn"))} | {_ref(g.get("TargetGroupArn")) for g in weighted}
    return found - {""}


_RULE_TYPES = {
    "AWS::EC2::SecurityGroupIngress": "inbound",
    "AWS::EC2::SecurityGroupEgress": "outbound",
}


def _rule_counts(templates: Mapping[str, TemplateData]) -> dict[tuple[str, str, str], int]:
    """(template, group, direction) -> rules, inline and as separate resources; a group
    received as a parameter counts once over every template that adds to it."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for name, data in templates.items():
        resources = data.get("Resources", {})
        for lid, res in resources.items():
            props = res.get("Properties", {})
            if res.get("Type") == "AWS::EC2::SecurityGroup":
                for key, direction in (
                    ("SecurityGroupIngress", "inbound"),
                    ("SecurityGroupEgress", "outbound"),
                ):
                    rules = props.get(key) or []
                    counts[(name, lid, direction)] += len(rules) if isinstance(rules, list) else 0
            elif res.get("Type") in _RULE_TYPES:
                group = _ref(props.get("GroupId"))
                where = name if group in resources else ""
                counts[(where, group, _RULE_TYPES[res["Type"]])] += 1
    return counts


def _security_group_breaches(cfg: Config, templates: Mapping[str, TemplateData]) -> Iterator[str]:
    """Rules per security group and direction (60 each, default quota)."""
    limit = limits.SECURITY_GROUP_RULES
    for (name, group, direction), count in sorted(_rule_counts(templates).items()):
        if count <= limit:
            continue
        where = (
            f"security group {group} of the {name} template" if name else f"security group {group}"
        )
        if group.endswith("LoadBalancerSecurityGroup") and direction == "inbound":
            key, advice = "alb.ingress_cidrs", ": list fewer CIDRs"
        elif group.endswith("LoadBalancerSecurityGroup"):
            key = "ecs.services"
            advice = " (one per service: ecs.layout: sharded has one per container port)"
        else:
            key, advice = driver(name) if name else "ecs.services", ""
        yield (
            f"{key}: {where} would have {count} {direction} rules; a security group takes at "
            f"most {limit} {direction} rules (default quota){advice}"
        )
