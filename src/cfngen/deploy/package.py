"""Upload rendered templates to S3 under content-addressed keys and write the packaged root.

A key is the SHA-256 of the bytes, so an unchanged template has the same key on
every run: HEAD finds it and nothing is uploaded again (Sceptre re-uploads every
run; the AWS CLI re-uploads whenever its own hash of the local file changes).
URLs are virtual-hosted and regional, the form StackSets and every region accept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from cfngen.config import Config
from cfngen.deploy.session import Aws, DeployError, error_code
from cfngen.render import ROOT_FILE, Rendered, render

EXPIRE_DAYS = 90  # old template versions go; deploy re-uploads a key it cannot HEAD
PACKAGED_ROOT = "root.packaged.json"
NESTED_TYPE = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class Packaged:
    """Where everything went: the root URL, each file's URL, what was uploaded."""

    bucket: str
    region: str
    root_url: str
    urls: Mapping[str, str]  # rendered file name -> S3 URL
    uploaded: tuple[str, ...]
    root: dict[str, Any] = field(repr=False)  # the packaged root template
    path: Path | None = None  # local copy of the packaged root
    # the other top-level stacks of a split platform (services-GG): key -> URL, template
    tops: Mapping[str, str] = field(default_factory=dict)
    top_templates: Mapping[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def quick_create_link(self, stack_name: str, key: str = ROOT_FILE) -> str:
        url = self.root_url if key == ROOT_FILE else self.tops[key]
        return (
            f"https://console.aws.amazon.com/cloudformation/home?region={self.region}"
            f"#/stacks/quickcreate?templateURL={quote(url, safe='')}"
            f"&stackName={quote(stack_name)}"
        )


def default_bucket(account_id: str, region: str) -> str:
    return f"cfngen-templates-{account_id}-{region}"


def template_url(bucket: str, region: str, key: str) -> str:
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"


def content_key(prefix: str, name: str, data: bytes) -> str:
    stem, _, ext = name.rpartition(".")
    return f"{prefix}/{stem}-{hashlib.sha256(data).hexdigest()[:32]}.{ext}"


def tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def ensure_bucket(aws: Aws, bucket: str) -> bool:
    """Create the template bucket (encrypted, private, TLS-only, expiring) if missing."""
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if error_code(exc) in ("403", "AccessDenied"):
            raise DeployError(
                f"template bucket {bucket} exists but is not yours or not readable; "
                "set deploy.template_bucket"
            ) from None
        if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    args: dict[str, Any] = {"Bucket": bucket}
    if aws.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    s3.create_bucket(**args)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old-templates",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": EXPIRE_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
    return True


def upload(aws: Aws, bucket: str, key: str, data: bytes) -> bool:
    """PUT unless an object already sits at this content-addressed key; True if uploaded."""
    s3 = aws.client("s3")
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError as exc:
        if error_code(exc) not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType="application/json",
        ContentMD5=_md5_b64(data),
    )
    return True


def _md5_b64(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


def packaged_root(root: dict[str, Any], urls: Mapping[str, str]) -> dict[str, Any]:
    """The root with each relative TemplateURL replaced by its S3 URL."""
    out: dict[str, Any] = json.loads(json.dumps(root))  # a deep copy
    for res in out.get("Resources", {}).values():
        props = res.get("Properties", {})
        if res.get("Type") == NESTED_TYPE and props.get("TemplateURL") in urls:
            props["TemplateURL"] = urls[props["TemplateURL"]]
    return out


def upload_templates(
    aws: Aws,
    cfg: Config,
    rendered: Rendered | None = None,
    bucket: str | None = None,
    tops: Sequence[str] = (),
) -> Packaged:
    """Upload every rendered JSON template (children first, then the packaged root).

    ``tops`` names the other top-level templates of a split platform (``services-01``):
    each is packaged like the root (its nested TemplateURLs made S3 URLs) and uploaded.
    """
    rendered = rendered or render(cfg, ("json",))
    bucket = bucket or cfg.deploy.template_bucket or default_bucket(aws.account_id(), aws.region)
    ensure_bucket(aws, bucket)
    top_names = [f"{ROOT_FILE}.json", *(f"{t}.json" for t in tops if t != ROOT_FILE)]
    urls: dict[str, str] = {}
    uploaded: list[str] = []
    for name, data in sorted(rendered.files.items()):
        if not name.endswith(".json") or "/" in name or name in top_names:
            continue
        key = content_key(cfg.prefix, name, data)
        if upload(aws, bucket, key, data):
            uploaded.append(name)
        urls[name] = template_url(bucket, aws.region, key)
    packaged: dict[str, tuple[str, dict[str, Any]]] = {}
    for name in top_names:
        template = packaged_root(json.loads(rendered.files[name]), urls)
        data = root_bytes(template)
        key = content_key(cfg.prefix, name, data)
        if upload(aws, bucket, key, data):
            uploaded.append(name)
        packaged[name.removesuffix(".json")] = (template_url(bucket, aws.region, key), template)
    root_url, root = packaged.pop(ROOT_FILE)
    urls[f"{ROOT_FILE}.json"] = root_url
    for top, (url, _) in packaged.items():
        urls[f"{top}.json"] = url
    return Packaged(
        bucket,
        aws.region,
        root_url,
        urls,
        tuple(uploaded),
        root,
        tops={k: url for k, (url, _) in packaged.items()},
        top_templates={k: t for k, (_, t) in packaged.items()},
    )


def root_bytes(root: dict[str, Any]) -> bytes:
    return (json.dumps(root, indent=2, sort_keys=True) + "\n").encode()


def write_packaged(packaged: Packaged, out_dir: Path, environment: str) -> Path:
    """Save the packaged root to ``<out_dir>/<environment>/root.packaged.json`` (and each
    other top-level template beside it, ``services-01.packaged.json``)."""
    folder = out_dir / environment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PACKAGED_ROOT
    for name, template in [(PACKAGED_ROOT, packaged.root)] + [
        (f"{k}.packaged.json", t) for k, t in sorted(packaged.top_templates.items())
    ]:
        target = folder / name
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(root_bytes(template))
        tmp.replace(target)
    return path
