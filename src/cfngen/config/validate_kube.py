"""Config rules for the ``kubernetes`` section: what the API server or kubelet would reject.

Part of the config layer (so that loading a config never imports the Kubernetes code);
:func:`cfngen.config.check` runs :func:`check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfngen.config.schema import SYSTEM_NAMESPACES, Config
from cfngen.patterns import IMAGE_TAG_RE, is_digest, is_label_key, is_label_value

DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CPU_RE = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
MEMORY_RE = re.compile(r"^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
MEMORY_UNITS = {
    None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
}  # fmt: skip

# Labels the base uses in selectors: overriding them would detach pods from their Deployment.
RESERVED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance")
IMAGE_NAME_RE = re.compile(
    r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?/[a-z0-9]+([._/-][a-z0-9]+)*$"
)  # registry/path, no tag (the tag is kubernetes.tag)


def cpu_millis(value: str) -> float | None:
    m = CPU_RE.match(value)
    if not m:
        return None
    return float(m.group(1)) * (1 if m.group(2) else 1000)


def memory_bytes(value: str) -> int | None:
    m = MEMORY_RE.match(value)
    return int(m.group(1)) * MEMORY_UNITS[m.group(2)] if m else None


def check(cfg: Config) -> Iterator[str]:
    k = cfg.kubernetes
    key = "kubernetes"
    ns = k.namespace
    if ns and (not DNS_LABEL_RE.match(ns) or len(ns) > 63):
        yield (
            f"{key}.namespace: {ns!r} is not a namespace name (lowercase letters, digits and "
            "'-', starting and ending alphanumeric, at most 63 characters)"
        )
    elif cfg.kube_namespace in SYSTEM_NAMESPACES:
        yield (
            f"{key}.namespace: {cfg.kube_namespace!r} is a system namespace; give the app "
            "its own (any name except " + ", ".join(SYSTEM_NAMESPACES) + ")"
        )
    if "/" in k.image:
        if not IMAGE_NAME_RE.match(k.image) or len(k.image) > 255:
            yield (
                f"{key}.image: {k.image!r} is not an image name (registry/path, lowercase, "
                "without a tag: the tag goes in kubernetes.tag)"
            )
    elif cfg.ecr_repository(k.image) is None:
        names = ", ".join(r.name for r in cfg.ecr.repositories) or "none defined"
        yield (
            f"{key}.image: {k.image!r} names no repository in ecr.repositories ({names}) — "
            "or give a full image name like public.ecr.aws/nginx/nginx-unprivileged"
        )
    yield from _tag(key, k.tag, k.image)
    if k.replicas < 1:
        yield f"{key}.replicas: {k.replicas} is not allowed; use 1 or more"
    if k.hpa.max_replicas < k.replicas:
        yield (
            f"{key}.hpa.max_replicas: {k.hpa.max_replicas} is below {key}.replicas "
            f"{k.replicas}; use {k.replicas} or more"
        )
    if not 1 <= k.hpa.cpu_utilization <= 100:
        yield f"{key}.hpa.cpu_utilization: {k.hpa.cpu_utilization} is not a percentage; use 1-100"
    if not 1024 <= k.container_port <= 65535:
        yield (
            f"{key}.container_port: {k.container_port} is not allowed; use 1024-65535 (the "
            "container runs as non-root with every capability dropped, so it cannot bind "
            "ports below 1024)"
        )
    if not k.health_check_path.startswith("/"):
        yield f"{key}.health_check_path: {k.health_check_path!r} must start with '/'"
    yield from _resources(key + ".resources", cfg)
    yield from _labels(key + ".labels", k.labels)


def _tag(key: str, tag: str, image: str) -> Iterator[str]:
    if not tag:
        yield (
            f"{key}.tag: give the tag (or sha256:<digest>) of the image to run: no ECS "
            f"service runs {image!r} with a version tag to follow"
        )
    elif tag.lower() == "latest":
        yield (
            f"{key}.tag: 'latest' is refused: it names no fixed image, so a rollout or a node "
            "replacement can silently run other code; give a version tag or sha256:<digest>"
        )
    elif not (IMAGE_TAG_RE.match(tag) or is_digest(tag)):
        yield (
            f"{key}.tag: {tag!r} is neither an image tag (letters, digits, '_', '.', '-'; at "
            "most 128) nor a digest (sha256: and 64 hex digits)"
        )


def _resources(key: str, cfg: Config) -> Iterator[str]:
    r = cfg.kubernetes.resources
    cpu = {n: (v, cpu_millis(v)) for n, v in (("request", r.cpu_request), ("limit", r.cpu_limit))}
    mem = {
        n: (v, memory_bytes(v))
        for n, v in (("request", r.memory_request), ("limit", r.memory_limit))
    }
    for name, (value, parsed) in cpu.items():
        if not parsed:
            yield (f"{key}.cpu_{name}: {value!r} is not a positive CPU quantity like 250m or 0.5")
    for name, (value, parsed) in mem.items():
        if not parsed:
            yield (
                f"{key}.memory_{name}: {value!r} is not a positive memory quantity like "
                "128Mi or 1Gi"
            )
    if cpu["request"][1] and cpu["limit"][1] and cpu["request"][1] > cpu["limit"][1]:
        yield f"{key}.cpu_request: {r.cpu_request} is above cpu_limit {r.cpu_limit}"
    if mem["request"][1] and mem["limit"][1] and mem["request"][1] > mem["limit"][1]:
        yield f"{key}.memory_request: {r.memory_request} is above memory_limit {r.memory_limit}"


def _labels(key: str, labels: dict[str, str]) -> Iterator[str]:
    for name, value in labels.items():
        if not is_label_key(name):
            yield (
                f"{key}.{name}: not a label key ([prefix/]name; name at most 63 letters, digits, "
                "'-', '_', '.', alphanumeric at both ends)"
            )
        elif name in RESERVED_LABELS:
            yield (f"{key}.{name}: reserved; the manifests select pods by it (use another key)")
        if not is_label_value(value):
            yield (
                f"{key}.{name}: {value!r} is not a label value (at most 63 letters, digits, "
                "'-', '_', '.', alphanumeric at both ends)"
            )
