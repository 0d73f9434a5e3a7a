"""One Fargate service: log group, task definition, task security group, service, scaling,
and what it adds of Service Connect (:mod:`service_connect`) and blue/green
(:mod:`ecs_blue_green`), so that each service's resources move together."""

from __future__ import annotations

from dataclasses import dataclass, field

from troposphere import GetAtt, Join, Region, Template, applicationautoscaling, ec2, ecs, logs
from troposphere import elasticloadbalancingv2 as elb

from cfngen.config import AutoscalingConfig, Config, EcsService
from cfngen.naming import logical_id
from cfngen.stacks import ecs_blue_green, egress, log_groups, service_connect
from cfngen.stacks.common import Props, name_tags
from cfngen.stacks.security import PUBLIC_ADDRESSES, suppress_cfn_nag, suppress_guard


@dataclass(frozen=True)
class Shared:
    """What a service links to: references into its own template, or parameters (the
    sharded layout's services receive the cluster and load balancer from ecs-alb)."""

    vpc: object
    subnets: object
    execution_role: object
    task_role: object
    cluster: object  # name or ARN
    alb_full_name: object  # the LoadBalancerFullName (request-count scaling)
    alb_sg: object  # group ID of the load balancer's security group
    listener: str | None  # the listener's logical ID when in the same template
    log_key: object | None
    namespace_arn: object | None = None  # ecs.service_connect: the Cloud Map namespace
    service_connect_sg: object | None = None  # ... and the group its members join
    test_listeners: dict[int, object] = field(default_factory=dict)  # blue/green: port -> ARN
    blue_green_role: object | None = None
    hook_role: object | None = None
    targets_sg: object | None = None  # sharded: the group its load balancer may reach


@dataclass(frozen=True)
class Routing:
    """How the load balancer reaches one service."""

    target_group: elb.TargetGroup
    rule: elb.ListenerRule | None  # production listener rule (routed or blue/green)
    alternate: elb.TargetGroup | None = None  # blue/green: where the green revision goes


def uses_capacity_providers(cfg: Config) -> bool:
    """FARGATE_SPOT in the mix: services use the cluster's strategy instead of a launch type."""
    return cfg.ecs.capacity_providers.fargate_spot_weight > 0


def _log_group(cfg: Config, svc: EcsService, s: Shared) -> logs.LogGroup:
    return log_groups.group(
        cfg,
        f"{logical_id(svc.name)}LogGroup",
        log_groups.service(cfg, svc.name),
        cfg.ecs.log_retention_days,
        s.log_key,
    )


def _file_system(svc: EcsService) -> tuple[Props, Props]:
    """The container's user and read-only root with its writable paths, and the task's
    volumes for them: each an empty bind-mount volume on the task's ephemeral storage."""
    container: Props = {"ReadonlyRootFilesystem": svc.readonly_root_filesystem}
    if svc.user:
        container["User"] = svc.user
    if not svc.readonly_root_filesystem or not svc.writable_paths:
        return container, {}
    names = [f"writable-{i}" for i in range(len(svc.writable_paths))]
    container["MountPoints"] = [
        ecs.MountPoint(SourceVolume=name, ContainerPath=path, ReadOnly=False)
        for name, path in zip(names, svc.writable_paths, strict=True)
    ]
    return container, {"Volumes": [ecs.Volume(Name=name) for name in names]}


def _task_definition(
    cfg: Config, svc: EcsService, s: Shared, image: object, log_group: logs.LogGroup
) -> ecs.TaskDefinition:
    container, volumes = _file_system(svc)
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
        ExecutionRoleArn=s.execution_role,
        TaskRoleArn=s.task_role,
        ContainerDefinitions=[
            ecs.ContainerDefinition(
                Name=svc.name,
                Image=image,
                Essential=True,
                # The task's memory as the container's hard limit: the same bound, stated where
                # scanners (and a second container added later) look for it.
                Memory=svc.memory,
                PortMappings=[
                    ecs.PortMapping(
                        ContainerPort=svc.container_port,
                        Protocol="tcp",
                        **service_connect.port_mapping_props(cfg, svc),
                    )
                ],
                LogConfiguration=ecs.LogConfiguration(
                    LogDriver="awslogs",
                    Options={
                        "awslogs-group": log_group.ref(),
                        "awslogs-region": Region,
                        "awslogs-stream-prefix": svc.name,
                    },
                ),
                **container,
            )
        ],
        **volumes,
    )


