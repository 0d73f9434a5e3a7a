"""Semantic rules on a typed config: one message per problem, naming key, value and rule.

Types and unknown keys are already checked by :mod:`cfngen.config.typed_load`; this
module knows what AWS would reject (CIDRs, names, Fargate sizes) so that users learn it
before anything is written or deployed. The production features, the ``kubernetes``
and the ``stackset`` sections have rule modules of their own beside this one;
:func:`cfngen.config.check` runs them all.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator

from cfngen.config import eks_versions, limits, regions
from cfngen.config.schema import Config, EcsService
from cfngen.naming import logical_id
from cfngen.patterns import IMAGE_TAG_RE, REGION_RE

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ECR_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
ECS_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
IMAGE_URI_RE = re.compile(
    r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?/[a-z0-9]+([._/-][a-z0-9]+)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$"
)
INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
STACK_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

MIN_AZS, MAX_AZS = 2, 6
TAG_PUNCTUATION = set(" _.:/=+-@")
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def fargate_memory(cpu: int) -> tuple[int, ...]:
    """Memory sizes (MiB) that Fargate accepts for a CPU size; empty if cpu is invalid."""
    table = {
        256: (512, 1024, 2048),
        512: tuple(range(1024, 4097, 1024)),
        1024: tuple(range(2048, 8193, 1024)),
        2048: tuple(range(4096, 16385, 1024)),
        4096: tuple(range(8192, 30721, 1024)),
        8192: tuple(range(16384, 61441, 4096)),
        16384: tuple(range(32768, 122881, 8192)),
    }
    return table.get(cpu, ())


def _fmt_range(values: tuple[int, ...]) -> str:
    if len(values) <= 4:
        return ", ".join(map(str, values))
    step = values[1] - values[0]
    return f"{values[0]}-{values[-1]} in steps of {step}"


def check(cfg: Config) -> list[str]:
    """Problems of the core sections (names, network, ECR, ECS, EKS), in file order."""
    return [
        *_top(cfg),
        *_network(cfg),
        *cidr_problems("alb.ingress_cidrs", cfg.alb.ingress_cidrs, allow_empty=False),
        *_ecr(cfg),
        *_ecs(cfg),
        *_eks(cfg),
    ]


def retention_problems(key: str, days: int) -> Iterator[str]:
    """A CloudWatch Logs retention must be one of the values the service accepts."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        yield f"{key}: {days} is not a CloudWatch Logs retention; use one of {allowed}"


def _top(cfg: Config) -> Iterator[str]:
    yield from _name("name", cfg.name, 20)
    yield from _name("environment", cfg.environment, 12)
    if not REGION_RE.match(cfg.region):
        yield f"region: {cfg.region!r} is not an AWS region name (like us-east-1)"
    elif regions.region(cfg.region) is None:
        yield (
            f"region: {cfg.region!r} is not a region cfngen knows (its region table, dated "
            f"{regions.TABLE_DATE}, has {regions.known()})"
        )
    yield from _tags(cfg.tags)
    if cfg.deploy.stack_name and (
        not STACK_NAME_RE.match(cfg.deploy.stack_name) or len(cfg.deploy.stack_name) > 128
    ):
        yield (
            f"deploy.stack_name: {cfg.deploy.stack_name!r} is not a valid stack name "
            "(a letter, then letters, digits and hyphens, at most 128 characters)"
        )
    bucket = cfg.deploy.template_bucket
    if bucket and not BUCKET_RE.match(bucket):
        yield (
            f"deploy.template_bucket: {bucket!r} is not a valid S3 bucket name "
            "(3-63 lowercase letters, digits, hyphens and dots; starts and ends alphanumeric)"
        )


def _tag_text(text: str) -> bool:
    """AWS tag characters: letters, digits, spaces and _ . : / = + - @ (any language)."""
    return all(c.isalnum() or c in TAG_PUNCTUATION for c in text)


def _tags(tags: dict[str, str]) -> Iterator[str]:
    for key, value in tags.items():
        where = f"tags.{key}"
        if not 1 <= len(key) <= limits.TAG_KEY_CHARS or not _tag_text(key):
            yield (
                f"{where}: {key!r} is not a tag key (1-{limits.TAG_KEY_CHARS} letters, digits, "
                "spaces and _ . : / = + - @)"
            )
        elif key.lower() == "false":
            # cfn-lint (E3024) reads the key "false" as a boolean and then reports the nested
            # stacks' tag lists as holding duplicates; AWS would take it.
            yield f"{where}: the tag key {key!r} is refused (cfn-lint reads it as a boolean)"
        elif key.lower().startswith("aws:"):
            yield f"{where}: tag keys may not start with 'aws:' (reserved for AWS)"
        elif key.lower().startswith(limits.CFNGEN_TAG_PREFIX):
            yield (
                f"{where}: tag keys starting with '{limits.CFNGEN_TAG_PREFIX}' are cfngen's own "
                "(it tags every stack with them); choose another key"
            )
        if len(value) > limits.TAG_VALUE_CHARS or not _tag_text(value):
            yield (
                f"{where}: {value!r} is not a tag value (0-{limits.TAG_VALUE_CHARS} letters, "
                "digits, spaces and _ . : / = + - @)"
            )


