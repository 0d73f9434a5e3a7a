"""How long a deploy takes: the critical path through the nested stacks, in seconds.

Each resource takes a typical time for its type (:data:`TYPICAL_SECONDS`, a documented
table) or, when cfngen has timed this account's own deploys, the median of those
timings. A resource starts when everything it depends on is done: ``DependsOn``,
``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` within its template, and for a nested stack
whatever its ``Parameters`` read from its siblings; a nested stack is done when its
longest chain inside is. CloudFormation creates independent resources in parallel, so
the deploy takes as long as the longest chain, not the sum.

For an update only the resources in the change set cost time (their type's time, a
simplification: many updates are quicker than a create, a few, like an EKS version
upgrade, are slower). During the deploy :func:`projected_finish` re-plans with what has
actually finished, which gives the ETA printed next to the elapsed time.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cfngen.preview.templates import NESTED_TYPE, ROOT, TemplateSet

Key = tuple[str, str]  # (stack path, logical id); the nested stack itself is (parent, lid)

# Typical creation times in seconds. Sources: the EKS user guide (a cluster takes about
# 10 minutes, "several minutes" for a managed node group), the VPC user guide (a NAT
# gateway is usable after it reaches "available", typically 1-2 minutes), Elastic Load
# Balancing (an ALB provisions in about 3 minutes), ECS (CloudFormation waits for the
# service to reach a steady state; with the circuit breaker, 1-3 minutes for healthy
# tasks), and CloudFormation's own events for the rest. Refined per account from
# recorded deploys (see cfngen.deploy.timings).
TYPICAL_SECONDS: Final[Mapping[str, float]] = {
    "AWS::EKS::Cluster": 660.0,
    "AWS::EKS::Nodegroup": 240.0,
    "AWS::EKS::Addon": 60.0,
    "AWS::EKS::AccessEntry": 10.0,
    "AWS::EC2::NatGateway": 120.0,
    "AWS::EC2::EIP": 10.0,
    "AWS::EC2::VPC": 15.0,
    "AWS::EC2::Subnet": 10.0,
    "AWS::EC2::InternetGateway": 15.0,
    "AWS::EC2::VPCGatewayAttachment": 15.0,
    "AWS::EC2::RouteTable": 10.0,
    "AWS::EC2::Route": 5.0,
    "AWS::EC2::SubnetRouteTableAssociation": 5.0,
    "AWS::EC2::SecurityGroup": 10.0,
    "AWS::EC2::SecurityGroupIngress": 5.0,
    "AWS::EC2::SecurityGroupEgress": 5.0,
    "AWS::EC2::VPCEndpoint": 15.0,
    "AWS::EC2::FlowLog": 10.0,
    "AWS::EC2::LaunchTemplate": 5.0,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": 180.0,
    "AWS::ElasticLoadBalancingV2::TargetGroup": 15.0,
    "AWS::ElasticLoadBalancingV2::Listener": 5.0,
    "AWS::ElasticLoadBalancingV2::ListenerRule": 5.0,
    "AWS::ECS::Cluster": 10.0,
    "AWS::ECS::TaskDefinition": 5.0,
    "AWS::ECS::Service": 120.0,
    "AWS::ApplicationAutoScaling::ScalableTarget": 10.0,
    "AWS::ApplicationAutoScaling::ScalingPolicy": 5.0,
    "AWS::IAM::Role": 20.0,
    "AWS::IAM::OIDCProvider": 5.0,
    "AWS::ECR::Repository": 5.0,
    "AWS::KMS::Key": 30.0,
    "AWS::Logs::LogGroup": 5.0,
    "AWS::S3::Bucket": 25.0,
    "AWS::S3::BucketPolicy": 5.0,
    "AWS::Lambda::Function": 15.0,
    "AWS::CloudFormation::CustomResource": 30.0,
}
DEFAULT_SECONDS: Final = 15.0  # a type not in the table
NESTED_OVERHEAD: Final = 10.0  # a nested stack's own create/complete bookkeeping


@dataclass(frozen=True)
class Step:
    key: Key
    type: str
    seconds: float
    start: float
    finish: float


@dataclass(frozen=True)
class Plan:
    """Start and finish of every resource, if nothing ran late."""

    steps: Mapping[Key, Step]
    total: float
    critical: tuple[Step, ...]  # the longest chain, outermost first
    deps: Mapping[Key, tuple[Key, ...]]
    measured: frozenset[str]  # types timed from this account's deploys


def typical(history: Mapping[str, Sequence[float]] | None = None) -> Callable[[str], float]:
    """Seconds per type: the median of recorded timings when there are any, else the table."""
    medians = {t: statistics.median(v) for t, v in (history or {}).items() if v}

    def seconds(rtype: str) -> float:
        if rtype in medians:
            return float(medians[rtype])
        return TYPICAL_SECONDS.get(rtype, DEFAULT_SECONDS)

    return seconds


def references(value: Any) -> Iterator[str]:
    """Logical names an expression refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    if isinstance(value, list):
        for v in value:
            yield from references(v)
    elif isinstance(value, Mapping):
        for fn, arg in value.items():
            if fn == "Ref" and isinstance(arg, str):
                yield arg
            elif fn == "Fn::GetAtt":
                yield str(arg[0] if isinstance(arg, list) else str(arg).split(".")[0])
            elif fn == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) else arg
                yield from re.findall(r"\$\{([A-Za-z0-9:]+)", str(text))
                if isinstance(arg, list) and len(arg) > 1:
                    yield from references(arg[1])
            else:
                yield from references(arg)


