"""Customer-managed KMS keys: rotation on, account-root administration, one service user."""

from __future__ import annotations

from awacs import kms as kms_actions
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement
from troposphere import AccountId, Join, Partition, kms

from cfngen.config import Config
from cfngen.stacks.common import Props
from cfngen.stacks.iam import POLICY_VERSION
from cfngen.stacks.security import retain

KEY_USE = [
    kms_actions.Encrypt,
    kms_actions.Decrypt,
    kms_actions.ReEncryptFrom,
    kms_actions.ReEncryptTo,
    kms_actions.GenerateDataKey,
    kms_actions.GenerateDataKeyWithoutPlaintext,
    kms_actions.DescribeKey,
]


def service_user(service: object, condition: Condition | None = None) -> Statement:
    """Let an AWS service principal (like logs.<region>.amazonaws.com) use the key."""
    kw: Props = {"Condition": condition} if condition else {}
    return Statement(
        Sid="ServiceUsesKey",
        Effect=Allow,
        Principal=Principal("Service", [service]),
        Action=KEY_USE,
        Resource=["*"],
        **kw,
    )


def role_user(role_arn: object) -> Statement:
    """Let one IAM role use the key and create grants for AWS resources (as EKS needs)."""
    return Statement(
        Sid="RoleUsesKey",
        Effect=Allow,
        Principal=Principal("AWS", [role_arn]),
        Action=[*KEY_USE, kms_actions.CreateGrant],
        Resource=["*"],
    )


def key(cfg: Config, title: str, description: str, *users: Statement) -> kms.Key:
    """A key with rotation whose policy lets this account's IAM manage it and ``users`` use it.

    The root statement is what delegates key administration to IAM policies (AWS's
    default key policy); without it nobody could ever administer the key again.
    """
    root = Join("", ["arn:", Partition, ":iam::", AccountId, ":root"])
    statements = [
        Statement(
            Sid="AccountAdministersThroughIam",
            Effect=Allow,
            Principal=Principal("AWS", [root]),
            Action=[kms_actions.Action("*")],
            Resource=["*"],  # in a key policy "*" means this key
        ),
        *users,
    ]
    return retain(
        kms.Key(
            title,
            Description=f"{cfg.prefix}: {description}",
            EnableKeyRotation=True,
            PendingWindowInDays=30,
            KeyPolicy=PolicyDocument(Version=POLICY_VERSION, Statement=statements),
        ),
        cfg.retain.kms_keys,
    )
