"""An update creates and modifies first and deletes what it removes last, as CloudFormation
does (emulator fill: moto deletes first, so a resource goes while others still refer to it).

Turning Service Connect off on a running platform is the case users hit: the services
drop their Service Connect configuration and the task groups their peer rule before the
Cloud Map namespace and the peers' security group go, in the single layout (one stack)
and in the sharded one (the namespace in ``ecs-alb``, the services in the shards: the
nested stacks' cleanup waits for the root's). Shown through the ECS, Cloud Map and
CloudFormation APIs of the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from deploy_env import *  # noqa: F403
from deploy_env import Env

CLUSTER = "cfngen-dev"
LAYOUTS = {
    "single": {},
    "sharded": {"layout": "sharded", "shards": 2},
}


def _service(name: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": "public.ecr.aws/nginx/nginx",
        "tag": "stable",
        "container_port": port,
        "desired_count": 1,
        "path_patterns": [f"/{name}/*"],
    }


def _services(env: Env) -> dict[str, dict[str, Any]]:
    ecs = env.client("ecs")
    arns = ecs.list_services(cluster=CLUSTER)["serviceArns"]
    found = ecs.describe_services(cluster=CLUSTER, services=arns)["services"]
    return {s["serviceArn"]: s for s in found}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_turning_service_connect_off_keeps_the_services_and_drops_the_namespace(
    env: Env, layout: str
) -> None:
    services = [_service("web", 8080), _service("api", 9000), _service("jobs", 7000)]
    ecs = {**LAYOUTS[layout], "services": services}
    connect = {"service_connect": {"namespace": "shop.internal"}}
    on = env.config("on", ecs={**ecs, **connect}, eks={"enabled": False})
    code, _, err = env.cfngen("deploy", "--config", str(on), "--yes")
    assert code == 0, err
    discovery = env.client("servicediscovery")
    (namespace,) = discovery.list_namespaces()["Namespaces"]
    before = _services(env)
    assert len(before) == 3
    for svc in before.values():
        assert svc["deployments"][0]["serviceConnectConfiguration"]["namespace"] == namespace["Arn"]

    off = env.config("off", ecs=ecs, eks={"enabled": False})
    code, out, err = env.cfngen("deploy", "--config", str(off), "--yes")
    assert code == 0, err + out

    assert discovery.list_namespaces()["Namespaces"] == []
    after = _services(env)
    assert set(after) == set(before)  # the same services, updated in place
    for svc in after.values():
        assert svc["status"] == "ACTIVE"
        assert not svc["deployments"][0].get("serviceConnectConfiguration")
    cfn = env.client("cloudformation")
    statuses = {s["StackName"]: s["StackStatus"] for s in cfn.describe_stacks()["Stacks"]}
    assert statuses.pop("cfngen-dev") == "UPDATE_COMPLETE"
    assert set(statuses.values()) <= {"CREATE_COMPLETE", "UPDATE_COMPLETE"}, statuses


TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        "Peers": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "peers", "VpcId": {"Ref": "Vpc"}},
        },
        "Tasks": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "tasks", "VpcId": {"Ref": "Vpc"}},
        },
        "FromPeers": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": {"Ref": "Tasks"},
                "SourceSecurityGroupId": {"Ref": "Peers"},
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
            },
        },
        "Kept": {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "Properties": {"LogGroupName": "/order/kept"},
        },
        "Gone": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/order/gone"}},
    },
}


def _without(*names: str) -> str:
    body = json.loads(json.dumps(TEMPLATE))
    for name in names:
        del body["Resources"][name]
    body["Resources"]["Added"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "/order/added"},
    }
    return json.dumps(body)


def test_an_update_deletes_in_its_cleanup_phase_and_keeps_what_is_retained(env: Env) -> None:
    cfn, ec2, logs = env.client("cloudformation"), env.client("ec2"), env.client("logs")
    cfn.create_stack(StackName="order", TemplateBody=json.dumps(TEMPLATE))
    body = _without("Peers", "FromPeers", "Kept", "Gone")
    cs = cfn.create_change_set(
        StackName="order", ChangeSetName="next", ChangeSetType="UPDATE", TemplateBody=body
    )
    cfn.execute_change_set(ChangeSetName=cs["Id"])

    events = cfn.describe_stack_events(StackName="order")["StackEvents"][::-1]
    steps = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events]
    steps = steps[steps.index(("order", "UPDATE_IN_PROGRESS")) :]
    cleanup = steps.index(("order", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
    assert ("Added", "CREATE_COMPLETE") in steps[:cleanup]
    deleted = [lid for lid, status in steps[cleanup:] if status == "DELETE_COMPLETE"]
    assert deleted == ["FromPeers", "Gone", "Peers"]  # the rule before the group it names
    assert ("Kept", "DELETE_SKIPPED") in steps[cleanup:]
    assert steps[-1] == ("order", "UPDATE_COMPLETE")

    listed_groups = logs.describe_log_groups(logGroupNamePrefix="/order")["logGroups"]
    names = {g["logGroupName"] for g in listed_groups}
    assert names == {"/order/kept", "/order/added"}
    groups = {g["Description"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert "tasks" in groups and "peers" not in groups
    listed = cfn.describe_stack_resources(StackName="order")["StackResources"]
    assert {r["LogicalResourceId"] for r in listed} == {"Vpc", "Tasks", "Added"}
