"""Who and what talks to the EKS cluster: the admin access entry, the IRSA OIDC
provider and the managed add-ons."""

from __future__ import annotations

from troposphere import GetAtt, Join, Partition, Template, eks, iam

from cfngen.config import Config
from cfngen.naming import logical_id
from cfngen.stacks.common import Props

ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"


def admin_entry(cfg: Config, t: Template, cluster: eks.Cluster) -> eks.AccessEntry | None:
    arn = cfg.eks.admin_principal_arn
    if not arn:
        return None
    policy = Join("", ["arn:", Partition, f":eks::aws:cluster-access-policy/{ADMIN_POLICY}"])
    return t.add_resource(
        eks.AccessEntry(
            "AdminAccessEntry",
            ClusterName=cluster.ref(),
            PrincipalArn=arn,
            Type="STANDARD",
            AccessPolicies=[
                eks.AccessPolicy(PolicyArn=policy, AccessScope=eks.AccessScope(Type="cluster"))
            ],
        )
    )


def oidc_provider(cfg: Config, t: Template, cluster: eks.Cluster) -> iam.OIDCProvider | None:
    """The IAM identity provider that lets Kubernetes service accounts assume IAM roles."""
    if not cfg.eks.oidc_provider:
        return None
    return t.add_resource(
        iam.OIDCProvider(
            "OidcProvider",
            Url=GetAtt(cluster, "OpenIdConnectIssuerUrl"),
            ClientIdList=["sts.amazonaws.com"],
        )
    )


# Node agents (DaemonSets) go on with the cluster, before the nodes: vpc-cni is what makes
# a node Ready. Every other add-on (coredns, CSI drivers ...) needs nodes to schedule on.
NODE_AGENT_ADDONS = frozenset({"vpc-cni", "kube-proxy", "eks-pod-identity-agent"})


def addons(cfg: Config, t: Template, cluster: eks.Cluster, node_group: eks.Nodegroup) -> None:
    """Managed add-ons: node agents with the cluster, the rest after the node group."""
    for addon in cfg.eks.addons:
        kw: Props = {"AddonVersion": addon.version} if addon.version else {}
        if addon.name not in NODE_AGENT_ADDONS:
            kw["DependsOn"] = [node_group.title]
        t.add_resource(
            eks.Addon(
                f"{logical_id(addon.name)}Addon",
                ClusterName=cluster.ref(),
                AddonName=addon.name,
                ResolveConflicts="OVERWRITE",
                **kw,
            )
        )
