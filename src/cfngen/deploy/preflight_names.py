"""Preflight for names: a fixed name the templates give must not be taken outside this stack.

An ECR repository, log group, bucket or IAM role with the same name may exist already:
owned by this stack tree (fine), kept by an earlier stack of it (``Retain`` /
``RetainExceptOnCreate``, fine: the change set adopts it with ``ImportExistingResources``),
owned by another stack, or made by hand (CloudFormation would fail on "already exists"
minutes in: a finding). Ownership is what ``DescribeStackResources`` with the physical
id says.

A log group may also have been made by a service: EKS creates ``/aws/eks/<cluster>/cluster``
itself when the cluster's logging was switched on before cfngen declared that group (an
older cfngen, or by hand). CloudFormation imports a resource as it is, without applying the
template's properties, so an adopted group whose retention or key differ from the
template's is named with the commands that align it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cfngen.deploy.preflight_base import Context, Finding
from cfngen.deploy.retained import Kept, removal
from cfngen.deploy.session import error_code, error_message

ADOPTABLE_POLICIES = frozenset({"Retain", "RetainExceptOnCreate"})


@dataclass(frozen=True)
class Named:
    rtype: str
    prop: str  # the property holding the name
    key: str  # the config key the name comes from


NAMED = (
    Named("AWS::ECR::Repository", "RepositoryName", "ecr.repositories"),
    Named("AWS::Logs::LogGroup", "LogGroupName", "ecs.services"),
    Named("AWS::S3::Bucket", "BucketName", "alb.access_logs"),
    Named("AWS::IAM::Role", "RoleName", "iam"),
)


def _exists(ctx: Context, rtype: str, name: str) -> str:
    """ "ours", "foreign" (another account: a global name) or "" (free)."""
    try:
        if rtype == "AWS::ECR::Repository":
            ctx.aws.client("ecr").describe_repositories(repositoryNames=[name])
        elif rtype == "AWS::Logs::LogGroup":
            groups = ctx.aws.client("logs").describe_log_groups(logGroupNamePrefix=name)
            return "ours" if any(g.get("logGroupName") == name for g in groups["logGroups"]) else ""
        elif rtype == "AWS::S3::Bucket":
            ctx.aws.client("s3").head_bucket(Bucket=name)
        elif rtype == "AWS::IAM::Role":
            ctx.aws.client("iam").get_role(RoleName=name)
    except ClientError as exc:
        code = error_code(exc)
        if code in ("403", "AccessDenied") and rtype == "AWS::S3::Bucket":
            return "foreign"
        if code in ("RepositoryNotFoundException", "NoSuchEntity", "404", "NoSuchBucket"):
            return ""
        raise
    return "ours"


# Where a log group's name comes from, by prefix (see cfngen.stacks.log_groups).
LOG_GROUP_KEYS = (
    ("/aws/eks/", "eks.logging"),
    ("/aws/vpc/flow-logs/", "network.flow_logs"),
    ("/aws/lambda/", "network.restrict_default_security_group"),
)


def _key(kind: Named, name: str) -> str:
    """The config key that makes this name (for log groups: which group it is)."""
    if kind.rtype == "AWS::Logs::LogGroup":
        return next((k for prefix, k in LOG_GROUP_KEYS if name.startswith(prefix)), kind.key)
    return kind.key


def _unaligned(ctx: Context, name: str, res: Mapping[str, Any]) -> str:
    """What an existing log group lacks of the template's retention and key, with the fix."""
    props = res.get("Properties") or {}
    listed = ctx.aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    actual: Mapping[str, Any] = next((g for g in listed if g.get("logGroupName") == name), {})
    group, region = shlex.quote(name), f" --region {ctx.aws.region}"
    if ctx.aws.endpoint_url:
        region += f" --endpoint-url {ctx.aws.endpoint_url}"
    lacks, fixes = [], []
    days = props.get("RetentionInDays")
    if isinstance(days, int) and actual.get("retentionInDays") != days:
        lacks.append(
            f"retention {actual.get('retentionInDays') or 'never expire'} (template: {days})"
        )
        fixes.append(
            f"aws logs put-retention-policy --log-group-name {group} "
            f"--retention-in-days {days}{region}"
        )
    if "KmsKeyId" in props and not actual.get("kmsKeyId"):
        lacks.append("no customer-managed key (template: the logs key)")
        fixes.append(
            f"aws logs associate-kms-key --log-group-name {group} "
            f"--kms-key-id <LogsKey ARN>{region}"
        )
    if not lacks:
        return ""
    return (
        f"; CloudFormation imports it as it is ({', '.join(lacks)}): after the deploy run "
        + " && ".join(fixes)
    )