def _name(key: str, value: str, limit: int) -> Iterator[str]:
    if not NAME_RE.match(value) or len(value) > limit:
        yield (
            f"{key}: {value!r} is not allowed; use 1-{limit} lowercase letters, digits and "
            "single hyphens, starting with a letter"
        )


def _network_prefix(key: str, net: ipaddress.IPv4Network) -> Iterator[str]:
    if not 16 <= net.prefixlen <= 28:
        yield f"{key}: {net} has a /{net.prefixlen} mask; AWS allows /16 to /28"


def _parse_cidr(key: str, value: str) -> tuple[ipaddress.IPv4Network | None, str | None]:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        reason = "host bits are set" if "host bits" in str(exc) else "not an IPv4 CIDR"
        return None, f"{key}: {value!r} is not a valid network CIDR ({reason}), e.g. 10.0.1.0/24"
    if not isinstance(net, ipaddress.IPv4Network):
        return None, f"{key}: {value!r} is IPv6; an IPv4 CIDR is required"
    return net, None


def cidr_problems(key: str, values: tuple[str, ...], allow_empty: bool = True) -> Iterator[str]:
    """Each entry must be an IPv4 network CIDR (host bits clear)."""
    if not values and not allow_empty:
        yield f"{key}: the list is empty; give at least one CIDR (0.0.0.0/0 for everyone)"
    for i, value in enumerate(values):
        _, err = _parse_cidr(f"{key}[{i}]", value)
        if err:
            yield err


def _network(cfg: Config) -> Iterator[str]:
    net = cfg.network
    vpc, err = _parse_cidr("network.vpc_cidr", net.vpc_cidr)
    if err:
        yield err
    elif vpc is not None:
        yield from _network_prefix("network.vpc_cidr", vpc)

    yield from _availability_zones(cfg)
    count = cfg.az_count()
    taken: list[tuple[str, ipaddress.IPv4Network]] = []
    yield from _subnets("network.public_subnets", net.public_subnets, count, vpc, taken)
    if net.private_subnets:
        yield from _subnets("network.private_subnets", net.private_subnets, count, vpc, taken)


def _availability_zones(cfg: Config) -> Iterator[str]:
    """2-6 AZs, no more than the region has; listed names must exist in the region."""
    azs, key = cfg.network.availability_zones, "network.availability_zones"
    region = regions.region(cfg.region)
    usable = min(MAX_AZS, region.usable) if region else MAX_AZS
    count = azs if isinstance(azs, int) else len(azs)
    what = f"{azs} is" if isinstance(azs, int) else f"{count} AZs listed is"
    if not MIN_AZS <= count <= MAX_AZS:
        yield (
            f"{key}: {what} not allowed; use {MIN_AZS} to {MAX_AZS} (high availability needs "
            "at least 2)"
        )
    elif count > usable:
        yield (
            f"{key}: {what} more than region {cfg.region} has for every account ({usable}, "
            f"cfngen's region table, dated {regions.TABLE_DATE}); use {MIN_AZS} to {usable}"
        )
    if isinstance(azs, int):
        return
    names = region.zone_names(cfg.region) if region else []
    seen: set[str] = set()
    for i, az in enumerate(azs):
        item = f"{key}[{i}]"
        if region is not None and az not in names:
            yield f"{item}: {az!r} is not an AZ of region {cfg.region} (it has {', '.join(names)})"
        elif region is None and not re.fullmatch(re.escape(cfg.region) + r"[a-z]", az):
            yield f"{item}: {az!r} is not an AZ of region {cfg.region} (like {cfg.region}a)"
        if az in seen:
            yield f"{item}: {az!r} is listed twice; each subnet needs its own AZ"
        seen.add(az)


def _subnets(
    key: str,
    values: tuple[str, ...],
    az_count: int,
    vpc: ipaddress.IPv4Network | None,
    others: list[tuple[str, ipaddress.IPv4Network]] | None = None,
) -> Iterator[str]:
    """Subnet CIDRs: valid, inside the VPC, one per AZ, no overlaps (also with ``others``)."""
    if len(values) != az_count:
        yield (
            f"{key}: {len(values)} subnets given for {az_count} availability zones; "
            "give exactly one CIDR per AZ"
        )
    taken = list(others or [])
    for i, value in enumerate(values):
        item = f"{key}[{i}]"
        sub, err = _parse_cidr(item, value)
        if err:
            yield err
            continue
        assert sub is not None
        yield from _network_prefix(item, sub)
        if vpc is not None and not sub.subnet_of(vpc):
            yield f"{item}: {sub} is outside network.vpc_cidr {vpc}"
        for other_key, other in taken:
            if sub.overlaps(other):
                yield f"{item}: {sub} overlaps {other_key} {other}"
        taken.append((item, sub))
    if others is not None:
        others[:] = taken


