"""Config loading and validation: every bad input names its key, value and rule."""

from __future__ import annotations

import textwrap

import pytest

from cfngen.config import Config, ConfigError, EcsService, load, loads


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        loads(textwrap.dedent(text), "test.yaml")
    return info.value.problems


def test_empty_file_gives_the_seed_defaults() -> None:
    cfg = loads("")
    assert cfg == Config()
    assert cfg.prefix == "cfngen-dev"
    assert cfg.stack_name == "cfngen-dev"
    assert cfg.network.vpc_cidr == "10.0.0.0/16"
    assert cfg.network.availability_zones == 2
    assert cfg.network.public_subnets == ("10.0.1.0/24", "10.0.2.0/24")
    assert [r.name for r in cfg.ecr.repositories] == ["app"]


def test_default_yaml_is_valid_and_typed() -> None:
    cfg = load("config/default.yaml")
    assert isinstance(cfg.ecs.services[0], EcsService)
    assert cfg.tags == {}  # the seed: only the tags cfngen adds itself
    assert cfg.eks.node_group.instance_types == ("t3.medium",)


def test_az_names_list_is_accepted() -> None:
    cfg = loads("network: {availability_zones: [eu-west-1a, eu-west-1b]}\nregion: eu-west-1")
    assert cfg.network.availability_zones == ("eu-west-1a", "eu-west-1b")
    assert cfg.az_count() == 2


def test_explicit_stack_name_wins() -> None:
    assert loads("deploy: {stack_name: Platform-Prod}").stack_name == "Platform-Prod"


def test_missing_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "nope.yaml")
    assert "cannot read config" in str(info.value)


# (yaml text, key path the message must start with, fragment the message must contain)
BAD_INPUTS = [
    ("name: Cfngen", "name:", "'Cfngen' is not allowed"),
    ("name: a-very-long-name-that-goes-on", "name:", "1-20 lowercase"),
    ("environment: prod_1", "environment:", "'prod_1'"),
    ("region: mars-1", "region:", "'mars-1' is not an AWS region"),
    ("network: {vpc_cidr: 10.0.0.0/33}", "network.vpc_cidr:", "not a valid network CIDR"),
    ("network: {vpc_cidr: 10.0.0.1/16}", "network.vpc_cidr:", "host bits are set"),
    ("network: {vpc_cidr: 10.0.0.0/8}", "network.vpc_cidr:", "/16 to /28"),
    (
        "network: {public_subnets: [10.0.1.0/24, 10.1.2.0/24]}",
        "network.public_subnets[1]:",
        "10.1.2.0/24 is outside network.vpc_cidr 10.0.0.0/16",
    ),
    (
        "network: {public_subnets: [10.0.0.0/20, 10.0.1.0/24]}",
        "network.public_subnets[1]:",
        "overlaps network.public_subnets[0] 10.0.0.0/20",
    ),
    (
        "network: {public_subnets: [10.0.1.0/24]}",
        "network.public_subnets:",
        "1 subnets given for 2 availability zones",
    ),
    (
        "network: {availability_zones: 1, public_subnets: [10.0.1.0/24]}",
        "network.availability_zones:",
        "at least 2",
    ),
    (
        "network: {availability_zones: [us-east-1a, us-east-1a]}",
        "network.availability_zones[1]:",
        "listed twice",
    ),
    (
        "network: {availability_zones: [eu-west-1a, us-east-1b]}",
        "network.availability_zones[0]:",
        "not an AZ of region us-east-1",
    ),
    ("network: {availability_zones: two}", "network.availability_zones:", "an integer or a list"),
    ("netwrok: {}", "netwrok:", "did you mean 'network'?"),
    ("ecs: {servces: []}", "ecs.servces:", "did you mean 'services'?"),
    ("ecr: {repositories: [{name: App}]}", "ecr.repositories[0].name:", "not a valid ECR"),
    ("ecr: {repositories: [{name: app}, {name: app}]}", "ecr.repositories[1].name:", "twice"),
    ("ecr: {repositories: []}", "ecr.repositories:", "at least one repository"),
    (
        "ecs: {services: [{name: 'web svc', image: app}]}",
        "ecs.services[0].name:",
        "not a valid ECS service name",
    ),
    (
        "ecs: {services: [{name: web, image: app, container_port: 70000}]}",
        "ecs.services[0].container_port:",
        "70000 is not a port",
    ),
    (
        "ecs: {services: [{name: web, image: app, cpu: 256, memory: 4096}]}",
        "ecs.services[0].memory:",
        "4096 MiB is not valid with cpu 256 on Fargate; use 512, 1024, 2048",
    ),
    (
        "ecs: {services: [{name: web, image: app, cpu: 300}]}",
        "ecs.services[0].cpu:",
        "300 is not a Fargate CPU size",
    ),
    (
        "ecs: {services: [{name: web, image: ap}]}\necr: {repositories: [{name: app}]}",
        "ecs.services[0].image:",
        "'ap' names no repository in ecr.repositories (app); did you mean 'app'?",
    ),
    (
        "ecs: {services: [{name: web, image: 'nginx:1.27'}]}",
        "ecs.services[0].image:",
        "has no registry",
    ),
    (
        "ecs: {services: [{name: web, image: app, tag: 'v 1'}]}",
        "ecs.services[0].tag:",
        "not a valid image tag",
    ),
    (
        "ecs: {services: [{name: web, image: app, health_check_path: health}]}",
        "ecs.services[0].health_check_path:",
        "must start with '/'",
    ),
    ("ecs: {services: [{name: web}]}", "ecs.services[0].image:", "required key is missing"),
    ("ecs: {services: [{name: web, image: app, cpu: '256'}]}", "ecs.services[0].cpu:", "integer"),
    ("ecs: {log_retention_days: 10}", "ecs.log_retention_days:", "10 is not a CloudWatch"),
    (  # found by make fuzz: refused while disabled too
        "network: {flow_logs: {enabled: false, retention_days: -1}}",
        "network.flow_logs.retention_days:",
        "-1 is not a CloudWatch",
    ),
    (
        "eks: {node_group: {min_size: 3, desired_size: 2, max_size: 4}}",
        "eks.node_group:",
        "min_size 3 <= desired_size 2 <= max_size 4 does not hold",
    ),
    ("eks: {version: 1.30}", "eks.version:", "1.3 was read as a number, not a string; put the"),
    (
        "stackset: {accounts: [111111111111]}",
        "stackset.accounts[0]:",
        "111111111111 was read as a number, not a string; put the value in quotes",
    ),
    ("eks: {version: '1.20'}", "eks.version:", "'1.20' is past the end of EKS extended support"),
    ("eks: {version: '1.99'}", "eks.version:", "'1.99' is not an EKS version"),
    ("eks: {version: '1.280'}", "eks.version:", "'1.280' is not an EKS version"),
    ("eks: {version: '1.0028'}", "eks.version:", "'1.0028' is not a Kubernetes version"),
    ("eks: {version: '1.31'}", "eks.version:", "reached the end of EKS extended support"),
    ("eks: {node_group: {instance_types: [large]}}", "eks.node_group.instance_types[0]:", "large"),
    ("tags: {team: 7}", "tags.team:", "is not a string (quote it)"),
    ("tags: {'aws:x': y}", "tags.aws:x:", "may not start with 'aws:'"),
    ("tags: {'FALse': ''}", "tags.FALse:", "cfn-lint reads it as a boolean"),
    ("deploy: {stack_name: 9lives}", "deploy.stack_name:", "not a valid stack name"),
    ("- just\n- a list", "config:", "is not a mapping"),
]


