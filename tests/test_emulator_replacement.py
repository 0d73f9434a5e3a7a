"""A replaced resource is created anew before the old one goes, as CloudFormation does
(emulator: the types it models itself re-created in place, deleting first).

A Cloud Map namespace whose ``Name`` (create-only) changes while an ECS service uses it
through Service Connect: the new namespace is made, the service moves to it, and the old
one is deleted in the cleanup phase; a failed update keeps the old one and drops the new.
A failed update rolls back the nested stacks it had already updated (old template back,
what they added deleted, what they dropped kept). And a nested template that drops its
last parameter updates (moto kept the old parameters when none were passed). Small
templates over real HTTP (CloudFormation, ECS, Cloud Map).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cfngen.emulator import Emulator

CLUSTER = {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "repl"}}
TASK = {
    "Type": "AWS::ECS::TaskDefinition",
    "Properties": {
        "Family": "repl",
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
NAMESPACE = {"Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": {"Name": "ph.local"}}
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


SERVICE = service({"Fn::GetAtt": ["Namespace", "Arn"]})


def template(namespace: str, **extra: Any) -> str:
    ns = {"Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": {"Name": namespace}}
    resources = {"Namespace": ns, "Cluster": CLUSTER, "Task": TASK, "Service": SERVICE}
    return json.dumps({"Resources": {**resources, **extra}})


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


def update(aws: Any, stack: str, body: str) -> str:
    cfn = aws("cloudformation")
    cs = cfn.create_change_set(
        StackName=stack, ChangeSetName="next", ChangeSetType="UPDATE", TemplateBody=body
    )
    cfn.execute_change_set(ChangeSetName=cs["Id"])
    return str(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def body(resources: dict[str, Any], **sections: Any) -> str:
    return json.dumps({"Resources": resources, **sections})


def status(aws: Any, stack: str) -> str:
    return str(aws("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def events(aws: Any, stack: str) -> list[tuple[str, str]]:
    """(logical id, status) of a stack's events, oldest first."""
    listed = aws("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(listed)]


def namespaces(aws: Any) -> dict[str, str]:
    return {n["Name"]: n["Arn"] for n in aws("servicediscovery").list_namespaces()["Namespaces"]}


def service_namespace(aws: Any) -> str:
    (svc,) = aws("ecs").describe_services(cluster="repl", services=["app"])["services"]
    return str(svc["deployments"][0]["serviceConnectConfiguration"]["namespace"])


def test_a_renamed_namespace_is_made_first_and_the_old_one_goes_in_cleanup(aws: Any) -> None:
    aws("cloudformation").create_stack(StackName="s", TemplateBody=template("a.local"))
    (old_arn,) = namespaces(aws).values()

    assert update(aws, "s", template("b.local")) == "UPDATE_COMPLETE"

    assert list(namespaces(aws)) == ["b.local"]
    assert service_namespace(aws) == namespaces(aws)["b.local"]
    listed = aws("cloudformation").describe_stack_events(StackName="s")["StackEvents"]
    seen = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(listed)]
    start = seen.index(("s", "UPDATE_IN_PROGRESS"))
    steps = [
        seen.index(("Namespace", "UPDATE_COMPLETE"), start),  # the new one
        seen.index(("Service", "UPDATE_COMPLETE"), start),  # moved to it
        seen.index(("s", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), start),
        seen.index(("Namespace", "DELETE_COMPLETE"), start),  # the old one
    ]
    assert steps == sorted(steps)
    deleted = next(e for e in listed if e["ResourceStatus"] == "DELETE_COMPLETE")
    assert old_arn.endswith(deleted["PhysicalResourceId"])


def test_a_failed_update_keeps_the_old_namespace_and_drops_the_new(
    aws: Any, emulator: Emulator
) -> None:
    aws("cloudformation").create_stack(StackName="s", TemplateBody=template("a.local"))
    old_arn = namespaces(aws)["a.local"]
    emulator.client().fault("fail_resource", type="AWS::SQS::Queue", reason="no (injected)")
    failing = template("b.local", Queue={"Type": "AWS::SQS::Queue", "DependsOn": "Service"})

    assert update(aws, "s", failing) == "UPDATE_ROLLBACK_COMPLETE"

    assert namespaces(aws) == {"a.local": old_arn}
    resources = aws("cloudformation").describe_stack_resources(StackName="s")["StackResources"]
    (ns,) = [r for r in resources if r["LogicalResourceId"] == "Namespace"]
    assert old_arn.endswith(ns["PhysicalResourceId"])


def test_a_nested_template_may_drop_its_last_parameter(aws: Any, emulator: Emulator) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="repl")
    with_param = {
        "Parameters": {"Tag": {"Type": "String"}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    }
    s3.put_object(Bucket="repl", Key="v1.json", Body=json.dumps(with_param).encode())
    s3.put_object(
        Bucket="repl",
        Key="v2.json",
        Body=json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}).encode(),
    )

    def root(key: str, parameters: dict[str, str] | None) -> str:
        child: dict[str, Any] = {"TemplateURL": f"{emulator.url}/repl/{key}"}
        if parameters is not None:
            child["Parameters"] = parameters
        return json.dumps(
            {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": child}}}
        )

    aws("cloudformation").create_stack(StackName="root", TemplateBody=root("v1.json", {"Tag": "x"}))

    assert update(aws, "root", root("v2.json", None)) == "UPDATE_COMPLETE"


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
    failing = {
        "Cluster": CLUSTER,
        "Task": TASK,
        "Service": service(),
        "Log": {"Type": "AWS::Logs::LogGroup"},
    }
    root = nested_root(aws, emulator, "v2", body({"Keep": PLACEHOLDER}), body(failing), wired=False)

    update(aws, "root", root)

    assert status(aws, "root") == "UPDATE_ROLLBACK_COMPLETE"
    assert status(aws, a_id) == "UPDATE_ROLLBACK_COMPLETE"  # A had updated: rolled back too
    assert aws("cloudformation").get_template(StackName=a_id)["TemplateBody"] == a_before
    assert list(namespaces(aws)) == ["ph.local"]  # A's cleanup never ran
    assert ("Namespace", "DELETE_IN_PROGRESS") not in events(aws, a_id)
    assert ("Keep", "DELETE_COMPLETE") in events(aws, a_id)  # what A had added went
