"""An update changes what its resolved values change, as in CloudFormation (emulator fill).

A parameter whose default moved (an image tag) modifies what refers to it, and a
replaced resource (a task definition: every property is create-only) modifies what
refers to it in turn; both show in the change set and in the resources afterwards.
Shown through the CloudFormation and ECS APIs of the emulator.
"""

from __future__ import annotations

import json

from deploy_env import *  # noqa: F403
from deploy_env import Env

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Tag": {"Type": "String", "Default": "1.0"}},
    "Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "diff"}},
        "Task": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": "diff",
                "ContainerDefinitions": [
                    {"Name": "app", "Image": {"Fn::Sub": "nginx:${Tag}"}, "Memory": 128}
                ],
            },
        },
        "Log": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/diff"}},
    },
}


def _with_tag(tag: str) -> str:
    body = json.loads(json.dumps(TEMPLATE))
    body["Parameters"]["Tag"]["Default"] = tag
    return json.dumps(body)


def test_a_new_default_modifies_what_refers_to_it_and_only_that(env: Env) -> None:
    cfn, ecs = env.client("cloudformation"), env.client("ecs")
    cfn.create_stack(StackName="diff", TemplateBody=_with_tag("1.0"))
    first = ecs.list_task_definitions(familyPrefix="diff")["taskDefinitionArns"]
    cs = cfn.create_change_set(
        StackName="diff",
        ChangeSetName="next",
        ChangeSetType="UPDATE",
        TemplateBody=_with_tag("1.1"),
    )
    changes = cfn.describe_change_set(ChangeSetName=cs["Id"])["Changes"]
    assert [c["ResourceChange"]["LogicalResourceId"] for c in changes] == ["Task"]
    cfn.execute_change_set(ChangeSetName=cs["Id"])
    (task,) = ecs.list_task_definitions(familyPrefix="diff")["taskDefinitionArns"]
    assert task not in first  # a new revision; the old one was deregistered
    image = ecs.describe_task_definition(taskDefinition=task)["taskDefinition"][
        "containerDefinitions"
    ][0]["image"]
    assert image == "nginx:1.1"
    # the same default again: nothing to change
    cs = cfn.create_change_set(
        StackName="diff",
        ChangeSetName="same",
        ChangeSetType="UPDATE",
        TemplateBody=_with_tag("1.1"),
    )
    status = cfn.describe_change_set(ChangeSetName=cs["Id"])
    assert status["Status"] == "FAILED" and "didn't contain changes" in status["StatusReason"]
