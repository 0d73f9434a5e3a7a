"""The VPC CNI's own identity: a Pod Identity association, or an IRSA role.

With ``eks.pod_identity`` (the default) the role lives in the iam stack (its trust
names the cluster by its fixed name, nothing else) and the vpc-cni add-on gets a
``PodIdentityAssociations`` entry for ``kube-system/aws-node``. Without it the role
must trust the cluster's OIDC issuer, which only exists once the cluster does, so it
is created here; its trust policy is a ``Fn::Sub`` string because the condition keys
(``<issuer>:sub``) contain the issuer and JSON keys cannot hold intrinsic functions.
"""

from __future__ import annotations

import json

from troposphere import GetAtt, Select, Split, Sub, Template, eks, iam

from cfngen.config import Config
from cfngen.stacks import cni_policy
from cfngen.stacks.iam import CNI_NAMESPACE, CNI_SERVICE_ACCOUNT, POLICY_VERSION, role


def irsa_trust(namespace: str, service_account: str) -> str:
    """Trust for one service account through the cluster's OIDC provider (a Sub template)."""
    return json.dumps(
        {
            "Version": POLICY_VERSION,
            "Statement": [
                {
                    "Sid": "IrsaServiceAccount",
                    "Effect": "Allow",
                    "Principal": {"Federated": "${ProviderArn}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            "${Issuer}:aud": "sts.amazonaws.com",
                            "${Issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


def _irsa_role(cfg: Config, t: Template, cluster: eks.Cluster, oidc: iam.OIDCProvider) -> iam.Role:
    issuer = Select(1, Split("//", GetAtt(cluster, "OpenIdConnectIssuerUrl")))
    return t.add_resource(
        role(
            cfg,
            "EksVpcCniRole",
            "vpc-cni",
            Description=f"{cfg.prefix}: the VPC CNI (aws-node) through IAM roles for "
            "service accounts",
            AssumeRolePolicyDocument=Sub(
                irsa_trust(CNI_NAMESPACE, CNI_SERVICE_ACCOUNT),
                Issuer=issuer,
                ProviderArn=oidc.ref(),
            ),
            Policies=[cni_policy.inline()],
        )
    )


def cni_identity(
    cfg: Config,
    t: Template,
    cluster: eks.Cluster,
    oidc: iam.OIDCProvider | None,
    pod_identity_role: object | None,
) -> dict[str, object]:
    """The vpc-cni add-on properties that give aws-node its role."""
    if cfg.eks.pod_identity:
        return {
            "PodIdentityAssociations": [
                eks.PodIdentityAssociationProperty(
                    ServiceAccount=CNI_SERVICE_ACCOUNT, RoleArn=pod_identity_role
                )
            ]
        }
    if oidc is None:  # validation requires eks.oidc_provider without pod identity
        raise ValueError("eks.pod_identity: false needs eks.oidc_provider: true")
    return {"ServiceAccountRoleArn": GetAtt(_irsa_role(cfg, t, cluster, oidc), "Arn")}
