"""Every CloudWatch log group cfngen creates: its name, and the one key that encrypts them.

Names are fixed (derived from the config) so that the key policy can name each group
exactly: with ``ecs.log_encryption: kms`` CloudWatch Logs may use the key only under an
encryption context of one of these group ARNs, and for nothing else. The key lives in
the network stack, the first to deploy, because the flow-log group there needs it; the
ecs-alb and eks stacks receive its ARN as the ``LogsKeyArn`` parameter.
"""

from __future__ import annotations

from awacs.aws import ArnEquals, Condition
from troposphere import AccountId, Join, Partition, Ref, Region, Template, kms, logs

from cfngen.config import Config
from cfngen.stacks import kms as keys
from cfngen.stacks.common import Props
from cfngen.stacks.security import retain, suppress, suppress_guard

KEY_ARN_PATTERN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[a-f0-9-]+$"
ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:logs:arn"
YEAR = 365  # AWS Control Tower CT.CLOUDWATCH.PR.2: at least a year of retention
KEY_FROM_PARAMETER = (
    "Encrypted with the logs key of the network stack, received as a stack parameter; the "
    "control accepts only a literal key ARN or a key in the same template."
)
DEFAULT_ENCRYPTION = (
    "ecs.log_encryption is 'default': CloudWatch Logs encrypts the group at rest with "
    "service-managed keys; a customer-managed key is opt-in (ecs.log_encryption: kms)."
)


def uses_kms(cfg: Config) -> bool:
    return cfg.ecs.log_encryption == "kms"


def flow_logs(cfg: Config) -> str:
    return f"/aws/vpc/flow-logs/{cfg.prefix}"


def restrict_default_sg(cfg: Config) -> str:
    return f"/aws/lambda/{cfg.prefix}-restrict-default-sg"


def service(cfg: Config, name: str) -> str:
    return f"/ecs/{cfg.prefix}/{name}"


def eks_control_plane(cfg: Config) -> str:
    """The name EKS itself writes to (``/aws/eks/<cluster>/cluster``); the cluster is the prefix."""
    return f"/aws/eks/{cfg.prefix}/cluster"


def names(cfg: Config) -> list[str]:
    """The groups the current config creates, in stack order."""
    found = []
    if cfg.network.flow_logs.enabled:
        found.append(flow_logs(cfg))
    if cfg.network.restrict_default_security_group:
        found.append(restrict_default_sg(cfg))
    found += [service(cfg, s.name) for s in cfg.ecs.services]
    if cfg.eks.enabled and cfg.eks.logging:
        found.append(eks_control_plane(cfg))
    return found


def arn(name: str) -> Join:
    return Join("", ["arn:", Partition, ":logs:", Region, ":", AccountId, f":log-group:{name}"])


def key(cfg: Config) -> kms.Key:
    """The logs key: CloudWatch Logs of this region may use it for exactly these groups."""
    return keys.key(
        cfg,
        "LogsKey",
        "encrypts this environment's CloudWatch log groups",
        keys.service_user(
            Join("", ["logs.", Region, ".amazonaws.com"]),
            Condition(ArnEquals(ENCRYPTION_CONTEXT, [arn(n) for n in names(cfg)])),
        ),
    )


def group(
    cfg: Config, title: str, name: str, retention: int, key_arn: object | None
) -> logs.LogGroup:
    """A named group with retention, the logs key when there is one, and the retain policy."""
    kw: Props = {"KmsKeyId": key_arn} if key_arn is not None else {}
    res = logs.LogGroup(title, LogGroupName=name, RetentionInDays=retention, **kw)
    if key_arn is None:
        suppress(res, {"CKV_AWS_158": DEFAULT_ENCRYPTION})
    elif isinstance(key_arn, Ref):  # another stack's key, received as a parameter
        suppress_guard(res, {"CT.CLOUDWATCH.PR.3": KEY_FROM_PARAMETER})
    if retention < YEAR:
        suppress_guard(
            res,
            {
                "CT.CLOUDWATCH.PR.2": f"Kept {retention} days, as the config sets (a shorter "
                f"retention costs less; {YEAR} or more meets the control)."
            },
        )
    return retain(res, cfg.retain.log_groups)


def add_key(cfg: Config, t: Template) -> kms.Key | None:
    return t.add_resource(key(cfg)) if uses_kms(cfg) else None
