"""EKS stack: the cluster control plane, one managed node group (or Auto Mode) and the rest.

The cluster and its nodes use the private subnets when the network has them.
Secrets encryption creates a KMS key (rotated) that the cluster role may use; the
control-plane log group is created here (before the cluster) so that retention and
the logs key apply. Node, access-entry, OIDC and add-on resources live in
:mod:`eks_nodes` and :mod:`eks_access`, the VPC CNI's identity in :mod:`eks_identity`,
Auto Mode in :mod:`eks_auto`, the app's Pod Identity role in :mod:`app_identity`.
"""

from __future__ import annotations

from troposphere import GetAtt, Template, eks

from cfngen.config import Config
from cfngen.contracts import EksOut, IamOut, NetworkOut
from cfngen.stacks import (
    app_identity,
    eks_access,
    eks_auto,
    eks_identity,
    eks_nodes,
    kms,
    log_groups,
)
from cfngen.stacks.common import Props, add_output, add_parameter, new_template
from cfngen.stacks.iam import uses_vpc_cni_role
from cfngen.stacks.security import suppress, suppress_guard

ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"


def _cluster(
    cfg: Config,
    t: Template,
    subnets: object,
    role: object,
    node_role: object,
    logs_key: object | None,
) -> eks.Cluster:
    e = cfg.eks
    props: Props = eks_auto.cluster_props(node_role) if eks_auto.enabled(cfg) else {}
    if e.logging:
        # Created before the cluster, so EKS writes into it instead of creating its own:
        # retention, the logs key and the retain policy then apply to it as well.
        group = t.add_resource(
            log_groups.group(
                cfg,
                "ControlPlaneLogGroup",
                log_groups.eks_control_plane(cfg),
                e.log_retention_days,
                logs_key,
            )
        )
        props["DependsOn"] = [group.title]
        props["Logging"] = eks.Logging(
            ClusterLogging=eks.ClusterLogging(
                EnabledTypes=[eks.LoggingTypeConfig(Type=kind) for kind in e.logging]
            )
        )
    if e.secrets_encryption:
        key = t.add_resource(
            kms.key(cfg, "SecretsKey", "envelope-encrypts Kubernetes secrets", *kms.role_user(role))
        )
        props["EncryptionConfig"] = [
            eks.EncryptionConfig(
                Provider=eks.Provider(KeyArn=GetAtt(key, "Arn")), Resources=["secrets"]
            )
        ]
    vpc: Props = (
        {"PublicAccessCidrs": list(e.public_access_cidrs)} if e.endpoint_public_access else {}
    )
    cluster = eks.Cluster(
        "Cluster",
        Name=cfg.prefix,
        Version=e.version,
        RoleArn=role,
        ResourcesVpcConfig=eks.ResourcesVpcConfig(
            SubnetIds=subnets,
            EndpointPublicAccess=e.endpoint_public_access,
            EndpointPrivateAccess=e.endpoint_private_access,
            **vpc,
        ),
        AccessConfig=eks.AccessConfig(
            AuthenticationMode=e.authentication_mode,
            BootstrapClusterCreatorAdminPermissions=e.bootstrap_creator_admin,
        ),
        **props,
    )
    if not e.secrets_encryption:
        suppress(
            cluster,
            {
                "CKV_AWS_58": "eks.secrets_encryption is off: EKS already envelope-encrypts all "
                "Kubernetes API data with AWS-owned keys (default since 1.28); a "
                "customer-managed KMS key is opt-in (production.yaml turns it on).",
            },
        )
    if e.endpoint_public_access:
        suppress_guard(cluster, {"CT.EKS.PR.1": _public_endpoint(e.public_access_cidrs)})
    return t.add_resource(cluster)


def _public_endpoint(cidrs: tuple[str, ...]) -> str:
    if "0.0.0.0/0" in cidrs:
        return (
            "EKS's default public endpoint, open to any address (eks.public_access_cidrs), "
            "so that kubectl and cfngen manifests apply work from anywhere on a first "
            "platform; limit it with eks.public_access_cidrs or set "
            "eks.endpoint_public_access: false (config/private.yaml)."
        )
    return (
        f"Public endpoint admitting only {', '.join(cidrs)} (eks.public_access_cidrs), where "
        "the operators deploy from; nodes use the private endpoint. "
        "eks.endpoint_public_access: false makes it private-only (config/private.yaml)."
    )


