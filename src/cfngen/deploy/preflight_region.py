"""Preflight for the region: enabled for the account, its AZs, certificates that live in it."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from cfngen.deploy.preflight_base import Context, Finding
from cfngen.deploy.session import error_code


def enabled(ctx: Context) -> Iterator[Finding]:
    region = ctx.aws.region
    found = ctx.aws.client("ec2").describe_regions(AllRegions=True, RegionNames=[region])
    for r in found.get("Regions", []):
        if r.get("RegionName") == region and r.get("OptInStatus") == "not-opted-in":
            yield Finding(
                "region",
                f"{region} is not enabled for this account (an opt-in region)",
                "enable it (AWS console: Account > AWS Regions, or `aws account "
                f"enable-region --region-name {region}`) or deploy to another region",
            )


def azs(ctx: Context) -> Iterator[Finding]:
    have = ctx.azs()
    wanted = ctx.cfg.network.availability_zones
    listed = ", ".join(have) or "none"
    if isinstance(wanted, int):
        if wanted > len(have):
            yield Finding(
                "network.availability_zones",
                f"{wanted} AZs asked for, but {ctx.aws.region} has {len(have)} available "
                f"({listed})",
                f"use at most {len(have)}, or another region",
            )
        return
    for i, az in enumerate(wanted):
        if az not in have:
            yield Finding(
                f"network.availability_zones[{i}]",
                f"{az} is not an available AZ of {ctx.aws.region}",
                f"use one of {listed}",
            )


def _certificate_arns(ctx: Context) -> list[str]:
    arns = [ctx.cfg.alb.certificate_arn] if ctx.cfg.alb.certificate_arn else []
    for rtype in (
        "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    ):
        for _, _, props in ctx.resources(rtype):
            for cert in props.get("Certificates") or []:
                arn = cert.get("CertificateArn")
                if isinstance(arn, str) and arn not in arns:
                    arns.append(arn)
    return arns


def certificates(ctx: Context) -> Iterator[Finding]:
    key = "alb.certificate_arn"
    acm = ctx.aws.client("acm")
    for arn in _certificate_arns(ctx):
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "acm":
            yield Finding(key, f"{arn!r} is not an ACM certificate ARN", "give arn:aws:acm:...")
            continue
        if parts[3] != ctx.aws.region:
            yield Finding(
                key,
                f"the certificate is in {parts[3]} but the load balancer is in "
                f"{ctx.aws.region} (ACM certificates are regional)",
                f"request or import the certificate in {ctx.aws.region} and use that ARN",
            )
            continue
        try:
            cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        except ClientError as exc:
            if error_code(exc) in ("ResourceNotFoundException", "ValidationException"):
                yield Finding(
                    key,
                    f"certificate {arn} does not exist in account {parts[4]} / {parts[3]}",
                    f"check the ARN (`aws acm list-certificates --region {parts[3]}`)",
                )
                continue
            raise
        status = str(cert.get("Status", ""))
        if status != "ISSUED":
            yield Finding(
                key,
                f"certificate {arn} is {status}, not ISSUED",
                "finish its validation (the DNS record ACM asks for) or use an issued one",
            )
