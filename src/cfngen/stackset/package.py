"""Packaging for StackSets: the deployer's upload plus what the targets need to read it.

:func:`cfngen.deploy.package.upload_templates` already writes content-addressed
objects and a packaged root with absolute, regional, virtual-hosted URLs. Stack
instances in other accounts fetch the nested templates themselves, so the
template bucket also needs a statement granting them ``s3:GetObject`` (the
accounts, or the whole organization via ``aws:PrincipalOrgID``). And
service-managed stack sets do not support nested stacks: refuse before any call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from cfngen.deploy.session import Aws, DeployError, error_code

NESTED_TYPE = "AWS::CloudFormation::Stack"
READ_SID = "CfngenStackSetTargetsRead"


def check_permission_model(root: dict[str, Any], permission_model: str) -> None:
    """Service-managed + nested stacks is unsupported by StackSets: say so and the way out."""
    nested = sorted(
        lid for lid, res in root.get("Resources", {}).items() if res.get("Type") == NESTED_TYPE
    )
    if permission_model == "service-managed" and nested:
        raise DeployError(
            f"permission model service-managed does not support nested stacks and the root "
            f"template has {len(nested)} ({', '.join(nested)}); use --permission-model "
            "self-managed (create AWSCloudFormationStackSetAdministrationRole in this account "
            "and AWSCloudFormationStackSetExecutionRole in each target account) and target "
            "--accounts instead of OUs",
            2,
        )


def read_statement(bucket: str, accounts: Iterable[str], organization_id: str) -> dict[str, Any]:
    resource = f"arn:aws:s3:::{bucket}/*"
    if organization_id:
        return {
            "Sid": READ_SID,
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": resource,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
        }
    principals = sorted({f"arn:aws:iam::{a}:root" for a in accounts})
    return {
        "Sid": READ_SID,
        "Effect": "Allow",
        "Principal": {"AWS": principals},
        "Action": "s3:GetObject",
        "Resource": resource,
    }


def _policy(aws: Aws, bucket: str) -> dict[str, Any]:
    try:
        return dict(json.loads(aws.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]))
    except ClientError as exc:
        if error_code(exc) != "NoSuchBucketPolicy":
            raise
        return {"Version": "2012-10-17", "Statement": []}


def read_grant_needed(aws: Aws, bucket: str, accounts: Iterable[str], organization_id: str) -> bool:
    """Whether the bucket policy lacks our read statement (read-only: nothing is changed)."""
    wanted = read_statement(bucket, accounts, organization_id)
    return wanted not in _policy(aws, bucket).get("Statement", [])


def grant_read(aws: Aws, bucket: str, accounts: Iterable[str], organization_id: str) -> bool:
    """Put (or replace) our read statement in the bucket policy; True if it changed.

    Called only after the user confirmed the plan (which says so, see
    :func:`read_grant_needed`): a declined plan leaves the policy as it was.
    """
    policy = _policy(aws, bucket)
    wanted = read_statement(bucket, accounts, organization_id)
    others = [s for s in policy.get("Statement", []) if s.get("Sid") != READ_SID]
    if wanted in policy.get("Statement", []):
        return False
    policy["Statement"] = [*others, wanted]
    aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return True
