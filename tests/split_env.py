"""The split platform the deploy tests share: three services, four shards, two per group."""

from __future__ import annotations

from typing import Any

from deploy_env import STACK, Env

NAMES = ["alpha", "beta", "gamma"]


def _service(name: str, count: int = 1) -> dict[str, Any]:
    return {
        "name": name,
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "desired_count": count,
        "path_patterns": [f"/{name}/*"],
    }


def split_config(
    env: Env,
    name: str = "split",
    operations: str = "split",
    names: tuple[str, ...] = tuple(NAMES),
    per_group: int = 2,
    **counts: int,
) -> str:
    """Three services in four shards, two shards per service group: root and two groups
    (``names`` without alpha: root and one group, alpha's shard is group 02's only one)."""
    services = [_service(n, counts.get(n, 1)) for n in names]
    ecs = {"layout": "sharded", "shards": 4, "services": services}
    ecs |= {"operations": operations, "shards_per_operation": per_group}
    return str(env.config(name, ecs=ecs, eks={"enabled": False}))


def group_stacks(env: Env) -> list[str]:
    summaries = env.client("cloudformation").list_stacks()["StackSummaries"]
    return sorted(
        s["StackName"]
        for s in summaries
        if s["StackName"].startswith(f"{STACK}-services-")
        and s["StackStatus"] != "DELETE_COMPLETE"
        and not s.get("ParentId")  # a group's nested shard stacks
    )


def services_of(env: Env, stack: str) -> set[str]:
    """ECS services (physical ids) in the stack's nested stacks, read through the API."""
    cfn = env.client("cloudformation")
    found: set[str] = set()
    for res in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]:
        if res["ResourceType"] == "AWS::CloudFormation::Stack":
            found |= services_of(env, res["PhysicalResourceId"])
        elif res["ResourceType"] == "AWS::ECS::Service":
            found.add(res["PhysicalResourceId"].rsplit("/", 1)[-1])
    return found


def ecs_services(env: Env) -> set[str]:
    """The cluster's active services (a deleted one may still be listed, INACTIVE)."""
    ecs = env.client("ecs")
    arns = ecs.list_services(cluster=STACK)["serviceArns"]
    if not arns:
        return set()
    described = ecs.describe_services(cluster=STACK, services=arns)["services"]
    return {s["serviceName"] for s in described if s["status"] == "ACTIVE"}
