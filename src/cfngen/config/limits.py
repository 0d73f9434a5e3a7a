"""AWS quotas and name limits that cfngen checks, each stated once with its source.

The config rules check what a single key decides (a tag's length, a rule's condition
values); :mod:`cfngen.stacks.quotas` measures the built templates against the
per-template quotas, so that counts that depend on how the builders expand a config
(resources per service, outputs per repository) are never estimated. Default quotas:
AWS can raise some of them per account, cfngen stays inside the defaults.
"""

from __future__ import annotations

from typing import Final

CLOUDFORMATION_LIMITS: Final = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
)
ALB_LIMITS: Final = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
)
TAG_RULES: Final = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

# CloudFormation, per template (CLOUDFORMATION_LIMITS).
RESOURCES: Final = 500
PARAMETERS: Final = 200
OUTPUTS: Final = 200
MAPPINGS: Final = 200
# "1 MB" for a template read from S3 (how cfngen deploys: the deployer uploads every
# template and passes TemplateURL). cfn-lint (E1002) counts it as 1,000,000 bytes, the
# stricter reading, so that is the limit. 51,200 bytes applies only to a TemplateBody
# sent inline with the API call, which cfngen never does, so it is not checked.
TEMPLATE_BYTES: Final = 1_000_000
INLINE_TEMPLATE_BYTES: Final = 51_200  # documented, not enforced (see above)
DESCRIPTION_BYTES: Final = 1024  # template Description, and each Output Description
LOGICAL_ID_CHARS: Final = 255  # resource, parameter and output names
PARAMETER_VALUE_BYTES: Final = 4096
RESOURCES_PER_OPERATION: Final = 2500  # one stack operation, nested stacks included

# Tags (TAG_RULES): 50 per resource, counting the stack tags CloudFormation propagates
# to every resource (aws: tags do not count). Keys 1-128 characters, values 0-256.
TAGS_PER_RESOURCE: Final = 50
TAG_KEY_CHARS: Final = 128
TAG_VALUE_CHARS: Final = 256
# Tags cfngen itself puts on every stack: the nested stacks' two, plus the one the
# deployer puts on the root stack (cfngen.contracts.MANAGED_BY_TAG).
CFNGEN_TAG_PREFIX: Final = "cfngen:"

# Application Load Balancer (ALB_LIMITS), default quotas.
RULES_PER_LISTENER: Final = 100  # not counting the default rule
TARGET_GROUPS_PER_ALB: Final = 100
CONDITION_VALUES_PER_RULE: Final = 5
RULE_PRIORITY_MAX: Final = 50000
# VPC (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html): inbound
# and outbound rules per security group, each.
SECURITY_GROUP_RULES: Final = 60
ALBS_PER_REGION: Final = 50  # Application Load Balancers per region

# Name lengths of resources whose names cfngen derives from the config.
IAM_ROLE_NAME_CHARS: Final = 64
ECR_REPOSITORY_NAME_CHARS: Final = 256
LOG_GROUP_NAME_CHARS: Final = 512
ECS_CLUSTER_NAME_CHARS: Final = 255
EKS_CLUSTER_NAME_CHARS: Final = 100
TASK_FAMILY_CHARS: Final = 255
SCALING_POLICY_NAME_CHARS: Final = 256
STACK_NAME_CHARS: Final = 128
