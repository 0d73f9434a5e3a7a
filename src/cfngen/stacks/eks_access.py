"""Who and what talks to the EKS cluster: the admin access entry, the IRSA OIDC
provider and the managed add-ons."""

from __future__ import annotations

from troposphere import GetAtt, Join, Partition, Template, eks, iam

from cfngen.config import Config, EksAddon
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
VPC_CNI, POD_IDENTITY_AGENT = "vpc-cni", "eks-pod-identity-agent"


def needs_pod_identity_agent(cfg: Config) -> bool:
    """Some Pod Identity association exists on nodes that do not run the agent themselves:
    the vpc-cni's (eks.pod_identity) or the app's (kubernetes.pod_identity). Auto Mode
    nodes run the agent built in."""
    if cfg.eks.auto_mode:
        return False
    return cfg.eks.pod_identity or cfg.kubernetes.pod_identity is not None


def effective_addons(cfg: Config) -> list[EksAddon]:
    """The configured add-ons plus those the cluster needs, node agents first.

    The node role no longer carries the CNI policy, so EKS's self-managed aws-node (which
    would run with the node role) cannot be left in place: vpc-cni is always a managed
    add-on with its role, and with Pod Identity the agent that hands it out comes too.
    Auto Mode nodes run the CNI, kube-proxy, CoreDNS and the Pod Identity agent
    themselves: nothing is added there.
    """
    listed = {a.name: a for a in cfg.eks.addons}
    needed = [] if cfg.eks.auto_mode else [VPC_CNI]
    if needs_pod_identity_agent(cfg):
        needed.append(POD_IDENTITY_AGENT)
    added = [EksAddon(name=n) for n in needed if n not in listed]  # type: ignore[arg-type]
    every = [*cfg.eks.addons, *added]
    return sorted(every, key=lambda a: a.name not in NODE_AGENT_ADDONS)


def addons(
    cfg: Config,
    t: Template,
    cluster: eks.Cluster,
    node_group: eks.Nodegroup | None,
    cni_identity: Props,
) -> None:
    """Managed add-ons: node agents with the cluster, the rest after the node group.

    ``cni_identity`` holds the vpc-cni add-on's identity properties (a Pod Identity
    association, or a service account role for IRSA). Without a node group (Auto Mode)
    nothing waits: EKS starts nodes for whatever needs them.
    """
    titles = {a.name: f"{logical_id(a.name)}Addon" for a in effective_addons(cfg)}
    for addon in effective_addons(cfg):
        kw: Props = {"AddonVersion": addon.version} if addon.version else {}
        waits = addon.name not in NODE_AGENT_ADDONS and node_group is not None
        depends = [node_group.title] if waits and node_group is not None else []
        if addon.name == VPC_CNI:
            kw.update(cni_identity)
            if POD_IDENTITY_AGENT in titles and cfg.eks.pod_identity:
                depends.append(titles[POD_IDENTITY_AGENT])  # it hands the role to aws-node
        if depends:
            kw["DependsOn"] = depends
        t.add_resource(
            eks.Addon(
                titles[addon.name],
                ClusterName=cluster.ref(),
                AddonName=addon.name,
                ResolveConflicts="OVERWRITE",
                **kw,
            )
        )
