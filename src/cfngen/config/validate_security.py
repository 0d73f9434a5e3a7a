"""Semantic rules for the security settings: task egress rules, the container's user and
writable paths, and the EKS workload identity.

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
# What ECS passes to the container runtime as `user`: a name or UID, optionally :group or :GID
# (Linux names: at most 32 characters, no leading hyphen).
USER_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}"
USER_RE = re.compile(rf"^{USER_PART}(:{USER_PART})?$")
# A mount point ECS accepts and that means one directory: absolute, no "." or ".." steps,
# no empty step or trailing slash, printable characters without spaces or quotes.
WRITABLE_PATH_RE = re.compile(r"^(/(?!\.\.?(/|$))[A-Za-z0-9_.@+=,~%-]+)+$")
MAX_WRITABLE_PATHS = 20  # one volume each; more is a sign the root should not be read-only


def check(cfg: Config) -> list[str]:
    return [*_egress(cfg), *_container(cfg), *_eks(cfg)]


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


def _container(cfg: Config) -> Iterator[str]:
    for i, svc in enumerate(cfg.ecs.services):
        key = f"ecs.services[{i}]"
        if svc.user and not USER_RE.match(svc.user):
            yield (
                f"{key}.user: {svc.user!r} is not a user; give a UID or user name, optionally "
                "with :GID or :group (like 10001 or 10001:10001; letters, digits, _ . -, "
                "at most 32 each)"
            )
        if len(svc.writable_paths) > MAX_WRITABLE_PATHS:
            yield (
                f"{key}.writable_paths: {len(svc.writable_paths)} paths; at most "
                f"{MAX_WRITABLE_PATHS} (each is a volume: mount a common parent, or set "
                "readonly_root_filesystem: false)"
            )
        seen: dict[str, int] = {}
        for j, path in enumerate(svc.writable_paths):
            if not WRITABLE_PATH_RE.match(path) or len(path) > 255:
                yield (
                    f"{key}.writable_paths[{j}]: {path!r} is not a directory to mount; give an "
                    "absolute path other than / (like /tmp or /var/cache/nginx) without . or "
                    ".. steps, spaces or a trailing slash, at most 255 characters"
                )
            elif path in seen:
                yield f"{key}.writable_paths[{j}]: {path!r} is already writable_paths[{seen[path]}]"
            seen.setdefault(path, j)


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
