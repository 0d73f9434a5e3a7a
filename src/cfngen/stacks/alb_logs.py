"""The S3 bucket the ALB writes access logs to (opt-in: ``alb.access_logs.enabled``).

ALB log delivery supports SSE-S3 only, so the bucket uses AES256. Regions that
existed before August 2022 deliver as a regional Elastic Load Balancing account;
newer regions use the ``logdelivery.elasticloadbalancing.amazonaws.com`` principal.
"""

from __future__ import annotations

from awacs import s3 as s3_actions
from awacs.aws import Allow, Bool, Condition, Deny, PolicyDocument, Principal, Statement
from troposphere import AccountId, GetAtt, Join, Partition, Template, s3

from cfngen.config import Config
from cfngen.stacks.common import Props
from cfngen.stacks.iam import POLICY_VERSION
from cfngen.stacks.security import retain, suppress, suppress_guard

LOG_PREFIX = "alb"
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}


def _delivery_principal(region: str) -> Principal:
    account = ELB_ACCOUNTS.get(region)
    if account:
        return Principal("AWS", [Join("", ["arn:", Partition, f":iam::{account}:root"])])
    return Principal("Service", ["logdelivery.elasticloadbalancing.amazonaws.com"])


def add(cfg: Config, t: Template) -> tuple[s3.Bucket, s3.BucketPolicy]:
    expire = cfg.alb.access_logs.expire_days
    lifecycle: Props = (
        {
            "LifecycleConfiguration": s3.LifecycleConfiguration(
                Rules=[
                    s3.LifecycleRule(
                        Id="expire-access-logs",
                        Status="Enabled",
                        ExpirationInDays=expire,
                        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                            NoncurrentDays=1
                        ),
                    )
                ]
            )
        }
        if expire
        else {}
    )
    bucket = t.add_resource(
        s3.Bucket(
            "AccessLogsBucket",
            BucketEncryption=s3.BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    s3.ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                            SSEAlgorithm="AES256"
                        )
                    )
                ]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True,
                BlockPublicPolicy=True,
                IgnorePublicAcls=True,
                RestrictPublicBuckets=True,
            ),
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
            **lifecycle,
        )
    )
    retain(bucket, cfg.retain.access_log_bucket)
    suppress(
        bucket,
        {
            "CKV_AWS_18": "This bucket is the access-log destination; logging its own "
            "accesses would need yet another bucket (and that one another).",
        },
    )
    suppress_guard(
        bucket,
        {
            "CT.S3.PR.10": "Elastic Load Balancing delivers access logs only to a bucket "
            "encrypted with S3-managed keys (SSE-S3); a KMS key is not supported.",
            "CT.S3.PR.9": "Object Lock would keep each log object undeletable for its "
            "retention; the logs expire by the lifecycle rule (alb.access_logs.expire_days), "
            "versioning keeps overwrites, and only the log delivery service may write.",
            "CT.S3.PR.4": "Nothing consumes events of this bucket: Elastic Load Balancing "
            "writes, people and log tools read; notifications would go nowhere.",
        },
    )
    objects = Join("", [GetAtt(bucket, "Arn"), f"/{LOG_PREFIX}/AWSLogs/", AccountId, "/*"])
    policy = t.add_resource(
        s3.BucketPolicy(
            "AccessLogsBucketPolicy",
            Bucket=bucket.ref(),
            PolicyDocument=PolicyDocument(
                Version=POLICY_VERSION,
                Statement=[
                    Statement(
                        Sid="DenyInsecureTransport",
                        Effect=Deny,
                        Principal=Principal("*"),
                        Action=[s3_actions.Action("*")],
                        Resource=[GetAtt(bucket, "Arn"), Join("", [GetAtt(bucket, "Arn"), "/*"])],
                        Condition=Condition(Bool("aws:SecureTransport", "false")),
                    ),
                    Statement(
                        Sid="AlbLogDelivery",
                        Effect=Allow,
                        Principal=_delivery_principal(cfg.region),
                        Action=[s3_actions.PutObject],
                        Resource=[objects],
                    ),
                ],
            ),
        )
    )
    return bucket, policy
