"""Upload rendered templates to S3 under content-addressed keys and write the packaged root.

A key is the SHA-256 of the bytes, so an unchanged template has the same key on
every run: HEAD finds it and nothing is uploaded again (Sceptre re-uploads every
run; the AWS CLI re-uploads whenever its own hash of the local file changes).
URLs are virtual-hosted and regional, the form StackSets and every region accept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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

    def quick_create_link(self, stack_name: str) -> str:
        return (
            f"https://console.aws.amazon.com/cloudformation/home?region={self.region}"
            f"#/stacks/quickcreate?templateURL={quote(self.root_url, safe='')}"
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
    aws: Aws, cfg: Config, rendered: Rendered | None = None, bucket: str | None = None
) -> Packaged:
    """Upload every rendered JSON template (children first, then the packaged root)."""
    rendered = rendered or render(cfg, ("json",))
    bucket = bucket or cfg.deploy.template_bucket or default_bucket(aws.account_id(), aws.region)
    ensure_bucket(aws, bucket)
    root_name = f"{ROOT_FILE}.json"
    urls: dict[str, str] = {}
    uploaded: list[str] = []
    for name, data in sorted(rendered.files.items()):
        if not name.endswith(".json") or "/" in name or name == root_name:
            continue
        key = content_key(cfg.prefix, name, data)
        if upload(aws, bucket, key, data):
            uploaded.append(name)
        urls[name] = template_url(bucket, aws.region, key)
    root = packaged_root(json.loads(rendered.files[root_name]), urls)
    data = root_bytes(root)
    key = content_key(cfg.prefix, root_name, data)
    if upload(aws, bucket, key, data):
        uploaded.append(root_name)
    root_url = template_url(bucket, aws.region, key)
    urls[root_name] = root_url
    return Packaged(bucket, aws.region, root_url, urls, tuple(uploaded), root)


def root_bytes(root: dict[str, Any]) -> bytes:
    return (json.dumps(root, indent=2, sort_keys=True) + "\n").encode()


def write_packaged(packaged: Packaged, out_dir: Path, environment: str) -> Path:
    """Save the packaged root to ``<out_dir>/<environment>/root.packaged.json``."""
    folder = out_dir / environment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PACKAGED_ROOT
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(root_bytes(packaged.root))
    tmp.replace(path)
    return path
