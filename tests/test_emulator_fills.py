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


def _group(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "g", "VpcId": {"Ref": "Vpc"}, **extra},
    }


def test_inline_egress_replaces_the_default_allow_all_rule(aws: Any) -> None:
    """AWS: a new VPC group may send anything anywhere until the template declares egress."""
    inline = [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "DestinationSecurityGroupId": {"Fn::GetAtt": ["Open", "GroupId"]},
            "Description": "to the open group",
        },
    ]
    outputs = {n: {"Value": {"Fn::GetAtt": [n, "GroupId"]}} for n in ("Open", "Closed")}
    stack = deploy(
        aws, {"Vpc": VPC, "Open": _group(), "Closed": _group(SecurityGroupEgress=inline)}, outputs
    )
    ids = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    ec2 = aws("ec2")

    def egress(name: str) -> set[tuple[Any, ...]]:
        (group,) = ec2.describe_security_groups(GroupIds=[ids[name]])["SecurityGroups"]
        return {
            (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), d.get("CidrIp") or d["GroupId"])
            for p in group["IpPermissionsEgress"]
            for d in p["IpRanges"] + p["UserIdGroupPairs"]
        }

    assert egress("Open") == {("-1", None, None, "0.0.0.0/0")}
    assert egress("Closed") == {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 8080, 8080, ids["Open"])}


def _ingress(port: int, **source: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": {"Fn::GetAtt": ["Target", "GroupId"]},
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            **source,
        },
    }


def test_an_update_that_removes_an_ingress_revokes_it_and_keeps_the_rest(aws: Any) -> None:
    """moto authorises an AWS::EC2::SecurityGroupIngress and never revokes it."""
    from_lb = _ingress(8080, SourceSecurityGroupId={"Fn::GetAtt": ["Source", "GroupId"]})
    from_vpc = _ingress(443, CidrIp="10.9.0.0/16")
    outputs = {"Target": {"Value": {"Fn::GetAtt": ["Target", "GroupId"]}}}
    kept = {"Vpc": VPC, "Target": _group(), "Source": _group(), "FromVpc": from_vpc}
    stack = deploy(aws, {**kept, "FromLb": from_lb}, outputs)
    target = stack["Outputs"][0]["OutputValue"]
    ec2, cfn = aws("ec2"), aws("cloudformation")

    def ingress() -> set[tuple[Any, ...]]:
        (group,) = ec2.describe_security_groups(GroupIds=[target])["SecurityGroups"]
        return {
            (p["FromPort"], "group" if d.get("GroupId") else d["CidrIp"])
            for p in group["IpPermissions"]
            for d in p["IpRanges"] + p["UserIdGroupPairs"]
        }

    assert ingress() == {(8080, "group"), (443, "10.9.0.0/16")}
    body = json.dumps({"Resources": kept, "Outputs": outputs})
    made = cfn.create_change_set(
        StackName="fill", ChangeSetName="drop", ChangeSetType="UPDATE", TemplateBody=body
    )
    cfn.execute_change_set(ChangeSetName=made["Id"])
    assert cfn.describe_stacks(StackName="fill")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert ingress() == {(443, "10.9.0.0/16")}


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ec2:DescribeTags"], "Resource": "*"}],
}


def test_role_policies_read_back_and_managed_ones_are_detached_on_delete(aws: Any) -> None:
    arns = [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "node",
            "AssumeRolePolicyDocument": TRUST,
            "ManagedPolicyArns": arns,
            "Policies": [{"PolicyName": "inline", "PolicyDocument": INLINE}],
        },
    }
    assert deploy(aws, {"Role": role})["StackStatus"] == "CREATE_COMPLETE"
    iam = aws("iam")
    attached = iam.list_attached_role_policies(RoleName="node")["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted(arns)
    version = iam.get_policy(PolicyArn=arns[1])["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arns[1], VersionId=version)["PolicyVersion"]
    assert "ecr:BatchGetImage" in json.dumps(document["Document"])

    assert iam.get_role_policy(RoleName="node", PolicyName="inline")["PolicyDocument"] == INLINE

    aws("cloudformation").delete_stack(StackName="fill")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []


def test_log_group_carries_its_kms_key(aws: Any) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    group = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "/fill/k", "KmsKeyId": key, "RetentionInDays": 365},
    }
    deploy(aws, {"Group": group})
    (found,) = aws("logs").describe_log_groups(logGroupNamePrefix="/fill/")["logGroups"]
    assert (found["kmsKeyId"], found["retentionInDays"]) == (key, 365)


def test_eks_add_on_identity_is_described_through_the_eks_api(aws: Any) -> None:
    eks = aws("eks")
    eks.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    cni_role = "arn:aws:iam::123456789012:role/cni"
    addons = {
        "Cni": {
            "Type": "AWS::EKS::Addon",
            "Properties": {
                "ClusterName": "c",
                "AddonName": "vpc-cni",
                "PodIdentityAssociations": [{"ServiceAccount": "aws-node", "RoleArn": cni_role}],
            },
        },
        "Csi": {
            "Type": "AWS::EKS::Addon",
            "Properties": {
                "ClusterName": "c",
                "AddonName": "aws-ebs-csi-driver",
                "ServiceAccountRoleArn": ROLE,
            },
        },
    }
    deploy(aws, addons)
    assert eks.list_addons(clusterName="c")["addons"] == ["aws-ebs-csi-driver", "vpc-cni"]
    cni = eks.describe_addon(clusterName="c", addonName="vpc-cni")["addon"]
    assert "serviceAccountRoleArn" not in cni
    (assoc_arn,) = cni["podIdentityAssociations"]
    (listed,) = eks.list_pod_identity_associations(clusterName="c")["associations"]
    assert listed["associationArn"] == assoc_arn
    assoc = eks.describe_pod_identity_association(
        clusterName="c", associationId=listed["associationId"]
    )["association"]
    assert (assoc["namespace"], assoc["serviceAccount"], assoc["roleArn"]) == (
        "kube-system",
        "aws-node",
        cni_role,
    )
    csi = eks.describe_addon(clusterName="c", addonName="aws-ebs-csi-driver")["addon"]
    assert (csi["serviceAccountRoleArn"], csi["podIdentityAssociations"]) == (ROLE, [])

    aws("cloudformation").delete_stack(StackName="fill")
    assert eks.list_addons(clusterName="c")["addons"] == []
    with pytest.raises(eks.exceptions.ResourceNotFoundException):
        eks.describe_addon(clusterName="c", addonName="vpc-cni")