def build(cfg: Config) -> Template:
    t = new_template(cfg, "EKS cluster and managed node group")
    private = bool(cfg.network.private_subnets)
    subnets = add_parameter(
        t,
        NetworkOut.PRIVATE_SUBNET_IDS if private else NetworkOut.PUBLIC_SUBNET_IDS,
        "List<AWS::EC2::Subnet::Id>",
        f"{'Private' if private else 'Public'} subnets (one per AZ) for the cluster and its nodes",
    )
    cluster_role = add_parameter(
        t,
        IamOut.EKS_CLUSTER_ROLE_ARN,
        "String",
        "ARN of the EKS cluster role",
        AllowedPattern=ROLE_ARN_PATTERN,
    )
    node_role = add_parameter(
        t,
        IamOut.EKS_NODE_ROLE_ARN,
        "String",
        "ARN of the EKS node role",
        AllowedPattern=ROLE_ARN_PATTERN,
    )
    logs_key = (
        add_parameter(
            t,
            NetworkOut.LOGS_KEY_ARN,
            "String",
            "ARN of the KMS key that encrypts the control-plane log group",
            AllowedPattern=log_groups.KEY_ARN_PATTERN,
        )
        if log_groups.uses_kms(cfg) and cfg.eks.logging
        else None
    )
    cni_role = (
        add_parameter(
            t,
            IamOut.EKS_VPC_CNI_ROLE_ARN,
            "String",
            "ARN of the vpc-cni add-on role (EKS Pod Identity)",
            AllowedPattern=ROLE_ARN_PATTERN,
        )
        if uses_vpc_cni_role(cfg)
        else None
    )
    cluster = _cluster(
        cfg,
        t,
        subnets.ref(),
        cluster_role.ref(),
        node_role.ref(),
        logs_key.ref() if logs_key else None,
    )
    auto = eks_auto.enabled(cfg)
    node_group = None if auto else eks_nodes.add(cfg, t, cluster, subnets.ref(), node_role.ref())
    eks_access.admin_entry(cfg, t, cluster)
    oidc = eks_access.oidc_provider(cfg, t, cluster)
    identity = (
        {}
        if auto
        else eks_identity.cni_identity(cfg, t, cluster, oidc, cni_role.ref() if cni_role else None)
    )
    eks_access.addons(cfg, t, cluster, node_group, identity)
    app_identity.add(cfg, t, cluster)
    add_output(t, EksOut.CLUSTER_NAME, cluster.ref(), "Name of the EKS cluster")
    add_output(t, EksOut.ENDPOINT, GetAtt(cluster, "Endpoint"), "Kubernetes API endpoint")
    add_output(
        t,
        EksOut.CERTIFICATE_AUTHORITY_DATA,
        GetAtt(cluster, "CertificateAuthorityData"),
        "Base64 CA certificate of the Kubernetes API (for kubeconfig)",
    )
    add_output(
        t,
        EksOut.CLUSTER_SECURITY_GROUP_ID,
        GetAtt(cluster, "ClusterSecurityGroupId"),
        "Security group EKS created for the cluster",
    )
    if node_group is not None:
        add_output(
            t,
            EksOut.NODE_GROUP_NAME,
            GetAtt(node_group, "NodegroupName"),
            "Name of the managed node group",
        )
    if oidc is not None:
        add_output(
            t,
            EksOut.OIDC_PROVIDER_ARN,
            oidc.ref(),
            "ARN of the IAM OIDC provider (trust principal of IRSA roles)",
        )
        add_output(
            t,
            EksOut.OIDC_ISSUER_URL,
            GetAtt(cluster, "OpenIdConnectIssuerUrl"),
            "OIDC issuer URL of the cluster",
        )
    return t