def _owner(ctx: Context, name: str) -> tuple[str, str] | None:
    """(stack name, root stack id) of the stack that owns the resource, or None."""
    cfn = ctx.aws.client("cloudformation")
    try:
        found = cfn.describe_stack_resources(PhysicalResourceId=name)["StackResources"]
    except ClientError as exc:
        if error_code(exc) == "ValidationError" and "does not exist" in error_message(exc):
            return None
        raise
    if not found:
        return None
    stack_id = str(found[0]["StackId"])
    stacks = cfn.describe_stacks(StackName=stack_id)["Stacks"]
    root = str(stacks[0].get("RootId") or stack_id) if stacks else stack_id
    return str(found[0].get("StackName", stack_id)), root


def _our_root(ctx: Context, name: str | None = None) -> str | None:
    cfn = ctx.aws.client("cloudformation")
    try:
        stacks = cfn.describe_stacks(StackName=name or ctx.stack_name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in error_message(exc):
            return None
        raise
    return str(stacks[0]["StackId"]) if stacks else None


def _ours(ctx: Context) -> set[str]:
    """Stack ids of this stack and of the platform's other top-level stacks."""
    ids = {_our_root(ctx, name) for name in (ctx.stack_name, *ctx.family)}
    return {i for i in ids if i is not None}


def _named(ctx: Context) -> Iterator[tuple[Named, str, str, Mapping[str, Any]]]:
    """(kind, file/logical id, the literal name, the resource) of every fixed name."""
    for file_name, tmpl in sorted(ctx.templates.items()):
        for lid, res in sorted((tmpl.get("Resources") or {}).items()):
            for kind in NAMED:
                name = (res.get("Properties") or {}).get(kind.prop)
                if res.get("Type") == kind.rtype and isinstance(name, str):
                    yield kind, f"{file_name.removesuffix('.json')}/{lid}", name, res


def taken(ctx: Context) -> Iterator[Finding]:
    ours: set[str] = set()
    looked = False
    for kind, where, name, res in _named(ctx):
        state = _exists(ctx, kind.rtype, name)
        if not state:
            continue
        if state == "foreign":
            yield Finding(
                kind.key,
                f"bucket name {name} ({where}) is taken by another AWS account",
                "bucket names are global: change name/environment so the name differs",
            )
            continue
        if not looked:
            ours, looked = _ours(ctx), True
        owner = _owner(ctx, name)
        if owner is not None and owner[1] in ours:
            continue  # this stack tree's own resource (or the platform's other stacks')
        what = f"{kind.rtype} {name} ({where})"
        key = _key(kind, name)
        if owner is not None:
            yield Finding(
                key,
                f"{what} already exists and belongs to stack {owner[0]}",
                "delete that stack (or the resource from it), or change name/environment",
            )
            continue
        policy = str(res.get("DeletionPolicy", "Delete"))
        if policy in ADOPTABLE_POLICIES:
            ctx.adopted.add((kind.rtype, name))
            drift = _unaligned(ctx, name, res) if kind.rtype == "AWS::Logs::LogGroup" else ""
            ctx.notes.append(
                f"preflight: {what} exists outside any stack; the deploy adopts it{drift}"
            )
            continue
        command = removal(Kept("", "", kind.rtype, name, ""), ctx.aws.region, ctx.aws.endpoint_url)
        keep = (
            "set retain.log_groups: true to adopt it, "
            if kind.rtype == "AWS::Logs::LogGroup"
            else ""
        )
        yield Finding(
            key,
            f"{what} already exists outside CloudFormation and would clash",
            f"{keep}remove it (`{command}`) or change name/environment",
        )
