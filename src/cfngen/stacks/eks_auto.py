"""EKS Auto Mode: what the cluster, its roles and its add-ons look like with ``eks.auto_mode``.

With Auto Mode EKS runs the data plane: it launches and patches the nodes of its built-in
node pools (``general-purpose`` and ``system``), provisions EBS volumes and creates load
balancers for Services and Ingresses, so there is no managed node group and none of the
node agents (vpc-cni, kube-proxy, coredns) is installed as an add-on or bootstrapped as a
self-managed one (EKS refuses Auto Mode with ``BootstrapSelfManagedAddons`` on). The three
capabilities are enabled together, as EKS requires. The cluster role needs the Auto Mode
managed policies and ``sts:TagSession`` (EKS tags the sessions it opens with it); the node
role needs only what the kubelet of an Auto Mode node does. EKS creates the node role's
access entry (type EC2, ``AmazonEKSAutoNodePolicy``) itself when the built-in node pools
are on, so cfngen declares none: a second one for the same role would be refused.
"""

from __future__ import annotations

from troposphere import eks

from cfngen.config import Config
from cfngen.stacks.common import Props

NODE_POOLS = ("general-purpose", "system")
CLUSTER_POLICIES = (
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
)
NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")
# Add-ons Auto Mode nodes run themselves: listing them is refused by validation.
BUILT_IN_ADDONS = ("vpc-cni", "kube-proxy", "coredns")


def enabled(cfg: Config) -> bool:
    return cfg.eks.auto_mode


def cluster_props(node_role: object) -> Props:
    """Compute, block storage and load balancing, all on: Auto Mode needs the three."""
    return {
        "BootstrapSelfManagedAddons": False,
        "ComputeConfig": eks.ComputeConfig(
            Enabled=True, NodePools=list(NODE_POOLS), NodeRoleArn=node_role
        ),
        "StorageConfig": eks.StorageConfig(BlockStorage=eks.BlockStorage(Enabled=True)),
        "KubernetesNetworkConfig": eks.KubernetesNetworkConfig(
            ElasticLoadBalancing=eks.ElasticLoadBalancing(Enabled=True)
        ),
    }