@pytest.mark.parametrize(("text", "key", "fragment"), BAD_INPUTS, ids=[b[1] for b in BAD_INPUTS])
def test_bad_input_names_the_key(text: str, key: str, fragment: str) -> None:
    problems = problems_of(text)
    matching = [p for p in problems if p.startswith(key) and fragment in p]
    assert matching, f"no problem starting with {key!r} containing {fragment!r} in {problems}"


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(
        """
        name: BAD
        network: {vpc_cidr: nonsense}
        ecs: {services: [{name: web, image: app, cpu: 256, memory: 999}]}
        eks: {node_group: {min_size: 5, max_size: 1, desired_size: 2}}
        """
    )
    keys = {p.split(":")[0] for p in problems}
    assert {"name", "network.vpc_cidr", "ecs.services[0].memory", "eks.node_group"} <= keys


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        ("desired_size: -1", "eks.node_group.desired_size: -1 is negative"),
        ("max_size: -1", "eks.node_group.max_size: -1 must be at least 1"),
        ("max_size: 0", "eks.node_group.max_size: 0 must be at least 1"),
        ("min_size: -1", "eks.node_group.min_size: -1 is negative"),
    ],
)
def test_a_bad_node_group_size_is_the_one_problem(size: str, problem: str) -> None:
    """The sizes left at their defaults follow a written one only when it is valid, so a bad
    size is refused under its own key, not as a default that followed it (found by make fuzz:
    ``desired_size: -1`` was reported as ``min_size (default): -1 is negative``)."""
    assert problems_of(f"eks: {{node_group: {{{size}}}}}") == [problem]


def test_error_text_carries_the_source_file() -> None:
    with pytest.raises(ConfigError) as info:
        loads("name: X", "config/mine.yaml")
    assert str(info.value).startswith("config/mine.yaml:1:7: name: 'X'")


def test_image_uri_with_tag_is_accepted() -> None:
    cfg = loads("ecs: {services: [{name: web, image: 'ghcr.io/acme/web:1.2.3'}]}")
    assert cfg.ecs.services[0].image == "ghcr.io/acme/web:1.2.3"


def test_service_names_that_clash_as_logical_ids_are_rejected() -> None:
    problems = problems_of(
        """
        ecs:
          services:
            - {name: web-api, image: app}
            - {name: web_api, image: app}
        """
    )
    assert any(
        p.startswith("ecs.services[1].name:") and "same logical ID WebApi" in p for p in problems
    )
