"""Preflight for quotas: what the templates add must fit what the account may still create.

Asked of the Service Quotas API (the applied value, else AWS's default) and compared
with what exists now (Describe calls) plus what this stack adds beyond what it already
has. A quota the API does not answer for is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError

from cfngen.deploy.preflight_base import UNANSWERED, Context, Finding
from cfngen.deploy.session import error_code


@dataclass(frozen=True)
class Quota:
    key: str  # the config key that adds these resources
    what: str
    service: str
    code: str
    rtype: str
    used: Callable[[Context], int]


def _vpcs(ctx: Context) -> int:
    return len(ctx.aws.client("ec2").describe_vpcs()["Vpcs"])


def _eips(ctx: Context) -> int:
    return len(ctx.aws.client("ec2").describe_addresses()["Addresses"])


def _nat_gateways(ctx: Context) -> int:
    found = ctx.aws.client("ec2").describe_nat_gateways(
        Filters=[{"Name": "state", "Values": ["pending", "available"]}]
    )["NatGateways"]
    per_az: dict[str, int] = {}
    subnets = {s["SubnetId"]: s["AvailabilityZone"] for s in _subnets(ctx)}
    for n in found:
        az = subnets.get(str(n.get("SubnetId")), "")
        per_az[az] = per_az.get(az, 0) + 1
    return max(per_az.values(), default=0)


def _subnets(ctx: Context) -> list[dict[str, str]]:
    return [
        {"SubnetId": str(s["SubnetId"]), "AvailabilityZone": str(s["AvailabilityZone"])}
        for s in ctx.aws.client("ec2").describe_subnets()["Subnets"]
    ]


def _albs(ctx: Context) -> int:
    lbs = ctx.aws.client("elbv2").describe_load_balancers()["LoadBalancers"]
    return sum(1 for lb in lbs if lb.get("Type", "application") == "application")


QUOTAS = (
    Quota("network.vpc_cidr", "VPCs per region", "vpc", "L-F678F1CE", "AWS::EC2::VPC", _vpcs),
    Quota("network.nat_gateways", "Elastic IPs", "ec2", "L-0263D0A3", "AWS::EC2::EIP", _eips),
    Quota(
        "network.nat_gateways",
        "NAT gateways per AZ",
        "vpc",
        "L-FE5A380F",
        "AWS::EC2::NatGateway",
        _nat_gateways,
    ),
    Quota(
        "alb",
        "Application Load Balancers per region",
        "elasticloadbalancing",
        "L-53DA6B97",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        _albs,
    ),
)


def _limit(ctx: Context, q: Quota) -> float | None:
    sq = ctx.aws.client("service-quotas")
    try:
        return float(
            sq.get_service_quota(ServiceCode=q.service, QuotaCode=q.code)["Quota"]["Value"]
        )
    except ClientError as exc:
        if error_code(exc) not in (*UNANSWERED, "NoSuchResourceException"):
            raise
    try:
        value = sq.get_aws_default_service_quota(ServiceCode=q.service, QuotaCode=q.code)
        return float(value["Quota"]["Value"])
    except ClientError as exc:
        if error_code(exc) not in (*UNANSWERED, "NoSuchResourceException"):
            raise
    ctx.notes.append(f"preflight: quota {q.what} not checked (Service Quotas did not answer)")
    return None


def _already_ours(ctx: Context, rtype: str) -> int:
    """How many resources of ``rtype`` this stack tree holds now (they count as used)."""
    cfn = ctx.aws.client("cloudformation")
    count = 0
    todo = [ctx.stack_name]
    try:
        while todo:
            stack = todo.pop()
            paginator = cfn.get_paginator("list_stack_resources")
            for page in paginator.paginate(StackName=stack):
                for r in page["StackResourceSummaries"]:
                    if r["ResourceType"] == "AWS::CloudFormation::Stack":
                        if r.get("PhysicalResourceId"):
                            todo.append(str(r["PhysicalResourceId"]))
                    elif r["ResourceType"] == rtype and not r["ResourceStatus"].startswith(
                        "DELETE"
                    ):
                        count += 1
    except ClientError as exc:
        if "does not exist" not in str(exc):
            raise
    return count


def exceeded(ctx: Context) -> Iterator[Finding]:
    for q in QUOTAS:
        wanted = sum(1 for _ in ctx.resources(q.rtype))
        if q.rtype == "AWS::EC2::NatGateway" and wanted:
            wanted = max(1, -(-wanted // max(1, len(ctx.chosen_azs()))))  # per AZ
        new = wanted - _already_ours(ctx, q.rtype)
        if new <= 0:
            continue
        limit = _limit(ctx, q)
        if limit is None:
            continue
        used = q.used(ctx)
        if used + new > limit:
            yield Finding(
                q.key,
                f"needs {new} more of '{q.what}' but {used} of {int(limit)} are in use in "
                f"{ctx.aws.region}",
                "free some, or ask for more: `aws service-quotas request-service-quota-increase "
                f"--service-code {q.service} --quota-code {q.code} --desired-value "
                f"{used + new} --region {ctx.aws.region}`",
            )
