"""The commented starter config `cfngen init` writes: a few answers in, YAML text out.

Pure (no prompts, no files): :func:`parse_services` reads the ``--services`` syntax,
:func:`starter_yaml` turns :class:`Answers` into a config file that explains itself,
and :func:`problems` loads that text with the real loader and rules, so a starter that
``cfngen validate`` would reject is never written. Writing YAML by hand (not
``yaml.dump``) keeps the comments; every value that comes from the user is quoted by
the YAML library, so nothing a user types can change the file's structure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import yaml

from cfngen.config import ConfigError, EksConfig, NodeGroupConfig, loads
from cfngen.config.schema import KUBE_PUBLIC_PORT, SEED_ECS_IMAGE, SEED_ECS_TAG, SEED_ECS_USER

# Starts before anything is pushed, as a non-root user with a read-only root file system.
SEED_IMAGE: Final = f"{SEED_ECS_IMAGE}:{SEED_ECS_TAG}"
SEED_REPOSITORY: Final = "app"
APP_USER: Final = "10001"  # a pushed image runs as this UID, as in the Kubernetes manifests
FIRST_TAG: Final = "0.1.0"  # repositories are immutable: a version tag, never "latest"
MIN_AZS, MAX_AZS = 2, 6
SOURCE = "<cfngen init>"


class AnswerError(ValueError):
    """An answer that cannot be read; the message names the value and what is allowed."""


@dataclass(frozen=True)
class Service:
    """One ECS service: its name and what it runs."""

    name: str
    image: str  # a full image URI (has a '/'), or an ECR repository the config creates
    tag: str = FIRST_TAG  # for a repository image; a URI carries its own

    @property
    def repository(self) -> str | None:
        """The ECR repository the image comes from, or None for a full image URI."""
        return None if "/" in self.image else self.image


@dataclass(frozen=True)
class Answers:
    """Everything `cfngen init` asks; the defaults give the seed architecture."""

    name: str = "cfngen"
    environment: str = "dev"
    region: str = "us-east-1"
    services: tuple[Service, ...] = field(default_factory=lambda: (Service("web", SEED_IMAGE),))
    azs: int = 2
    private: bool = False
    certificate_arn: str = ""
    eks: bool = True

    @property
    def repositories(self) -> list[str]:
        """ECR repositories to create: those the services use, else the seed's one."""
        used = [s.repository for s in self.services if s.repository]
        return list(dict.fromkeys(used)) or [SEED_REPOSITORY]


def parse_services(text: str) -> tuple[Service, ...]:
    """Read ``NAME[:IMAGE]`` items separated by commas (the ``--services`` syntax).

    The name ends at the first ``:``. An IMAGE with a ``/`` is a full image URI
    (``registry/path[:tag|@sha256:digest]``), run as it is. An IMAGE without one is an
    ECR repository that the config creates, ``REPOSITORY[:TAG]`` (tag default 0.1.0).
    A NAME alone runs the image of a repository named like the service.
    """
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise AnswerError("no services given; list NAME[:IMAGE] items separated by commas")
    services = []
    for item in items:
        name, sep, image = item.partition(":")
        if not item or not name:
            raise AnswerError(f"{item!r}: an item needs a service name (NAME[:IMAGE])")
        if sep and not image:
            raise AnswerError(f"{item!r}: nothing after ':'; give an image or drop the ':'")
        image = image if sep else name
        if "/" in image:
            services.append(Service(name, image))
        else:
            repository, has_tag, tag = image.partition(":")
            if has_tag and not tag:
                raise AnswerError(f"{item!r}: nothing after the tag's ':'")
            services.append(Service(name, repository, tag or FIRST_TAG))
    return tuple(services)


def format_services(services: tuple[Service, ...]) -> str:
    """The ``--services`` text for services (the inverse of :func:`parse_services`)."""
    return ",".join(
        f"{s.name}:{s.image}" if not s.repository else f"{s.name}:{s.image}:{s.tag}"
        for s in services
    )