def _security_group(cfg: Config, t: Template, svc: EcsService, s: Shared) -> ec2.SecurityGroup:
    """Task group: in, only the load balancer; out, only what :mod:`egress` allows."""
    lid = logical_id(svc.name)
    task_sg = t.add_resource(
        ec2.SecurityGroup(
            f"{lid}TaskSecurityGroup",
            GroupDescription=f"{cfg.prefix} {svc.name} tasks: traffic from the load balancer only",
            VpcId=s.vpc,
            SecurityGroupEgress=egress.task_rules(cfg, svc),
            Tags=name_tags(cfg, f"{svc.name}-tasks"),
        )
    )
    suppress_cfn_nag(task_sg, egress.task_suppressions(svc))
    t.add_resource(
        ec2.SecurityGroupIngress(
            f"{lid}TaskIngressFromLoadBalancer",
            GroupId=task_sg.ref(),
            SourceSecurityGroupId=s.alb_sg,
            IpProtocol="tcp",
            FromPort=svc.container_port,
            ToPort=svc.container_port,
            Description="Container port from the load balancer",
        )
    )
    return task_sg


def _load_balancer(
    cfg: Config, t: Template, svc: EcsService, s: Shared, r: Routing
) -> tuple[ecs.LoadBalancer, list[str]]:
    """The service's target group, and with blue/green what ECS shifts; the rules to wait for."""
    props: Props = {}
    if r.alternate is not None and r.rule is not None:  # the rules are referenced: no wait
        listener = s.test_listeners[ecs_blue_green.test_port(cfg, svc)]
        test_rule = ecs_blue_green.test_rule(t, svc, listener, r.rule, r.target_group, r.alternate)
        props["AdvancedConfiguration"] = ecs_blue_green.advanced(
            r.alternate, r.rule, test_rule, s.blue_green_role
        )
        waits = [s.listener] if s.listener else []
    else:
        waits = ([s.listener] if s.listener else []) + (
            [str(r.rule.title)] if r.rule is not None else []
        )
    lb = ecs.LoadBalancer(
        ContainerName=svc.name,
        ContainerPort=svc.container_port,
        TargetGroupArn=r.target_group.ref(),
        **props,
    )
    return lb, waits


def add(
    cfg: Config,
    t: Template,
    svc: EcsService,
    s: Shared,
    image: object,
    r: Routing,
) -> tuple[ecs.Service, ec2.SecurityGroup]:
    """Everything one service needs; returns the ECS service and its task security group."""
    lid = logical_id(svc.name)
    log_group = t.add_resource(_log_group(cfg, svc, s))
    task_def = t.add_resource(_task_definition(cfg, svc, s, image, log_group))
    task_sg = _security_group(cfg, t, svc, s)
    groups: list[object] = [task_sg.ref()]
    private = bool(cfg.network.private_subnets)
    placement: Props = (
        {"CapacityProviderStrategy": _strategy(cfg)}
        if uses_capacity_providers(cfg)
        else {"LaunchType": "FARGATE"}
    )
    if svc.enable_execute_command:
        placement["EnableExecuteCommand"] = True
    if s.targets_sg is not None:
        groups.append(s.targets_sg)
    if s.namespace_arn is not None and s.service_connect_sg is not None:
        placement["ServiceConnectConfiguration"] = service_connect.service_props(
            svc, s.namespace_arn, log_group
        )
        service_connect.task_rules(cfg, t, svc, task_sg, s.service_connect_sg)
        groups.append(s.service_connect_sg)
    if svc.is_blue_green:
        placement["DeploymentController"] = ecs.DeploymentController(Type="ECS")
    load_balancer, rules = _load_balancer(cfg, t, svc, s, r)
    waits: Props = {"DependsOn": rules} if rules else {}
    service = t.add_resource(
        ecs.Service(
            f"{lid}Service",
            **waits,
            Cluster=s.cluster,
            DesiredCount=svc.desired_count,
            TaskDefinition=task_def.ref(),
            HealthCheckGracePeriodSeconds=svc.health_check.grace_period_seconds,
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
                MaximumPercent=200,
                MinimumHealthyPercent=100,
                **ecs_blue_green.deployment_props(svc, s.hook_role),
            ),
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    # Public subnets have no NAT: tasks there need a public IP to pull images.
                    AssignPublicIp="DISABLED" if private else "ENABLED",
                    Subnets=s.subnets,
                    SecurityGroups=groups,
                )
            ),
            LoadBalancers=[load_balancer],
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            **placement,
        )
    )
    if not private:
        suppress_guard(service, {"CT.ECS.PR.9": PUBLIC_ADDRESSES})
    if svc.autoscaling is not None:
        _autoscaling(cfg, t, svc, svc.autoscaling, s, service, r.target_group)
    return service, task_sg


