"""Each emulator gap fill, shown through the service API it fills (small templates, real HTTP).

moto 5.2.5 has no CloudFormation model for these types, or drops what is asserted
here; each test fails without its fill (the production deploy test covers the
ELBv2, ECS, ECR, OIDC and Application Auto Scaling fills in place).
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from cfngen.emulator import Emulator

VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}}
ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture
def aws(emulator: Emulator) -> Any:
    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=emulator.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def deploy(aws: Any, resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> Any:
    """Create a stack; return it described (status, outputs)."""
    cfn = aws("cloudformation")
    body = {"Resources": resources, **({"Outputs": outputs} if outputs else {})}
    cfn.create_stack(StackName="fill", TemplateBody=json.dumps(body))
    return cfn.describe_stacks(StackName="fill")["Stacks"][0]


def reason(aws: Any) -> str:
    events = aws("cloudformation").describe_stack_events(StackName="fill")["StackEvents"]
    return next(e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "CREATE_FAILED")


def test_kms_key_policy_reads_back_and_a_deleted_key_waits_out_its_window(aws: Any) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy, "PendingWindowInDays": 7}}
    stack = deploy(aws, {"Key": key}, {"Id": {"Value": {"Ref": "Key"}}})
    key_id = stack["Outputs"][0]["OutputValue"]
    kms = aws("kms")
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == policy
    aws("cloudformation").delete_stack(StackName="fill")
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"


def test_security_group_egress_rule_is_on_the_group(aws: Any) -> None:
    group = {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "g", "VpcId": {"Ref": "Vpc"}},
    }
    egress = {
        "Type": "AWS::EC2::SecurityGroupEgress",
        "Properties": {
            "GroupId": {"Fn::GetAtt": ["Group", "GroupId"]},
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIp": "10.9.0.0/16",
        },
    }
    stack = deploy(aws, {"Vpc": VPC, "Group": group, "Egress": egress})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    groups = aws("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["*Group*"]}]
    )["SecurityGroups"]
    rules = [
        (r["IpProtocol"], r.get("FromPort"), [x["CidrIp"] for x in r["IpRanges"]])
        for g in groups
        for r in g["IpPermissionsEgress"]
    ]
    assert ("tcp", 443, ["10.9.0.0/16"]) in rules


def test_bucket_policy_is_on_the_bucket(aws: Any) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::fill-bucket/*",
            }
        ],
    }
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "fill-bucket"}}
    policy = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": document},
    }
    deploy(aws, {"Bucket": bucket, "Policy": policy})
    got = json.loads(aws("s3").get_bucket_policy(Bucket="fill-bucket")["Policy"])
    assert got == document


def test_eks_add_on_and_access_entry_need_their_cluster(aws: Any) -> None:
    addon = {
        "Type": "AWS::EKS::Addon",
        "Properties": {"ClusterName": "nowhere", "AddonName": "vpc-cni"},
    }
    stack = deploy(aws, {"Addon": addon})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "No cluster found for name: nowhere." in reason(aws)

    aws("cloudformation").delete_stack(StackName="fill")
    aws("eks").create_cluster(
        name="c", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]}
    )
    entry = {
        "Type": "AWS::EKS::AccessEntry",
        "Properties": {"ClusterName": "c", "PrincipalArn": ROLE},
    }
    addon["Properties"]["ClusterName"] = "c"
    outputs = {
        "AddonArn": {"Value": {"Fn::GetAtt": ["Addon", "Arn"]}},
        "EntryArn": {"Value": {"Fn::GetAtt": ["Entry", "AccessEntryArn"]}},
    }
    stack = deploy(aws, {"Addon": addon, "Entry": entry}, outputs)
    got = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert got["AddonArn"].startswith("arn:aws:eks:us-east-1:123456789012:addon/c/vpc-cni/")
    assert ":access-entry/c/role/123456789012/eks/" in got["EntryArn"]


def test_custom_resource_answers_success_only_for_a_function_that_exists(aws: Any) -> None:
    token = "arn:aws:lambda:us-east-1:123456789012:function:missing"
    custom = {"Type": "Custom::Thing", "Properties": {"ServiceToken": token}}
    stack = deploy(aws, {"Thing": custom})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "missing" in reason(aws)


def test_a_type_nobody_models_is_a_placeholder_with_a_stable_id(aws: Any) -> None:
    thing = {"Type": "AWS::Nothing::Modelled", "Properties": {"Name": "n"}}
    stack = deploy(aws, {"Thing": thing}, {"Arn": {"Value": {"Fn::GetAtt": ["Thing", "Arn"]}}})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    arn = stack["Outputs"][0]["OutputValue"]
    assert re.fullmatch(r"arn:aws:nothing:us-east-1:123456789012:modelled/fill-Thing-\w+", arn)
    [res] = aws("cloudformation").describe_stack_resources(StackName="fill")["StackResources"]
    assert re.fullmatch(r"thing-[0-9a-f]{17}", res["PhysicalResourceId"])
