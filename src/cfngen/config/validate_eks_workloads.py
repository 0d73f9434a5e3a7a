"""Config rules for EKS Auto Mode, the app's Pod Identity role and its Ingress.

What EKS or IAM would refuse, said before anything is built: add-ons Auto Mode runs on
its nodes itself, an Ingress without the Auto Mode load balancing that serves it, and a
Pod Identity role that IAM would reject (bad ARNs or actions, too many managed policies,
an inline policy over IAM's size limit) or that would grant every action of every
service. :func:`cfngen.config.check` runs :func:`check`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from awacs.aws import ConditionElement

from cfngen.config.schema import Config, NodeGroupConfig, PodIdentityConfig, PolicyStatement
from cfngen.config.validate_platform import ACM_ARN_RE, HOST_RE, POLICY_ARN_RE

# Add-ons EKS Auto Mode nodes run themselves (listing them would install a second copy).
AUTO_MODE_BUILT_IN = ("vpc-cni", "kube-proxy", "coredns")
ACTION_RE = re.compile(r"^[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+$")
RESOURCE_ARN_RE = re.compile(r"^arn:(aws[a-z-]*|\*):[a-z0-9*-]+:[a-z0-9*-]*:(\d{12}|aws|\*)?:\S+$")
SID_RE = re.compile(r"^[A-Za-z0-9]*$")
MANAGED_POLICIES_PER_ROLE = 10  # IAM default quota: managed policies attached to one role
INLINE_POLICY_CHARS = 10240  # IAM: inline policies of a role, all together, without spaces


def _operators() -> frozenset[str]:
    """Every IAM condition operator awacs knows (StringEquals, ForAnyValue:StringLike ...)."""
    found: set[str] = set()
    pending = list(ConditionElement.__subclasses__())
    while pending:
        cls = pending.pop()
        name = getattr(cls, "condition", None)
        if isinstance(name, str):
            found.add(name)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


CONDITION_OPERATORS = _operators()


def check(cfg: Config) -> list[str]:
    return [*_auto_mode(cfg), *_ingress(cfg), *_pod_identity(cfg)]


def notes(cfg: Config) -> list[str]:
    """Keys a valid config sets that its EKS choice leaves unused: said, not refused.

    Not refused, so that switching ``eks.auto_mode`` or ``eks.enabled`` on a written-out
    config (the seed's ``eks.node_group``) works without other edits.
    """
    out = []
    if not cfg.eks.enabled:
        written = [
            key
            for key, used in (
                ("eks.auto_mode", cfg.eks.auto_mode),
                ("kubernetes.pod_identity", cfg.kubernetes.pod_identity is not None),
                ("kubernetes.ingress", cfg.kubernetes.ingress.enabled),
            )
            if used
        ]
        out += [f"{key}: unused with eks.enabled: false (no cluster)" for key in written]
    elif cfg.eks.auto_mode and cfg.eks.node_group != NodeGroupConfig():
        out.append(
            "eks.node_group: unused with eks.auto_mode: true (EKS starts and stops the "
            "nodes for the pods); remove it"
        )
    return out


def _auto_mode(cfg: Config) -> Iterator[str]:
    if not cfg.eks.auto_mode:
        return
    for i, addon in enumerate(cfg.eks.addons):
        if addon.name in AUTO_MODE_BUILT_IN:
            yield (
                f"eks.addons[{i}].name: {addon.name} runs built into every EKS Auto Mode node "
                "(eks.auto_mode: true); remove it from eks.addons"
            )


def _ingress(cfg: Config) -> Iterator[str]:
    ing, key = cfg.kubernetes.ingress, "kubernetes.ingress"
    if not ing.enabled:
        return
    if not cfg.eks.auto_mode:
        yield (
            f"{key}.enabled: true needs eks.auto_mode: true (EKS Auto Mode runs the ALB "
            "behind the Ingress; without it no controller in the cluster would serve it)"
        )
    if ing.host and (not HOST_RE.match(ing.host) or "?" in ing.host or len(ing.host) > 253):
        yield f"{key}.host: {ing.host!r} is not a host name like app.example.com"
    if ing.certificate_arn:
        m = ACM_ARN_RE.match(ing.certificate_arn)
        if not m:
            yield (
                f"{key}.certificate_arn: {ing.certificate_arn!r} is not an ACM certificate ARN "
                "(arn:aws:acm:<region>:<account>:certificate/<id>)"
            )
        elif m.group(1) != cfg.region:
            yield (
                f"{key}.certificate_arn: the certificate is in {m.group(1)}; the load "
                f"balancer is in {cfg.region} and needs one from the same region"
            )
    if ing.scheme == "internal" and not cfg.network.private_subnets:
        yield (
            f"{key}.scheme: internal puts the load balancer in private subnets; set "
            "network.private_subnets (or use internet-facing)"
        )


def _pod_identity(cfg: Config) -> Iterator[str]:
    pi, key = cfg.kubernetes.pod_identity, "kubernetes.pod_identity"
    if pi is None:
        return
    if not pi.managed_policy_arns and not pi.policy_statements:
        yield (
            f"{key}: the role would have no permissions; list managed_policy_arns and/or "
            "policy_statements (or remove kubernetes.pod_identity)"
        )
    if len(pi.managed_policy_arns) > MANAGED_POLICIES_PER_ROLE:
        yield (
            f"{key}.managed_policy_arns: {len(pi.managed_policy_arns)} policies; IAM attaches "
            f"at most {MANAGED_POLICIES_PER_ROLE} managed policies to a role (default quota)"
        )
    seen: set[str] = set()
    for i, arn in enumerate(pi.managed_policy_arns):
        item = f"{key}.managed_policy_arns[{i}]"
        if not POLICY_ARN_RE.match(arn):
            yield (
                f"{item}: {arn!r} is not a managed policy ARN "
                "(arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>)"
            )
        elif arn.endswith(":policy/AdministratorAccess"):
            yield f"{item}: AdministratorAccess gives the pods every permission; grant less"
        if arn in seen:
            yield f"{item}: {arn} is listed twice"
        seen.add(arn)
    sids: dict[str, int] = {}
    for i, st in enumerate(pi.policy_statements):
        item = f"{key}.policy_statements[{i}]"
        yield from _statement(item, st)
        if st.sid:
            if st.sid in sids:
                yield f"{item}.sid: {st.sid!r} is also the sid of statement {sids[st.sid]}"
            sids.setdefault(st.sid, i)
    size = _inline_size(pi)
    if size > INLINE_POLICY_CHARS:
        yield (
            f"{key}.policy_statements: the inline policy is {size} characters; IAM allows "
            f"{INLINE_POLICY_CHARS} per role (use managed_policy_arns for the rest)"
        )


def _statement(key: str, st: PolicyStatement) -> Iterator[str]:
    if not st.actions:
        yield f"{key}.actions: the list is empty; give at least one action like s3:GetObject"
    for j, action in enumerate(st.actions):
        if action == "*":
            if st.effect == "Allow":
                yield (
                    f"{key}.actions[{j}]: '*' allows every action of every service; name "
                    "the service (like s3:GetObject or s3:*)"
                )
        elif not ACTION_RE.match(action):
            yield f"{key}.actions[{j}]: {action!r} is not an IAM action like s3:GetObject"
    if not st.resources:
        yield f"{key}.resources: the list is empty; give resource ARNs or '*'"
    for j, res in enumerate(st.resources):
        if res != "*" and not RESOURCE_ARN_RE.match(res):
            yield (
                f"{key}.resources[{j}]: {res!r} is neither '*' nor an ARN "
                "(arn:aws:<service>:<region>:<account>:<resource>)"
            )
    if not SID_RE.match(st.sid):
        yield f"{key}.sid: {st.sid!r} may hold only letters and digits"
    for op, conditions in st.conditions.items():
        if op not in CONDITION_OPERATORS:
            yield (
                f"{key}.conditions.{op}: not an IAM condition operator (like StringEquals, "
                "ArnLike, Bool, IpAddress, ForAnyValue:StringLike)"
            )
        if not conditions:
            yield f"{key}.conditions.{op}: no condition keys; give key: value pairs"
        for cond_key, value in conditions.items():
            if not cond_key or (not isinstance(value, str) and not value):
                yield f"{key}.conditions.{op}.{cond_key}: give a value (or a list of values)"


def _inline_size(pi: PodIdentityConfig) -> int:
    """What IAM counts of the inline policy: its JSON without whitespace (an estimate
    within a few characters of the rendered document)."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": s.sid,
                "Effect": s.effect,
                "Action": list(s.actions),
                "Resource": list(s.resources),
                "Condition": s.conditions,
            }
            for s in pi.policy_statements
        ],
    }
    return len(json.dumps(doc, separators=(",", ":")))
