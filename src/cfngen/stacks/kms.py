"""Customer-managed KMS keys: rotation on, account-root administration, one service user."""

from __future__ import annotations

from awacs import kms as kms_actions
from awacs.aws import (
    Allow,
    Bool,
    BoolIfExists,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
)
from troposphere import AccountId, Join, Partition, kms

from cfngen.config import Config
from cfngen.stacks.common import Props
from cfngen.stacks.iam import POLICY_VERSION
from cfngen.stacks.security import retain, suppress_cfripper

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


def role_user(role_arn: object) -> list[Statement]:
    """Let one IAM role use the key, and create grants only for AWS resources (as EKS does).

    EKS creates a grant for its control plane when envelope encryption starts;
    ``kms:GrantIsForAWSResource`` holds only when an AWS service asks on the role's
    behalf, so the role itself cannot hand the key to anyone else.
    """
    principal = Principal("AWS", [role_arn])
    return [
        Statement(
            Sid="RoleUsesKey", Effect=Allow, Principal=principal, Action=KEY_USE, Resource=["*"]
        ),
        Statement(
            Sid="RoleGrantsToAwsServices",
            Effect=Allow,
            Principal=principal,
            Action=[kms_actions.CreateGrant],
            Resource=["*"],
            Condition=Condition(Bool("kms:GrantIsForAWSResource", "true")),
        ),
    ]


ROOT_STATEMENT = (
    "kms:* for the account root is AWS's default key policy statement: it delegates key "
    "administration to IAM policies (and CloudFormation's own updates of this policy go "
    "through it); KMS refuses a policy that would lock the caller out, and a key without it "
    "can become unmanageable. Use of the key is limited by the other statements and IAM."
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
        # Whatever IAM allows, a grant on this key is only ever made for an AWS resource or
        # by an AWS service: nobody can hand the key to an outside principal through a grant.
        Statement(
            Sid="GrantsOnlyForAwsResources",
            Effect=Deny,
            Principal=Principal("*"),
            Action=[kms_actions.CreateGrant],
            Resource=["*"],
            Condition=Condition(
                BoolIfExists(
                    {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
                )
            ),
        ),
    ]
    key = kms.Key(
        title,
        Description=f"{cfg.prefix}: {description}",
        EnableKeyRotation=True,
        PendingWindowInDays=30,
        KeyPolicy=PolicyDocument(Version=POLICY_VERSION, Statement=statements),
    )
    suppress_cfripper(key, {"GenericResourceWildcardPolicyRule": ROOT_STATEMENT})
    return retain(key, cfg.retain.kms_keys)
