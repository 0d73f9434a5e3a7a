"""VPC flow logs and the default security group lock-down (both opt-in).

The default security group cannot be emptied by CloudFormation itself, so, like
CDK's ``restrictDefaultSecurityGroup``, a small inline Lambda function revokes
its rules once at create/update time.
"""

from __future__ import annotations

from awacs import ec2 as ec2_actions
from awacs import logs as logs_actions
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import (
    AccountId,
    AWSObject,
    GetAtt,
    Join,
    Partition,
    Region,
    Template,
    awslambda,
    ec2,
    iam,
)
from troposphere.cloudformation import CustomResource

from cfngen.config import Config
from cfngen.stacks import log_groups
from cfngen.stacks.iam import POLICY_VERSION, role, trust_policy
from cfngen.stacks.security import suppress

REVOKE_CODE = """\
import boto3
import cfnresponse


def handler(event, context):
    group_id = event["ResourceProperties"]["GroupId"]
    try:
        if event["RequestType"] in ("Create", "Update"):
            ec2 = boto3.client("ec2")
            group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
            if group["IpPermissions"]:
                ec2.revoke_security_group_ingress(
                    GroupId=group_id, IpPermissions=group["IpPermissions"]
                )
            if group["IpPermissionsEgress"]:
                ec2.revoke_security_group_egress(
                    GroupId=group_id, IpPermissions=group["IpPermissionsEgress"]
                )
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, group_id)
    except Exception as exc:  # report, never hang the stack
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, group_id, reason=str(exc))
"""

# The newest Python runtime AWS Lambda offers (and cfn-lint knows); inline (ZipFile) code
# gets the cfnresponse module on every Python runtime.
LAMBDA_RUNTIME = "python3.14"
# A few lines per deploy (which rules were revoked): a year costs nothing and covers an
# audit of who changed the default group, as CT.CLOUDWATCH.PR.2 asks of every log group.
FUNCTION_LOG_RETENTION_DAYS = 365

CUSTOM_RESOURCE_LAMBDA = {
    "CKV_AWS_115": "Invoked once per stack create/update by CloudFormation; reserving "
    "concurrency would eat into small accounts' minimum unreserved pool (10).",
    "CKV_AWS_116": "CloudFormation invokes the custom resource synchronously and receives "
    "failures through the response URL; a dead-letter queue would never be used.",
    "CKV_AWS_117": "Only calls the EC2 API; inside the VPC it would need a NAT or an EC2 "
    "interface endpoint just for this.",
}


def add(cfg: Config, t: Template, vpc: ec2.VPC, key_arn: object | None) -> None:
    """Flow logs and the default-SG lock-down; their log groups use ``key_arn`` if given."""
    if cfg.network.flow_logs.enabled:
        _flow_logs(cfg, t, vpc, key_arn)
    if cfg.network.restrict_default_security_group:
        _restrict_default_sg(cfg, t, vpc, key_arn)


def _flow_logs(cfg: Config, t: Template, vpc: ec2.VPC, key_arn: object | None) -> None:
    fl = cfg.network.flow_logs
    group = t.add_resource(
        log_groups.group(
            cfg, "FlowLogsLogGroup", log_groups.flow_logs(cfg), fl.retention_days, key_arn
        )
    )
    delivery = t.add_resource(
        role(
            cfg,
            "FlowLogsRole",
            "flow-logs",
            Description=f"{cfg.prefix}: lets VPC flow logs write to their log group",
            AssumeRolePolicyDocument=trust_policy(
                "vpc-flow-logs.amazonaws.com", source_account=True
            ),
            Policies=[
                iam.Policy(
                    PolicyName="write-flow-logs",
                    PolicyDocument=PolicyDocument(
                        Version=POLICY_VERSION,
                        Statement=[
                            Statement(
                                Effect=Allow,
                                Action=[
                                    logs_actions.CreateLogStream,
                                    logs_actions.PutLogEvents,
                                    logs_actions.DescribeLogStreams,
                                ],
                                Resource=[GetAtt(group, "Arn")],
                            )
                        ],
                    ),
                )
            ],
        )
    )
    t.add_resource(
        ec2.FlowLog(
            "FlowLog",
            ResourceId=vpc.ref(),
            ResourceType="VPC",
            TrafficType=fl.traffic_type,
            LogDestinationType="cloud-watch-logs",
            LogGroupName=group.ref(),
            DeliverLogsPermissionArn=GetAtt(delivery, "Arn"),
            MaxAggregationInterval=60,
        )
    )


def _restrict_default_sg(cfg: Config, t: Template, vpc: ec2.VPC, key_arn: object | None) -> None:
    group_id = GetAtt(vpc, "DefaultSecurityGroup")
    # The function's own log group: managed by the stack (retention, removed or kept with
    # it, the logs key) instead of the /aws/lambda/... group Lambda would create outside it.
    fn_logs = t.add_resource(
        log_groups.group(
            cfg,
            "RestrictDefaultSecurityGroupLogGroup",
            log_groups.restrict_default_sg(cfg),
            FUNCTION_LOG_RETENTION_DAYS,
            key_arn,
        )
    )
    group_arn = Join(
        "", ["arn:", Partition, ":ec2:", Region, ":", AccountId, ":security-group/", group_id]
    )
    fn_role = t.add_resource(
        role(
            cfg,
            "RestrictDefaultSecurityGroupRole",
            "default-sg",
            Description=f"{cfg.prefix}: revokes the rules of the VPC's default security group",
            AssumeRolePolicyDocument=trust_policy("lambda.amazonaws.com", source_account=True),
            Policies=[
                iam.Policy(
                    PolicyName="revoke-default-sg-rules",
                    PolicyDocument=PolicyDocument(
                        Version=POLICY_VERSION,
                        Statement=[
                            Statement(
                                Sid="Describe",
                                Effect=Allow,
                                Action=[ec2_actions.DescribeSecurityGroups],
                                Resource=["*"],  # no resource-level permissions for Describe*
                            ),
                            Statement(
                                Sid="WriteOwnLogs",
                                Effect=Allow,
                                Action=[logs_actions.CreateLogStream, logs_actions.PutLogEvents],
                                Resource=[GetAtt(fn_logs, "Arn")],  # ends in :*, covers streams
                            ),
                            Statement(
                                Sid="Revoke",
                                Effect=Allow,
                                Action=[
                                    ec2_actions.RevokeSecurityGroupIngress,
                                    ec2_actions.RevokeSecurityGroupEgress,
                                ],
                                Resource=[group_arn],
                            ),
                        ],
                    ),
                )
            ],
        )
    )
    fn: AWSObject = t.add_resource(
        awslambda.Function(
            "RestrictDefaultSecurityGroupFunction",
            Description="Revokes every rule of the VPC's default security group",
            Runtime=LAMBDA_RUNTIME,
            Handler="index.handler",
            Timeout=60,
            Role=GetAtt(fn_role, "Arn"),
            Code=awslambda.Code(ZipFile=REVOKE_CODE),
            LoggingConfig=awslambda.LoggingConfig(LogGroup=fn_logs.ref()),
        )
    )
    suppress(fn, CUSTOM_RESOURCE_LAMBDA)
    t.add_resource(
        CustomResource(
            "RestrictDefaultSecurityGroup",
            ServiceToken=GetAtt(fn, "Arn"),
            GroupId=group_id,
        )
    )
