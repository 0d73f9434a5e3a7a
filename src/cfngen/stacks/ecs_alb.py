"""ECS + ALB stack: an internet-facing ALB in front of Fargate services.

Security groups are linked with separate ingress/egress resources so that the
ALB may only talk to the tasks and the tasks only accept the ALB, without a
circular reference between the two groups.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Region, Template, ec2, ecs, logs
from troposphere import elasticloadbalancingv2 as elb

from cfngen.config import Config, EcsService
from cfngen.contracts import EcrOut, EcsAlbOut, IamOut, NetworkOut
from cfngen.naming import logical_id
from cfngen.stacks.common import add_output, add_parameter, name_tags, new_template

LISTENER_PORT = 80


class _Params:
    """The parameters this stack receives from the network, IAM and ECR stacks."""

    def __init__(self, cfg: Config, t: Template) -> None:
        self.vpc = add_parameter(t, NetworkOut.VPC_ID, "AWS::EC2::VPC::Id", "VPC of the services")
        self.subnets = add_parameter(
            t,
            NetworkOut.PUBLIC_SUBNET_IDS,
            "List<AWS::EC2::Subnet::Id>",
            "Public subnets (one per AZ) for the load balancer and tasks",
        )
        self.execution_role = add_parameter(
            t,
            IamOut.ECS_TASK_EXECUTION_ROLE_ARN,
            "String",
            "ARN of the ECS task execution role",
            AllowedPattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$",
        )
        self.task_role = add_parameter(
            t,
            IamOut.ECS_TASK_ROLE_ARN,
            "String",
            "ARN of the role the containers run as",
            AllowedPattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$",
        )
        self.repository_uri = {
            repo: add_parameter(
                t, EcrOut.repository_uri(repo), "String", f"URI of the {repo} ECR repository"
            )
            for repo in sorted({s.image for s in cfg.ecs.services if uses_ecr(cfg, s)})
        }
        self.image_tag = {
            s.name: add_parameter(
                t,
                f"{logical_id(s.name)}ImageTag",
                "String",
                f"Image tag the {s.name} service runs",
                Default=s.tag,
                AllowedPattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
            )
            for s in cfg.ecs.services
            if uses_ecr(cfg, s)
        }


def uses_ecr(cfg: Config, svc: EcsService) -> bool:
    return cfg.ecr_repository(svc.image) is not None


def image(cfg: Config, svc: EcsService, p: _Params) -> object:
    """Image reference: ECR repository URI + tag parameter, or the configured URI."""
    if uses_ecr(cfg, svc):
        return Join(":", [p.repository_uri[svc.image].ref(), p.image_tag[svc.name].ref()])
    last = svc.image.rsplit("/", 1)[-1]
    return svc.image if (":" in last or "@" in last) else f"{svc.image}:{svc.tag}"


def _alb(cfg: Config, t: Template, p: _Params) -> tuple[elb.LoadBalancer, ec2.SecurityGroup]:
    sg = t.add_resource(
        ec2.SecurityGroup(
            "LoadBalancerSecurityGroup",
            GroupDescription=f"{cfg.prefix} load balancer: HTTP from the allowed CIDRs",
            VpcId=p.vpc.ref(),
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=LISTENER_PORT,
                    ToPort=LISTENER_PORT,
                    CidrIp=cidr,
                    Description="HTTP from an allowed CIDR",
                )
                for cidr in cfg.alb.ingress_cidrs
            ],
            Tags=name_tags(cfg, "alb"),
        )
    )
    alb = t.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Type="application",
            Scheme="internet-facing",
            Subnets=p.subnets.ref(),
            SecurityGroups=[sg.ref()],
            LoadBalancerAttributes=[
                elb.LoadBalancerAttributes(
                    Key="routing.http.drop_invalid_header_fields.enabled", Value="true"
                ),
            ],
            Tags=name_tags(cfg, "alb"),
        )
    )
    return alb, sg


def _target_group(cfg: Config, svc: EcsService, p: _Params) -> elb.TargetGroup:
    return elb.TargetGroup(
        f"{logical_id(svc.name)}TargetGroup",
        TargetType="ip",
        Protocol="HTTP",
        Port=svc.container_port,
        VpcId=p.vpc.ref(),
        HealthCheckEnabled=True,
        HealthCheckPath=svc.health_check_path,
        HealthCheckProtocol="HTTP",
        Matcher=elb.Matcher(HttpCode="200-399"),
        TargetGroupAttributes=[
            elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30"),
        ],
        Tags=name_tags(cfg, svc.name),
    )


def _task_definition(
    cfg: Config, svc: EcsService, p: _Params, log_group: logs.LogGroup
) -> ecs.TaskDefinition:
    return ecs.TaskDefinition(
        f"{logical_id(svc.name)}TaskDefinition",
        Family=f"{cfg.prefix}-{svc.name}",
        Cpu=str(svc.cpu),
        Memory=str(svc.memory),
        NetworkMode="awsvpc",
        RequiresCompatibilities=["FARGATE"],
        RuntimePlatform=ecs.RuntimePlatform(
            CpuArchitecture="X86_64", OperatingSystemFamily="LINUX"
        ),
        ExecutionRoleArn=p.execution_role.ref(),
        TaskRoleArn=p.task_role.ref(),
        ContainerDefinitions=[
            ecs.ContainerDefinition(
                Name=svc.name,
                Image=image(cfg, svc, p),
                Essential=True,
                PortMappings=[ecs.PortMapping(ContainerPort=svc.container_port, Protocol="tcp")],
                LogConfiguration=ecs.LogConfiguration(
                    LogDriver="awslogs",
                    Options={
                        "awslogs-group": log_group.ref(),
                        "awslogs-region": Region,
                        "awslogs-stream-prefix": svc.name,
                    },
                ),
            )
        ],
    )


def _service(
    cfg: Config,
    t: Template,
    svc: EcsService,
    p: _Params,
    cluster: ecs.Cluster,
    alb_sg: ec2.SecurityGroup,
    listener: elb.Listener,
    target_group: elb.TargetGroup,
) -> ecs.Service:
    """Log group, task definition, task security group and the service for one service."""
    lid = logical_id(svc.name)
    log_group = t.add_resource(
        logs.LogGroup(
            f"{lid}LogGroup",
            LogGroupName=f"/ecs/{cfg.prefix}/{svc.name}",
            RetentionInDays=cfg.ecs.log_retention_days,
        )
    )
    task_def = t.add_resource(_task_definition(cfg, svc, p, log_group))
    task_sg = t.add_resource(
        ec2.SecurityGroup(
            f"{lid}TaskSecurityGroup",
            GroupDescription=f"{cfg.prefix} {svc.name} tasks: traffic from the load balancer only",
            VpcId=p.vpc.ref(),
            Tags=name_tags(cfg, f"{svc.name}-tasks"),
        )
    )
    t.add_resource(
        ec2.SecurityGroupIngress(
            f"{lid}TaskIngressFromLoadBalancer",
            GroupId=task_sg.ref(),
            SourceSecurityGroupId=alb_sg.ref(),
            IpProtocol="tcp",
            FromPort=svc.container_port,
            ToPort=svc.container_port,
            Description="Container port from the load balancer",
        )
    )
    t.add_resource(
        ec2.SecurityGroupEgress(
            f"LoadBalancerEgressTo{lid}Tasks",
            GroupId=alb_sg.ref(),
            DestinationSecurityGroupId=task_sg.ref(),
            IpProtocol="tcp",
            FromPort=svc.container_port,
            ToPort=svc.container_port,
            Description=f"Load balancer to the {svc.name} tasks",
        )
    )
    return ecs.Service(
        f"{lid}Service",
        DependsOn=[listener.title],
        Cluster=cluster.ref(),
        LaunchType="FARGATE",
        DesiredCount=svc.desired_count,
        TaskDefinition=task_def.ref(),
        HealthCheckGracePeriodSeconds=60,
        DeploymentConfiguration=ecs.DeploymentConfiguration(
            DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
            MaximumPercent=200,
            MinimumHealthyPercent=100,
        ),
        NetworkConfiguration=ecs.NetworkConfiguration(
            AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                AssignPublicIp="ENABLED",  # public subnets, no NAT: needed to pull images
                Subnets=p.subnets.ref(),
                SecurityGroups=[task_sg.ref()],
            )
        ),
        LoadBalancers=[
            ecs.LoadBalancer(
                ContainerName=svc.name,
                ContainerPort=svc.container_port,
                TargetGroupArn=target_group.ref(),
            )
        ],
        PropagateTags="SERVICE",
        EnableECSManagedTags=True,
    )


def build(cfg: Config) -> Template:
    t = new_template(cfg, "ECS cluster and Fargate services behind an Application Load Balancer")
    p = _Params(cfg, t)
    alb, alb_sg = _alb(cfg, t, p)
    cluster = t.add_resource(
        ecs.Cluster(
            "Cluster",
            ClusterName=cfg.prefix,
            ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value="enabled")],
        )
    )
    target_groups = {s.name: t.add_resource(_target_group(cfg, s, p)) for s in cfg.ecs.services}
    first = cfg.ecs.services[0]
    listener = t.add_resource(
        elb.Listener(
            "HttpListener",
            LoadBalancerArn=alb.ref(),
            Port=LISTENER_PORT,
            Protocol="HTTP",
            DefaultActions=[
                elb.Action(Type="forward", TargetGroupArn=target_groups[first.name].ref())
            ],
        )
    )
    services = [
        t.add_resource(_service(cfg, t, s, p, cluster, alb_sg, listener, target_groups[s.name]))
        for s in cfg.ecs.services
    ]
    add_output(t, EcsAlbOut.ALB_DNS_NAME, GetAtt(alb, "DNSName"), "DNS name of the load balancer")
    add_output(
        t,
        EcsAlbOut.URL,
        Join("", ["http://", GetAtt(alb, "DNSName")]),
        "URL of the application",
    )
    add_output(t, EcsAlbOut.CLUSTER_NAME, cluster.ref(), "Name of the ECS cluster")
    for svc, res in zip(cfg.ecs.services, services, strict=True):
        add_output(
            t,
            EcsAlbOut.service_name(svc.name),
            GetAtt(res, "Name"),
            f"Name of the {svc.name} ECS service",
        )
    return t
