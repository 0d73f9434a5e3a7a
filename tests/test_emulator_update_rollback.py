"""A failed update rolls back the nested stacks it had already updated, as CloudFormation
does, and deletes nothing they dropped (emulator: their cleanup would otherwise run).

The root nests ``A`` (a Cloud Map namespace) and ``B`` (an ECS service using it through
Service Connect); an update drops the namespace from A and Service Connect from B, and B
fails: A goes back to its old template, keeps its namespace and loses what it had added.
Small templates over real HTTP (CloudFormation, Cloud Map).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cfngen.emulator import Emulator

NAMESPACE = {"Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": {"Name": "ph.local"}}
CLUSTER = {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "phases"}}
TASK = {
    "Type": "AWS::ECS::TaskDefinition",
    "Properties": {
        "Family": "phases",
        "ContainerDefinitions": [
            {
                "Name": "app",
                "Image": "nginx",
                "Memory": 128,
                "PortMappings": [{"ContainerPort": 80, "Name": "http"}],
            }
        ],
    },
}
PLACEHOLDER = {"Type": "AWS::SQS::Queue"}


def service(namespace: Any = None) -> dict[str, Any]:
    """An ECS service, with Service Connect in ``namespace`` when one is given."""
    props: dict[str, Any] = {
        "Cluster": {"Ref": "Cluster"},
        "ServiceName": "app",
        "TaskDefinition": {"Ref": "Task"},
        "DesiredCount": 1,
    }
    if namespace is not None:
        props["ServiceConnectConfiguration"] = {
            "Enabled": True,
            "Namespace": namespace,
            "Services": [{"PortName": "http", "DiscoveryName": "app"}],
        }
    return {"Type": "AWS::ECS::Service", "Properties": props}


@pytest.fixture
def aws(emulator: Emulator) -> Any:
    def client(name: str) -> Any:
        return boto3.client(
            name,
            endpoint_url=emulator.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )

    return client


def body(resources: dict[str, Any], **sections: Any) -> str:
    return json.dumps({"Resources": resources, **sections})


def update(aws: Any, stack: str, template: str) -> None:
    """Update through a change set, as cfngen deploy does."""
    cfn = aws("cloudformation")
    cs = cfn.create_change_set(
        StackName=stack, ChangeSetName="next", ChangeSetType="UPDATE", TemplateBody=template
    )
    cfn.execute_change_set(ChangeSetName=cs["Id"])


def status(aws: Any, stack: str) -> str:
    return str(aws("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def events(aws: Any, stack: str) -> list[tuple[str, str]]:
    """(logical id, status) of a stack's events, oldest first."""
    listed = aws("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(listed)]


def namespaces(aws: Any) -> list[str]:
    return [n["Name"] for n in aws("servicediscovery").list_namespaces()["Namespaces"]]


WITHOUT_CONNECT = {"Cluster": CLUSTER, "Task": TASK, "Service": service()}


# --------------------------------------------------------------------------- nested stacks

NAMESPACE_STACK = {"Namespace": NAMESPACE}
NAMESPACE_OUT = {"Arn": {"Value": {"Fn::GetAtt": ["Namespace", "Arn"]}}}
APP_WITH_CONNECT = {
    "Cluster": CLUSTER,
    "Task": TASK,
    "Service": service({"Ref": "NamespaceArn"}),
}


def nested_root(aws: Any, emulator: Emulator, name: str, a: str, b: str, wired: bool) -> str:
    """A root nesting ``A`` (declared first) and ``B``; ``wired``: B takes A's namespace ARN."""
    s3 = aws("s3")
    s3.put_object(Bucket="phases", Key=f"{name}/a.json", Body=a.encode())
    s3.put_object(Bucket="phases", Key=f"{name}/b.json", Body=b.encode())
    b_props: dict[str, Any] = {"TemplateURL": f"{emulator.url}/phases/{name}/b.json"}
    if wired:
        b_props["Parameters"] = {"NamespaceArn": {"Fn::GetAtt": ["A", "Outputs.Arn"]}}
    stacks = {
        "A": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {"TemplateURL": f"{emulator.url}/phases/{name}/a.json"},
        },
        "B": {"Type": "AWS::CloudFormation::Stack", "Properties": b_props},
    }
    return body(stacks)


def nested_stack(aws: Any, logical_id: str) -> str:
    resources = aws("cloudformation").list_stack_resources(StackName="root")
    return next(
        str(r["PhysicalResourceId"])
        for r in resources["StackResourceSummaries"]
        if r["LogicalResourceId"] == logical_id
    )


def deploy_connected(aws: Any, emulator: Emulator) -> None:
    """Root with A (the namespace) and B (the service using it through A's output)."""
    aws("s3").create_bucket(Bucket="phases")
    root = nested_root(
        aws,
        emulator,
        "v1",
        body(NAMESPACE_STACK, Outputs=NAMESPACE_OUT),
        body(APP_WITH_CONNECT, Parameters={"NamespaceArn": {"Type": "String"}}),
        wired=True,
    )
    aws("cloudformation").create_stack(StackName="root", TemplateBody=root)
    assert status(aws, "root") == "CREATE_COMPLETE"


def test_a_failed_update_deletes_nothing_and_rolls_back_the_nested_stacks_it_updated(
    aws: Any, emulator: Emulator
) -> None:
    deploy_connected(aws, emulator)
    a_id = nested_stack(aws, "A")
    a_before = aws("cloudformation").get_template(StackName=a_id)["TemplateBody"]
    emulator.client().fault("fail_resource", type="AWS::Logs::LogGroup", reason="no (injected)")
    failing = {**WITHOUT_CONNECT, "Log": {"Type": "AWS::Logs::LogGroup"}}
    root = nested_root(aws, emulator, "v2", body({"Keep": PLACEHOLDER}), body(failing), wired=False)

    update(aws, "root", root)

    assert status(aws, "root") == "UPDATE_ROLLBACK_COMPLETE"
    assert status(aws, a_id) == "UPDATE_ROLLBACK_COMPLETE"  # A had updated: rolled back too
    assert aws("cloudformation").get_template(StackName=a_id)["TemplateBody"] == a_before
    assert namespaces(aws) == ["ph.local"]  # A's cleanup never ran
    assert ("Namespace", "DELETE_IN_PROGRESS") not in events(aws, a_id)
    assert ("Keep", "DELETE_COMPLETE") in events(aws, a_id)  # what A had added went