def _strategy(cfg: Config) -> list[ecs.CapacityProviderStrategyItem]:
    cp = cfg.ecs.capacity_providers
    items = [
        ecs.CapacityProviderStrategyItem(
            CapacityProvider="FARGATE", Weight=cp.fargate_weight, Base=cp.fargate_base
        )
    ]
    if cp.fargate_spot_weight:
        items.append(
            ecs.CapacityProviderStrategyItem(
                CapacityProvider="FARGATE_SPOT", Weight=cp.fargate_spot_weight
            )
        )
    return items


def cluster_capacity(cfg: Config) -> Props:
    """Cluster properties that make the capacity providers available to the services."""
    if not uses_capacity_providers(cfg):
        return {}
    return {
        "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "DefaultCapacityProviderStrategy": _strategy(cfg),
    }


def _autoscaling(
    cfg: Config,
    t: Template,
    svc: EcsService,
    a: AutoscalingConfig,
    s: Shared,
    service: ecs.Service,
    target_group: elb.TargetGroup,
) -> None:
    lid = logical_id(svc.name)
    target = t.add_resource(
        applicationautoscaling.ScalableTarget(
            f"{lid}ScalableTarget",
            ServiceNamespace="ecs",
            ScalableDimension="ecs:service:DesiredCount",
            ResourceId=Join("/", ["service", s.cluster, GetAtt(service, "Name")]),
            MinCapacity=a.min,
            MaxCapacity=a.max,
        )
    )
    metrics: list[tuple[str, str, int, Props]] = []
    if a.cpu_target:
        metrics.append(("Cpu", "ECSServiceAverageCPUUtilization", a.cpu_target, {}))
    if a.requests_per_target:
        label = Join(
            "/",
            [s.alb_full_name, GetAtt(target_group, "TargetGroupFullName")],
        )
        metrics.append(
            (
                "Requests",
                "ALBRequestCountPerTarget",
                a.requests_per_target,
                {"ResourceLabel": label},
            )
        )
    for suffix, metric, value, extra in metrics:
        spec = applicationautoscaling.PredefinedMetricSpecification(
            PredefinedMetricType=metric, **extra
        )
        t.add_resource(
            applicationautoscaling.ScalingPolicy(
                f"{lid}{suffix}ScalingPolicy",
                PolicyName=f"{cfg.prefix}-{svc.name}-{suffix.lower()}",
                PolicyType="TargetTrackingScaling",
                ScalingTargetId=target.ref(),
                TargetTrackingScalingPolicyConfiguration=applicationautoscaling.TargetTrackingScalingPolicyConfiguration(
                    PredefinedMetricSpecification=spec,
                    TargetValue=float(value),
                    ScaleInCooldown=a.scale_in_cooldown,
                    ScaleOutCooldown=a.scale_out_cooldown,
                ),
            )
        )