def _q(value: object) -> str:
    """A YAML scalar exactly as the loader will read it back (quoted where needed)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


COMMENT_COLUMN = 36


def _c(text: str, comment: str = "") -> str:
    """A line with its comment in the comment column (or two spaces after a long line)."""
    if not comment:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}"


def _subnets(azs: int, offset: int) -> list[str]:
    return [f"10.0.{offset + i}.0/24" for i in range(1, azs + 1)]


def _network(a: Answers) -> Iterator[str]:
    yield "network:"
    yield "  vpc_cidr: 10.0.0.0/16"
    yield _c(f"  availability_zones: {a.azs}", "spread over this many AZs of the region")
    yield _c(f"  public_subnets: {_flow(_subnets(a.azs, 0))}", "one per AZ")
    if a.private:
        yield "  # ECS tasks and EKS nodes run here, without public IPs, and reach out through"
        yield "  # NAT gateways in the public subnets (which then hold only the load balancer)."
        yield f"  private_subnets: {_flow(_subnets(a.azs, 10))}"
        yield _c("  nat_gateways: per_az", "one per AZ; `single` costs less, fails with its AZ")


def _alb(a: Answers) -> Iterator[str]:
    yield "alb:"
    yield _c("  ingress_cidrs: [0.0.0.0/0]", "who may reach the load balancer")
    if a.certificate_arn:
        yield "  # HTTPS on 443 with this ACM certificate; port 80 redirects to it."
        yield f"  certificate_arn: {_q(a.certificate_arn)}"
    else:
        yield "  # certificate_arn: arn:aws:acm:...   (HTTPS on 443; port 80 then redirects)"


def _ecr(a: Answers) -> Iterator[str]:
    yield "ecr:"
    yield (
        f"  # Push images to <account>.dkr.ecr.{a.region}.amazonaws.com/"
        f"{a.name}-{a.environment}/<name>"
    )
    yield "  repositories:"
    for repo in a.repositories:
        yield f"    - name: {_q(repo)}"


def _service(s: Service, index: int) -> Iterator[str]:
    yield f"    - name: {_q(s.name)}"
    if s.repository:
        yield _c(f"      image: {_q(s.image)}", "an ECR repository above")
        yield _c(f"      tag: {_q(s.tag)}", "push this tag before deploying")
    else:
        yield _c(f"      image: {_q(s.image)}", "runs as it is")
    if s.image == SEED_IMAGE:
        yield _c(f"      container_port: {KUBE_PUBLIC_PORT}", "the port the container listens on")
        yield _c(f"      user: {_q(SEED_ECS_USER)}", "the image's nginx user, not root")
    else:
        yield _c("      container_port: 80", "the port the container listens on")
        if s.repository:  # your image: the UID the Kubernetes manifests run it as too
            yield _c(f"      user: {_q(APP_USER)}", "not root; any UID your files allow")
        else:
            yield '      # user: "10001"   (default: the image\'s own user, often root)'
        yield "      # The root file system is read-only: list where the app writes"
        yield "      # writable_paths: [/tmp]   (default), or readonly_root_filesystem: false"
    yield _c("      cpu: 256", "0.25 vCPU; memory must suit it (512-2048 MiB)")
    yield "      memory: 512"
    yield "      desired_count: 2"
    yield "      health_check_path: /"
    if index == 0:
        yield "      # The load balancer's default: the requests no other service's rule matches."
        yield "      # deployment_strategy: blue_green   (ECS blue/green with a test listener)"
    else:
        yield _c(f"      path_patterns: {_flow([f'/{s.name}', f'/{s.name}/*'])}", "routed here")


def _ecs(a: Answers) -> Iterator[str]:
    yield "ecs:"
    yield f"  # service_connect: {{namespace: {a.name}.internal}}   (services call each other)"
    yield _c("  services:", "Fargate services behind the load balancer")
    for i, s in enumerate(a.services):
        yield from _service(s, i)


def _eks(a: Answers) -> Iterator[str]:
    yield "eks:"
    if not a.eks:
        yield _c("  enabled: false", "ECS only; true adds an EKS cluster and node group")
        return
    eks, nodes = EksConfig(), NodeGroupConfig()  # the defaults, written out
    yield "  enabled: true"
    yield _c(f'  version: "{eks.version}"', "quoted: 1.30 unquoted would read as 1.3")
    yield "  # auto_mode: true   (EKS runs nodes, volumes, load balancers; node_group unused)"
    yield "  node_group:"
    yield f"    instance_types: {_flow(list(nodes.instance_types))}"
    yield f"    min_size: {nodes.min_size}"
    yield f"    max_size: {nodes.max_size}"
    yield f"    desired_size: {nodes.desired_size}"
    yield ""
    yield _c("kubernetes:", "the app `cfngen manifests` runs on the cluster")
    yield _c(f"  image: {_q(a.repositories[0])}", "an ECR repository above")
    yield _c(f"  tag: {_q(FIRST_TAG)}", "push this tag before applying")
    yield "  # pod_identity: {managed_policy_arns: [...]}   (an IAM role for the app's pods)"


def starter_yaml(a: Answers, version: str) -> str:
    """The config file's text, with comments that say what each part does."""
    prefix = f"{a.name}-{a.environment}"
    sections = [
        [
            f"# cfngen config for {prefix}, written by `cfngen init` (cfngen {version}).",
            "# Every key is optional; README.md's config reference lists them all.",
        ],
        [
            _c(f"name: {_q(a.name)}", "prefix of the stacks and of named resources"),
            _c(f"environment: {_q(a.environment)}", f"so everything is named {prefix}-..."),
            f"region: {_q(a.region)}",
            _c("tags: {}", "e.g. {team: platform}: on every stack"),
        ],
        list(_network(a)),
        list(_alb(a)),
        list(_ecr(a)),
        list(_ecs(a)),
        list(_eks(a)),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def problems(text: str) -> list[str]:
    """What the loader and the rules say about a starter's text (empty: it is valid)."""
    try:
        loads(text, SOURCE)
    except ConfigError as exc:
        return list(exc.problems)
    return []
