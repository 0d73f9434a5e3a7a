"""Contract: every child parameter is passed by root and produced by the stack it names."""

from __future__ import annotations

import json
from pathlib import Path

from cfngen import contracts
from cfngen.config import load
from cfngen.contracts import Stack
from cfngen.render import render


def templates(config: Path) -> dict[str, dict]:
    files = render(load(config), ["json"]).files
    return {
        name.removesuffix(".json"): json.loads(data)
        for name, data in files.items()
        if "/" not in name
    }


def contract_names(config: Path) -> set[str]:
    """Every name contracts.py defines, static constants and per-config dynamic ones."""
    cfg = load(config)
    names = {
        v
        for cls in (contracts.NetworkOut, contracts.IamOut, contracts.EcsAlbOut, contracts.EksOut)
        for k, v in vars(cls).items()
        if k.isupper()
    }
    for repo in cfg.ecr.repositories:
        names |= {
            contracts.EcrOut.repository_uri(repo.name),
            contracts.EcrOut.repository_name(repo.name),
        }
    names |= {contracts.EcsAlbOut.service_name(s.name) for s in cfg.ecs.services}
    return names


def test_every_child_parameter_is_wired_or_defaulted(example_config: Path) -> None:
    tpl = templates(example_config)
    root = tpl["root"]
    assert set(tpl) == {"root", *(Stack.FILES[lid] for lid in root["Resources"])}
    for lid in root["Resources"]:
        file = Stack.FILES[lid]
        child = tpl[file]
        passed = root["Resources"][lid]["Properties"].get("Parameters", {})
        for name, param in child.get("Parameters", {}).items():
            assert name in passed or "Default" in param, f"{file}: {name} is never passed"
        for name, value in passed.items():
            assert name in child.get("Parameters", {}), f"root passes unknown {name} to {file}"
            producer, attr = value["Fn::GetAtt"]
            assert attr == f"Outputs.{name}"
            assert name in tpl[Stack.FILES[producer]]["Outputs"], (
                f"{file}.{name} comes from {producer}, which does not output it"
            )


def test_every_cross_stack_name_comes_from_contracts(example_config: Path) -> None:
    tpl = templates(example_config)
    allowed = contract_names(example_config)
    for file in (f for f in Stack.FILES.values() if f in tpl):
        for name in tpl[file].get("Outputs", {}):
            assert name in allowed, f"{file} outputs {name}, which contracts.py does not define"


def test_root_outputs_point_at_real_child_outputs(example_config: Path) -> None:
    tpl = templates(example_config)
    for name, out in tpl["root"]["Outputs"].items():
        producer, attr = out["Value"]["Fn::GetAtt"]
        assert attr == f"Outputs.{name}"
        assert name in tpl[Stack.FILES[producer]]["Outputs"]


def test_stacks_start_in_two_waves(example_config: Path) -> None:
    """network, iam and ecr depend on nothing; ecs-alb and eks only on those three."""
    root = templates(example_config)["root"]

    def deps(lid: str) -> set[str]:
        props = root["Resources"][lid]["Properties"]
        explicit = set(root["Resources"][lid].get("DependsOn", []))
        return explicit | {v["Fn::GetAtt"][0] for v in props.get("Parameters", {}).values()}

    first = {Stack.NETWORK, Stack.IAM, Stack.ECR}
    for lid in first:
        assert deps(lid) == set()
    for lid in (Stack.ECS_ALB, Stack.EKS):
        if lid in root["Resources"]:  # eks.enabled: false has no Eks stack
            assert deps(lid) and deps(lid) <= first