def _ecr(cfg: Config) -> Iterator[str]:
    if not cfg.ecr.repositories:
        yield "ecr.repositories: the list is empty; define at least one repository"
    seen: set[str] = set()
    for i, repo in enumerate(cfg.ecr.repositories):
        key = f"ecr.repositories[{i}].name"
        full = f"{cfg.prefix}/{repo.name}"
        if not ECR_RE.match(repo.name) or len(full) > 256:
            yield (
                f"{key}: {repo.name!r} is not a valid ECR repository name (lowercase letters "
                "and digits, separated by single '.', '_', '-' or '/'; at most 256 in all)"
            )
        if repo.name in seen:
            yield f"{key}: {repo.name!r} is defined twice"
        seen.add(repo.name)


def _ecs(cfg: Config) -> Iterator[str]:
    if not cfg.ecs.services:
        yield "ecs.services: the list is empty; define at least one service"
    names: dict[str, str] = {}
    for i, svc in enumerate(cfg.ecs.services):
        yield from _service(cfg, f"ecs.services[{i}]", svc, names)
    yield from retention_problems("ecs.log_retention_days", cfg.ecs.log_retention_days)


def _service(cfg: Config, key: str, svc: EcsService, names: dict[str, str]) -> Iterator[str]:
    if not ECS_NAME_RE.match(svc.name) or len(svc.name) > 32:
        yield (
            f"{key}.name: {svc.name!r} is not a valid ECS service name here (a letter, then "
            "letters, digits, hyphens or underscores; at most 32 characters)"
        )
    else:
        lid = logical_id(svc.name)
        if lid in names:
            yield f"{key}.name: {svc.name!r} clashes with {names[lid]!r} (same logical ID {lid})"
        names[lid] = svc.name
    yield from _image(cfg, key, svc)
    if not 1 <= svc.container_port <= 65535:
        yield f"{key}.container_port: {svc.container_port} is not a port; use 1-65535"
    allowed = fargate_memory(svc.cpu)
    if not allowed:
        yield (
            f"{key}.cpu: {svc.cpu} is not a Fargate CPU size; use 256, 512, 1024, 2048, 4096, "
            "8192 or 16384"
        )
    elif svc.memory not in allowed:
        yield (
            f"{key}.memory: {svc.memory} MiB is not valid with cpu {svc.cpu} on Fargate; "
            f"use {_fmt_range(allowed)}"
        )
    if svc.desired_count < 0:
        yield f"{key}.desired_count: {svc.desired_count} is negative; use 0 or more"
    if not svc.health_check_path.startswith("/") or len(svc.health_check_path) > 1024:
        yield (
            f"{key}.health_check_path: {svc.health_check_path!r} must start with '/' "
            "(at most 1024 characters)"
        )


def _image(cfg: Config, key: str, svc: EcsService) -> Iterator[str]:
    image = svc.image
    if "/" not in image:
        if ":" in image or "@" in image:
            yield (
                f"{key}.image: {image!r} has no registry; give an ECR repository name from "
                "ecr.repositories (tag in 'tag') or a full image URI like "
                "docker.io/library/nginx:1.27"
            )
        elif cfg.ecr_repository(image) is None:
            names = [r.name for r in cfg.ecr.repositories]
            close = difflib.get_close_matches(image, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listed = ", ".join(names) or "none defined"
            yield (
                f"{key}.image: {image!r} names no repository in ecr.repositories ({listed})"
                f"{hint} — or give a full image URI"
            )
    elif not IMAGE_URI_RE.match(image):
        yield (
            f"{key}.image: {image!r} is not a valid image URI "
            "(registry/path[:tag|@sha256:digest], lowercase path)"
        )
    if not IMAGE_TAG_RE.match(svc.tag):
        yield (
            f"{key}.tag: {svc.tag!r} is not a valid image tag (letters, digits, '_', '.', '-'; "
            "at most 128 characters)"
        )


def _eks(cfg: Config) -> Iterator[str]:
    try:
        problem = eks_versions.problem(cfg.eks.version, eks_versions.today())
    except eks_versions.BadDate as exc:
        problem = f"{cfg.eks.version!r} cannot be checked: {exc}"
    if problem:
        yield f"eks.version: {problem}"
    ng = cfg.eks.node_group
    key = "eks.node_group"
    if not ng.instance_types:
        yield f"{key}.instance_types: the list is empty; give at least one instance type"
    for i, itype in enumerate(ng.instance_types):
        if not INSTANCE_TYPE_RE.match(itype):
            yield f"{key}.instance_types[{i}]: {itype!r} is not an instance type like t3.medium"
    if ng.min_size < 0:
        yield f"{key}.min_size: {ng.min_size} is negative"
    if ng.max_size < 1:
        yield f"{key}.max_size: {ng.max_size} must be at least 1"
    if ng.desired_size < 0:
        yield f"{key}.desired_size: {ng.desired_size} is negative"
    elif min(ng.min_size, ng.max_size - 1) >= 0 and not (
        ng.min_size <= ng.desired_size <= ng.max_size
    ):
        yield (
            f"{key}: min_size {ng.min_size} <= desired_size {ng.desired_size} <= max_size "
            f"{ng.max_size} does not hold"
        )
    if not 1 <= ng.disk_size <= 16384:
        yield f"{key}.disk_size: {ng.disk_size} GiB is out of range; use 1-16384"
