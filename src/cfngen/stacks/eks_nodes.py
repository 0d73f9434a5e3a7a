"""The EKS managed node group and, optionally, its launch template.

With ``eks.node_group.launch_template`` the nodes get IMDSv2 only (with a hop
limit, 1 by default so pods cannot borrow the node role) and an encrypted gp3
root volume; the volume size then moves from the node group to the template.
"""

from __future__ import annotations

from troposphere import GetAtt, Template, ec2, eks

from cfngen.config import Config, NodeGroupConfig
from cfngen.stacks.common import Props, name_tags
from cfngen.stacks.security import suppress_guard


def _root_device(ng: NodeGroupConfig) -> str:
    """Bottlerocket keeps containers on its second (data) volume; others on the root."""
    return "/dev/xvdb" if ng.ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"


def _launch_template(cfg: Config, ng: NodeGroupConfig) -> ec2.LaunchTemplate:
    template = ec2.LaunchTemplate(
        "NodeLaunchTemplate",
        LaunchTemplateData=ec2.LaunchTemplateData(
            Monitoring=ec2.Monitoring(Enabled=ng.detailed_monitoring),
            MetadataOptions=ec2.MetadataOptions(
                HttpEndpoint="enabled",
                HttpTokens="required",
                HttpPutResponseHopLimit=ng.metadata_hop_limit,
            ),
            BlockDeviceMappings=[
                ec2.LaunchTemplateBlockDeviceMapping(
                    DeviceName=_root_device(ng),
                    Ebs=ec2.EBSBlockDevice(
                        VolumeSize=ng.disk_size,
                        VolumeType="gp3",
                        Encrypted=True,
                        DeleteOnTermination=True,
                    ),
                )
            ],
            TagSpecifications=[
                ec2.TagSpecifications(
                    ResourceType=kind,
                    Tags=name_tags(cfg, "node"),
                )
                for kind in ("instance", "volume")
            ],
        ),
    )
    if not ng.detailed_monitoring:
        suppress_guard(
            template,
            {
                "CT.EC2.PR.10": "eks.node_group.detailed_monitoring is off: 1-minute EC2 "
                "metrics are billed per instance; the free 5-minute metrics stay.",
            },
        )
    return template


def add(
    cfg: Config, t: Template, cluster: eks.Cluster, subnets: object, role: object
) -> eks.Nodegroup:
    ng = cfg.eks.node_group
    props: Props = {}
    if ng.launch_template:
        lt = t.add_resource(_launch_template(cfg, ng))
        props["LaunchTemplate"] = eks.LaunchTemplateSpecification(
            Id=lt.ref(), Version=GetAtt(lt, "LatestVersionNumber")
        )
    else:
        props["DiskSize"] = ng.disk_size
    if ng.labels:
        props["Labels"] = dict(sorted(ng.labels.items()))
    if ng.taints:
        props["Taints"] = [
            eks.Taint(Key=x.key, Effect=x.effect, **({"Value": x.value} if x.value else {}))
            for x in ng.taints
        ]
    return t.add_resource(
        eks.Nodegroup(
            "NodeGroup",
            ClusterName=cluster.ref(),
            NodeRole=role,
            Subnets=subnets,
            AmiType=ng.ami_type,
            CapacityType=ng.capacity_type,
            InstanceTypes=list(ng.instance_types),
            ScalingConfig=eks.ScalingConfig(
                MinSize=ng.min_size, MaxSize=ng.max_size, DesiredSize=ng.desired_size
            ),
            UpdateConfig=eks.UpdateConfig(MaxUnavailable=1),
            **props,
        )
    )
