"""Semantic rules for the security settings: task egress rules and the EKS workload identity.

Every security group cfngen creates declares its outbound rules, so what a service may
reach beyond the defaults is config (``ecs.services[].egress``); these rules are what
EC2 would refuse (bad CIDRs, ports, descriptions, duplicates, the rules-per-group
quota) plus the combinations that cannot work (IRSA without an OIDC provider).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfngen.config.schema import Config, EgressRule
from cfngen.config.validate import cidr_problems, retention_problems

# EC2 accepts these characters in a security group rule description (at most 255).
RULE_DESCRIPTION_RE = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")
OUTBOUND_RULES_PER_GROUP = 60  # default EC2 quota "Inbound or outbound rules per security group"
DEFAULT_TASK_RULES = 3  # HTTPS anywhere, DNS over UDP and TCP to the VPC resolver


def check(cfg: Config) -> list[str]:
    return [*_egress(cfg), *_eks(cfg)]


def rule_key(rule: EgressRule) -> tuple[str, int, int, str]:
    """What EC2 compares to find a duplicate rule: protocol, port range, destination."""
    if rule.protocol == "all":
        return ("all", 0, 0, rule.cidr)
    return (rule.protocol, rule.port, rule.to_port or rule.port, rule.cidr)


def _egress(cfg: Config) -> Iterator[str]:
    for i, svc in enumerate(cfg.ecs.services):
        key = f"ecs.services[{i}].egress"
        limit = OUTBOUND_RULES_PER_GROUP - DEFAULT_TASK_RULES
        if len(svc.egress) > limit:
            yield (
                f"{key}: {len(svc.egress)} rules; a security group holds at most "
                f"{OUTBOUND_RULES_PER_GROUP} outbound rules and {DEFAULT_TASK_RULES} are the "
                f"defaults, so list at most {limit} (merge CIDRs or port ranges)"
            )
        seen: dict[tuple[str, int, int, str], int] = {}
        for j, rule in enumerate(svc.egress):
            yield from _rule(f"{key}[{j}]", rule)
            k = rule_key(rule)
            if k in seen:
                yield f"{key}[{j}]: the same rule as {key}[{seen[k]}]; EC2 refuses duplicates"
            seen.setdefault(k, j)


def _rule(key: str, rule: EgressRule) -> Iterator[str]:
    yield from (p.replace(f"{key}.cidr[0]", f"{key}.cidr") for p in
                cidr_problems(f"{key}.cidr", (rule.cidr,)))  # fmt: skip
    if rule.protocol == "all":
        if rule.port or rule.to_port:
            yield (
                f"{key}.port: protocol all covers every port; leave out port and to_port "
                f"(got {rule.port}-{rule.to_port})"
            )
    else:
        if not 1 <= rule.port <= 65535:
            yield (
                f"{key}.port: {rule.port} is not a port; give 1-65535 with protocol {rule.protocol}"
            )
        if rule.to_port and not max(rule.port, 1) <= rule.to_port <= 65535:
            yield (
                f"{key}.to_port: {rule.to_port} must lie between port {rule.port} and 65535 "
                "(leave it out for a single port)"
            )
    if not RULE_DESCRIPTION_RE.match(rule.description):
        yield (
            f"{key}.description: {rule.description!r} is not allowed; use at most 255 "
            "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"
        )


def _eks(cfg: Config) -> Iterator[str]:
    e = cfg.eks
    # Auto Mode installs no vpc-cni add-on, so how it would get its role does not matter.
    if not e.pod_identity and not e.auto_mode:
        if not e.oidc_provider:
            yield (
                "eks.pod_identity: false gives the vpc-cni add-on its role through IAM roles "
                "for service accounts, which needs eks.oidc_provider: true"
            )
        for i, addon in enumerate(e.addons):
            if addon.name == "eks-pod-identity-agent" and cfg.kubernetes.pod_identity is None:
                yield (
                    f"eks.addons[{i}].name: eks-pod-identity-agent contradicts "
                    "eks.pod_identity: false; remove it or set pod_identity: true"
                )
    yield from retention_problems("eks.log_retention_days", e.log_retention_days)