def dependencies(ts: TemplateSet) -> dict[Key, tuple[Key, ...]]:
    """Every resource's direct prerequisites within its own template."""
    out: dict[Key, tuple[Key, ...]] = {}
    for path, stack in ts.stacks.items():
        names = set(dict(stack.body.get("Resources") or {}))
        for res in stack.resources():
            raw = dict(stack.body["Resources"][res.logical_id])
            found = set(res.depends_on) | set(references(raw.get("Properties") or {}))
            out[(path, res.logical_id)] = tuple(sorted((path, n) for n in found & names))
    return out


def plan(
    ts: TemplateSet,
    seconds: Callable[[str], float],
    changed: set[Key] | None = None,
    measured: frozenset[str] = frozenset(),
) -> Plan:
    """Critical path of a create (``changed`` None) or of an update touching ``changed``."""
    deps = dependencies(ts)
    steps: dict[Key, Step] = {}

    def run(path: str, start: float) -> float:
        finish_all = start
        for res in ts.stacks[path].resources():
            finish_all = max(finish_all, visit((path, res.logical_id), start))
        return finish_all

    def visit(key: Key, stack_start: float) -> float:
        if key in steps:
            return steps[key].finish
        path, lid = key
        begin = max([visit(d, stack_start) for d in deps.get(key, ())], default=stack_start)
        rtype = ts.stacks[path].body["Resources"][lid].get("Type", "")
        child = lid if path == ROOT else f"{path}/{lid}"
        if rtype == NESTED_TYPE and child in ts.stacks:
            inner = run(child, begin + NESTED_OVERHEAD / 2)
            touched = changed is None or any(
                k[0] == child or k[0].startswith(child + "/") for k in changed
            )
            end = inner + NESTED_OVERHEAD / 2 if touched else begin
        elif changed is None or key in changed:
            end = begin + seconds(str(rtype))
        else:
            end = begin
        steps[key] = Step(key, str(rtype), end - begin, begin, end)
        return end

    total = run(ROOT, 0.0)
    return Plan(steps, total, _critical(steps, deps, total), deps, measured)


