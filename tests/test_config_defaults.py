"""Defaults follow what the user wrote: a key the user did not write never causes an error.

One test per rule of :mod:`cfngen.config.defaults`, each checking the derived value and
that the config then builds; and that a written key always wins over the rule.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from cfngen.config import Config, ConfigError, loads
from cfngen.render import render


def valid(text: str) -> Config:
    cfg = loads(textwrap.dedent(text))
    render(cfg, ["json"])  # builds within every quota
    return cfg


def test_the_issue_case_only_repository_backend_and_no_kubernetes_section() -> None:
    cfg = valid("ecr: {repositories: [{name: backend}]}")
    assert cfg.kubernetes.image == "public.ecr.aws/nginx/nginx-unprivileged"
    assert cfg.kubernetes.tag == "1.29-alpine" and cfg.kubernetes.container_port == 8080


@pytest.mark.parametrize(
    ("text", "subnets"),
    [
        ("network: {availability_zones: 3}", ("10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24")),
        ("network: {vpc_cidr: 10.20.0.0/16}", ("10.20.1.0/24", "10.20.2.0/24")),
        ("network: {vpc_cidr: 10.9.8.0/24}", ("10.9.8.32/27", "10.9.8.64/27")),
        (
            "network: {private_subnets: [10.0.1.0/24, 10.0.3.0/24]}",
            ("10.0.2.0/24", "10.0.4.0/24"),
        ),
        (
            "region: eu-west-1\n"
            "network: {availability_zones: [eu-west-1a, eu-west-1b, eu-west-1c]}",
            ("10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"),
        ),
    ],
)
def test_public_subnets_follow_the_vpc_and_the_az_count(text: str, subnets: tuple[str]) -> None:
    assert valid(text).network.public_subnets == subnets


def test_written_public_subnets_are_never_changed() -> None:
    with pytest.raises(ConfigError) as info:
        loads("network: {availability_zones: 3, public_subnets: [10.0.1.0/24, 10.0.2.0/24]}")
    assert info.value.problems[0].startswith("network.public_subnets: 2 subnets given for 3")


def test_repositories_follow_the_services_images() -> None:
    cfg = valid("ecs: {services: [{name: api, image: api, tag: '1.0'}]}")
    assert [r.name for r in cfg.ecr.repositories] == ["api"]
    # Port 80: the non-root pod could not bind it, so the pods keep the public image.
    assert cfg.kubernetes.image == "public.ecr.aws/nginx/nginx-unprivileged"


def test_the_pods_follow_a_service_on_a_high_port_with_a_fixed_tag() -> None:
    cfg = valid(
        "ecs: {services: [{name: api, image: api, tag: '1.0', container_port: 8000, "
        "health_check_path: /ready}]}"
    )
    k = cfg.kubernetes
    assert (k.image, k.tag, k.container_port, k.health_check_path) == (
        "api", "1.0", 8000, "/ready",
    )  # fmt: skip


def test_a_written_kubernetes_image_takes_the_tag_a_service_runs() -> None:
    cfg = valid("ecs: {services: [{name: api, image: api, tag: '3.2'}]}\nkubernetes: {image: api}")
    assert cfg.kubernetes.tag == "3.2"


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("kubernetes: {replicas: 10}", lambda c: c.kubernetes.hpa.max_replicas == 20),
        (
            "kubernetes: {resources: {cpu_request: '2', memory_request: 1Gi}}",
            lambda c: (
                (c.kubernetes.resources.cpu_limit, c.kubernetes.resources.memory_limit)
                == ("2", "1Gi")
            ),
        ),
        (
            "kubernetes: {resources: {cpu_limit: 50m, memory_limit: 64Mi}}",
            lambda c: (
                (c.kubernetes.resources.cpu_request, c.kubernetes.resources.memory_request)
                == ("50m", "64Mi")
            ),
        ),
        ("name: default", lambda c: c.kube_namespace == "default-dev"),
        (
            "ecs: {services: [{name: a, image: app, cpu: 1024}]}",
            lambda c: c.ecs.services[0].memory == 2048,
        ),
        (
            "ecs: {services: [{name: a, image: app, memory: 4096}]}",
            lambda c: c.ecs.services[0].cpu == 512,
        ),
        (
            "ecs: {services: [{name: a, image: app, autoscaling: {min: 3, max: 5}}]}",
            lambda c: (
                (c.ecs.services[0].desired_count, c.ecs.services[0].autoscaling.cpu_target)
                == (3, 70)
            ),
        ),
        (
            "ecs: {services: [{name: a, image: app, health_check: {interval_seconds: 5}}]}",
            lambda c: c.ecs.services[0].health_check.timeout_seconds == 4,
        ),
        (
            "ecs: {services: [{name: a, image: app, health_check: {timeout_seconds: 30}}]}",
            lambda c: c.ecs.services[0].health_check.interval_seconds == 31,
        ),
        (
            "ecs: {services: [{name: a, image: app, path_patterns: [/a]}, "
            "{name: b, image: app, path_patterns: [/b], priority: 10}]}",
            lambda c: [s.priority for s in c.ecs.services] == [20, 10],
        ),
        (
            "ecs: {capacity_providers: {fargate_weight: 0}}",
            lambda c: c.ecs.capacity_providers.fargate_spot_weight == 1,
        ),
        (
            "ecr: {repositories: [{name: app, kms_key_arn: "
            "'arn:aws:kms:us-east-1:123456789012:key/k'}]}",
            lambda c: c.ecr.repositories[0].encryption == "KMS",
        ),
        (
            "eks: {node_group: {min_size: 5}}",
            lambda c: (c.eks.node_group.max_size, c.eks.node_group.desired_size) == (5, 5),
        ),
        (
            "eks: {node_group: {max_size: 1}}",
            lambda c: (c.eks.node_group.min_size, c.eks.node_group.desired_size) == (1, 1),
        ),
        (
            "eks: {node_group: {desired_size: 10}}",
            lambda c: c.eks.node_group.max_size == 10,
        ),
        ("network: {flow_logs: {retention_days: 30}}", lambda c: c.network.flow_logs.enabled),
        ("eks: {pod_identity: false}", lambda c: c.eks.oidc_provider),
        ("alb: {access_logs: {expire_days: 30}}", lambda c: c.alb.access_logs.enabled),
        ("network: {flow_logs: false}", lambda c: not c.network.flow_logs.enabled),
        (
            "stackset: {preferences: {max_concurrent: 5, failure_tolerance: 1}}",
            lambda c: c.stackset.preferences.concurrency_mode == "SOFT_FAILURE_TOLERANCE",
        ),
    ],
)
def test_a_default_follows_the_written_keys(text: str, check: object) -> None:
    cfg = valid(text)
    assert check(cfg)  # type: ignore[operator]


def test_a_repository_that_empties_on_delete_is_not_retained() -> None:
    cfg = valid("ecr: {repositories: [{name: keep}, {name: scratch, empty_on_delete: true}]}")
    ecr = json.loads(render(cfg, ["json"]).files["ecr.json"])["Resources"]
    assert ecr["KeepRepository"]["DeletionPolicy"] == "RetainExceptOnCreate"
    assert ecr["ScratchRepository"]["DeletionPolicy"] == "Delete"
    with pytest.raises(ConfigError) as info:
        loads(
            "ecr: {repositories: [{name: scratch, empty_on_delete: true}]}\n"
            "retain: {ecr_repositories: true}"
        )
    assert "contradicts retain.ecr_repositories: true" in info.value.problems[0]


def test_the_empty_config_is_the_seed() -> None:
    assert loads("") == Config()
