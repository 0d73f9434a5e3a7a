"""The VPC CNI's permissions as an inline policy of its own role, instead of the managed one.

``AmazonEKS_CNI_Policy`` (v6) lets its holder manage network interfaces anywhere
(``Resource: "*"``, tags on ``arn:aws:ec2:*:*:network-interface/*``). The CNI needs
the same actions, but only in the account and region of its cluster; and no role
cfngen makes carries the managed policy, so none can be given it by mistake.

Scoping follows the CNI project's own scope-down policy (amazon-vpc-cni-k8s,
docs/iam-policy.md) for which resource types each action touches. Two further
conditions it proposes are left out on purpose: ``ec2:Vpc`` on the subnet and
security group would make the iam stack wait for the network stack's VPC, and the
``cluster.k8s.amazonaws.com/name`` tag conditions only hold when ``aws-node`` runs
with ``CLUSTER_NAME`` set, which a rehearsal cannot show - a wrong guess there stops
pod networking on real nodes.
"""

from __future__ import annotations

from awacs import ec2
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import AccountId, Join, Partition, Region, iam

from cfngen.stacks.common import POLICY_VERSION

POLICY_NAME = "vpc-cni"

# Describe calls take no resource-level permissions: "*" is the only valid resource.
DESCRIBE = [
    ec2.DescribeInstances,
    ec2.DescribeInstanceTypes,
    ec2.DescribeNetworkInterfaces,
    ec2.DescribeSecurityGroups,
    ec2.DescribeSubnets,
    ec2.DescribeTags,
]
ON_INTERFACES = [
    ec2.AssignPrivateIpAddresses,
    ec2.AttachNetworkInterface,
    ec2.CreateNetworkInterface,
    ec2.CreateTags,
    ec2.DeleteNetworkInterface,
    ec2.DetachNetworkInterface,
    ec2.ModifyNetworkInterfaceAttribute,
    ec2.UnassignPrivateIpAddresses,
]
ON_INSTANCES = [
    ec2.AttachNetworkInterface,
    ec2.DetachNetworkInterface,
    ec2.ModifyNetworkInterfaceAttribute,
]
# A new interface names its subnet and groups; a modified one may change its groups.
ON_SUBNETS_AND_GROUPS = [ec2.CreateNetworkInterface, ec2.ModifyNetworkInterfaceAttribute]


def _here(resource: str) -> Join:
    """An EC2 resource ARN pattern in this account and region only."""
    return Join("", ["arn:", Partition, ":ec2:", Region, ":", AccountId, f":{resource}"])


def document() -> PolicyDocument:
    """The actions of AmazonEKS_CNI_Policy, for this account's and region's resources."""
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(Sid="DescribeNetwork", Effect=Allow, Action=DESCRIBE, Resource=["*"]),
            Statement(
                Sid="ManageNetworkInterfaces",
                Effect=Allow,
                Action=ON_INTERFACES,
                Resource=[_here("network-interface/*")],
            ),
            Statement(
                Sid="AttachToInstances",
                Effect=Allow,
                Action=ON_INSTANCES,
                Resource=[_here("instance/*")],
            ),
            Statement(
                Sid="UseSubnetsAndSecurityGroups",
                Effect=Allow,
                Action=ON_SUBNETS_AND_GROUPS,
                Resource=[_here("subnet/*"), _here("security-group/*")],
            ),
        ],
    )


def inline() -> iam.Policy:
    """The policy as it sits on the vpc-cni add-on's role (Pod Identity or IRSA)."""
    return iam.Policy(PolicyName=POLICY_NAME, PolicyDocument=document())