def _critical(
    steps: Mapping[Key, Step], deps: Mapping[Key, tuple[Key, ...]], total: float
) -> tuple[Step, ...]:
    """The chain of leaf resources that ends last, earliest first.

    Only resources the operation works on count: in an update, an unchanged resource of a
    stack that waits for a changed one "ends" as late as that one, in no time.
    """
    leaves = [s for s in steps.values() if s.type != NESTED_TYPE and s.seconds > 0]
    if not leaves:
        return ()
    last = max(leaves, key=lambda s: (s.finish, s.key))
    chain = [last]
    while True:
        current = chain[-1]
        before = [
            steps[d] for d in _upstream(current.key, steps, deps) if steps[d].type != NESTED_TYPE
        ]
        # the prerequisite that finished last is the one this resource waited for
        candidates = [s for s in before if s.seconds > 0 and s.finish <= current.start + 1e-6]
        if not candidates:
            break
        chain.append(max(candidates, key=lambda s: (s.finish, s.key)))
    return tuple(reversed(chain))


def _upstream(
    key: Key, steps: Mapping[Key, Step], deps: Mapping[Key, tuple[Key, ...]]
) -> list[Key]:
    """Direct prerequisites, and for the first resources of a nested stack the resources
    of the sibling stacks that nested stack waited for."""
    direct = list(deps.get(key, ()))
    path = key[0]
    if direct or path == ROOT:
        return direct
    parent, _, lid = path.rpartition("/")
    nested_key = (parent or ROOT, lid)
    out: list[Key] = []
    for dep in deps.get(nested_key, ()):
        child = dep[1] if dep[0] == ROOT else f"{dep[0]}/{dep[1]}"
        out += [k for k in steps if k[0] == child] if steps[dep].type == NESTED_TYPE else [dep]
    return out


def projected_finish(
    p: Plan, done: Mapping[Key, float], started: Mapping[Key, float], now: float
) -> float:
    """When the deploy will end, in seconds since it began, given what had finished (and
    started) by ``now``: the plan re-run with actual times; nothing unfinished ends before
    ``now``."""
    memo: dict[Key, float] = {}

    def stack_start(path: str) -> float:
        if path == ROOT:
            return 0.0
        parent, _, lid = path.rpartition("/")
        return begin_of((parent or ROOT, lid)) + NESTED_OVERHEAD / 2

    def begin_of(key: Key) -> float:
        begin = max([finish(d) for d in p.deps.get(key, ())], default=stack_start(key[0]))
        return max(begin, started.get(key, begin))

    def finish(key: Key) -> float:
        if key not in memo:
            memo[key] = done[key] if key in done else _unfinished(key)
        return memo[key]

    def _unfinished(key: Key) -> float:
        step, begin = p.steps[key], begin_of(key)
        if step.seconds <= 0:
            return begin
        if step.type == NESTED_TYPE:
            path, lid = key
            child = lid if path == ROOT else f"{path}/{lid}"
            inner = [finish(k) for k in p.steps if k[0] == child]
            return max([begin, *inner]) + NESTED_OVERHEAD / 2
        return max(begin + step.seconds, now)

    return max([now, *(finish(k) for k in p.steps)])


def minutes(seconds: float) -> str:
    """``~14 min`` / ``~40 s``: estimates are rounded, never pretend to be exact."""
    if seconds < 90:
        return f"~{max(5, round(seconds / 5) * 5):.0f} s"
    return f"~{round(seconds / 60):.0f} min"


def source(measured: frozenset[str]) -> str:
    """Where the times come from: the table, and how many types this account timed."""
    text = "typical times per resource type"
    if measured:
        text += f", {len(measured)} type(s) from this account's recorded deploys"
    return text


def chain(p: Plan, label: Callable[[str], str]) -> str:
    """The critical path as ``network/Vpc ~15 s -> eks/Cluster ~11 min``."""
    return " -> ".join(
        f"{label(s.key[0])}/{s.key[1]} {minutes(s.seconds)}" for s in p.critical if s.seconds > 0
    )


def summary(p: Plan, label: Callable[[str], str]) -> list[str]:
    """The preview lines: total and the chain that makes it."""
    if p.total <= 0:
        return ["estimated duration: no resource changes"]
    return [
        f"estimated duration: {minutes(p.total)} ({source(p.measured)})",
        f"  critical path: {chain(p, label)}",
    ]
