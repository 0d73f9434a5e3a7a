"""ECS + ALB stack: an internet-facing ALB in front of Fargate services.

Every security group declares its outbound rules inline (see :mod:`egress`), which
removes AWS's allow-all default: the ALB may only talk to the tasks, on their
container ports. The tasks accept only the ALB through separate ingress resources,
so the two groups do not reference each other circularly. Listeners and rules live in
:mod:`ecs_routing`, one service's resources in :mod:`ecs_service`, the access-log
bucket in :mod:`alb_logs`.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Template, ec2, ecs, s3
from troposphere import elasticloadbalancingv2 as elb

from cfngen.config import Config, EcsService
from cfngen.config.placement import AUTOMATIC_PREFIX, MAIN
from cfngen.contracts import EcrOut, EcsAlbOut, IamOut, NetworkOut
from cfngen.naming import logical_id
from cfngen.stacks import (
    alb_logs,
    ecs_blue_green,
    ecs_routing,
    ecs_service,
    egress,
    log_groups,
    service_connect,
)
from cfngen.stacks.common import Props, add_output, add_parameter, name_tags, new_template
from cfngen.stacks.security import suppress, suppress_guard

ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"


class Params:
    """The parameters this stack receives from the network, IAM and ECR stacks."""

    def __init__(self, cfg: Config, t: Template, with_alb: bool = True) -> None:
        self.vpc = add_parameter(t, NetworkOut.VPC_ID, "AWS::EC2::VPC::Id", "VPC of the services")
        private = bool(cfg.network.private_subnets)
        if with_alb or not private:
            self.subnets = add_parameter(
                t,
                NetworkOut.PUBLIC_SUBNET_IDS,
                "List<AWS::EC2::Subnet::Id>",
                ("Public subnets (one per AZ) for the load balancer" if with_alb else "")
                + ("" if private else " and the tasks" if with_alb else "Subnets of the tasks"),
            )
        self.task_subnets = (
            add_parameter(
                t,
                NetworkOut.PRIVATE_SUBNET_IDS,
                "List<AWS::EC2::Subnet::Id>",
                "Private subnets (one per AZ) for the tasks",
            )
            if private
            else self.subnets
        )
        self.execution_role = add_parameter(
            t,
            IamOut.ECS_TASK_EXECUTION_ROLE_ARN,
            "String",
            "ARN of the ECS task execution role",
            AllowedPattern=ROLE_ARN_PATTERN,
        )
        self.task_role = add_parameter(
            t,
            IamOut.ECS_TASK_ROLE_ARN,
            "String",
            "ARN of the role the containers run as",
            AllowedPattern=ROLE_ARN_PATTERN,
        )
        self.repository_uri = {
            repo: add_parameter(
                t, EcrOut.repository_uri(repo), "String", f"URI of the {repo} ECR repository"
            )
            for repo in sorted({s.image for s in cfg.ecs.services if uses_ecr(cfg, s)})
        }
        self.logs_key = (
            add_parameter(
                t,
                NetworkOut.LOGS_KEY_ARN,
                "String",
                "ARN of the KMS key that encrypts the service log groups",
                AllowedPattern=log_groups.KEY_ARN_PATTERN,
            )
            if log_groups.uses_kms(cfg)
            else None
        )
        self.blue_green_role = (
            add_parameter(
                t,
                IamOut.ECS_BLUE_GREEN_ROLE_ARN,
                "String",
                "ARN of the role ECS shifts blue/green traffic with",
                AllowedPattern=ROLE_ARN_PATTERN,
            )
            if ecs_blue_green.services(cfg)
            else None
        )
        self.hook_role = (
            add_parameter(
                t,
                IamOut.ECS_LIFECYCLE_HOOK_ROLE_ARN,
                "String",
                "ARN of the role ECS invokes the lifecycle hooks with",
                AllowedPattern=ROLE_ARN_PATTERN,
            )
            if ecs_blue_green.uses_hooks(cfg)
            else None
        )
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


def image(cfg: Config, svc: EcsService, p: Params) -> object:
    """Image reference: ECR repository URI + tag parameter, or the configured URI."""
    if uses_ecr(cfg, svc):
        return Join(":", [p.repository_uri[svc.image].ref(), p.image_tag[svc.name].ref()])
    last = svc.image.rsplit("/", 1)[-1]
    return svc.image if (":" in last or "@" in last) else f"{svc.image}:{svc.tag}"


def alb_security_group(cfg: Config, vpc: object, lb: str = MAIN) -> ec2.SecurityGroup:
    """A load balancer's group: in, the listener ports from the allowed CIDRs."""
    ports = ecs_routing.listener_ports(cfg)
    sg = ec2.SecurityGroup(
        f"{EcsAlbOut.prefix(lb)}LoadBalancerSecurityGroup",
        GroupDescription=f"{cfg.prefix} load balancer: "
        + ("HTTPS (and HTTP to redirect)" if len(ports) > 1 else "HTTP")
        + " from the allowed CIDRs",
        VpcId=vpc,
        SecurityGroupIngress=[
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=port,
                ToPort=port,
                CidrIp=cidr,
                Description=f"{'HTTPS' if port == 443 else 'HTTP'} from an allowed CIDR",
            )
            for port in ports
            for cidr in cfg.alb.ingress_cidrs
        ]
        + [
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=port,
                ToPort=port,
                CidrIp=cidr,
                Description="Blue/green test listener from an allowed CIDR",
            )
            for port in ecs_blue_green.test_ports(cfg, lb)
            for cidr in ecs_blue_green.test_cidrs(cfg)
        ],
        Tags=name_tags(cfg, alb_tag(lb)),
    )
    if "0.0.0.0/0" in cfg.alb.ingress_cidrs:
        reason = (
            "Internet-facing load balancer: port 80 must accept everyone; it only redirects "
            "to HTTPS on 443."
            if len(ports) > 1
            else "Internet-facing load balancer serving HTTP (no alb.certificate_arn set): "
            "port 80 must accept everyone. Restrict with alb.ingress_cidrs."
        )
        suppress(sg, {"CKV_AWS_260": reason})
    return sg


def alb_tag(lb: str) -> str:
    """The Name tag suffix of a load balancer and its group: alb, alb-2, alb-<name>."""
    return "alb" if lb == MAIN else lb if lb.startswith(AUTOMATIC_PREFIX) else f"alb-{lb}"


def load_balancer(
    cfg: Config,
    t: Template,
    vpc: object,
    subnets: object,
    lb: str = MAIN,
    logs: tuple[s3.Bucket, s3.BucketPolicy] | None = None,
) -> tuple[elb.LoadBalancer, ec2.SecurityGroup]:
    """A load balancer and its security group; ``logs``: the access-log bucket, if any."""
    sg = t.add_resource(alb_security_group(cfg, vpc, lb))
    attributes: Props = {
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "idle_timeout.timeout_seconds": str(cfg.alb.idle_timeout),
        "deletion_protection.enabled": str(cfg.alb.deletion_protection).lower(),
    }
    extra: Props = {}
    if logs is not None:
        bucket, policy = logs
        attributes |= {
            "access_logs.s3.enabled": "true",
            "access_logs.s3.bucket": bucket.ref(),
            "access_logs.s3.prefix": alb_logs.LOG_PREFIX,
        }
        extra["DependsOn"] = [policy]  # ALB checks it may write before it accepts the setting
    alb = elb.LoadBalancer(
        f"{EcsAlbOut.prefix(lb)}LoadBalancer",
        Type="application",
        Scheme="internet-facing",
        Subnets=subnets,
        SecurityGroups=[sg.ref()],
        LoadBalancerAttributes=[
            elb.LoadBalancerAttributes(Key=k, Value=v) for k, v in attributes.items()
        ],
        Tags=name_tags(cfg, alb_tag(lb)),
        **extra,
    )
    if not cfg.alb.deletion_protection:
        suppress_guard(
            alb,
            {
                "CT.ELASTICLOADBALANCING.PR.5": "Deletion protection is opt-in "
                "(alb.deletion_protection) so that cfngen destroy can remove a dev platform; "
                "production.yaml turns it on.",
            },
        )
    if not cfg.alb.access_logs.enabled:
        suppress(
            alb,
            {
                "CKV_AWS_91": "Access logs are opt-in (alb.access_logs.enabled) because they "
                "need a bucket; production.yaml turns them on.",
            },
        )
    return t.add_resource(alb), sg


def ecs_cluster(cfg: Config) -> ecs.Cluster:
    cluster = ecs.Cluster(
        "Cluster",
        ClusterName=cfg.prefix,
        ClusterSettings=[
            ecs.ClusterSetting(Name="containerInsights", Value=cfg.ecs.container_insights)
        ],
        **ecs_service.cluster_capacity(cfg),
    )
    if cfg.ecs.container_insights == "enhanced":
        suppress_guard(
            cluster,
            {
                "CT.ECS.PR.2": "containerInsights is 'enhanced', Container Insights with "
                "enhanced observability, which includes what 'enabled' records; the control "
                "accepts only the value 'enabled'.",
            },
        )
    if cfg.ecs.container_insights == "disabled":
        suppress(
            cluster, {"CKV_AWS_65": "Container Insights switched off by ecs.container_insights."}
        )
    return cluster


def build(cfg: Config) -> Template:
    t = new_template(cfg, "ECS cluster and Fargate services behind an Application Load Balancer")
    p = Params(cfg, t)
    logs = alb_logs.add(cfg, t) if cfg.alb.access_logs.enabled else None
    alb, alb_sg = load_balancer(cfg, t, p.vpc.ref(), p.subnets.ref(), logs=logs)
    cluster = t.add_resource(ecs_cluster(cfg))
    target_groups = {
        s.name: t.add_resource(ecs_routing.target_group(cfg, s, p.vpc.ref()))
        for s in cfg.ecs.services
    }
    alternates = {
        s.name: t.add_resource(ecs_blue_green.alternate_target_group(cfg, s, p.vpc.ref()))
        for s in ecs_blue_green.services(cfg)
    }
    listeners = ecs_routing.listeners(cfg, t, alb, target_groups)
    rules = ecs_routing.rules(cfg, t, listeners[-1], target_groups, alternates)
    namespace = service_connect.namespace(cfg, t)
    member_sg = service_connect.security_group(cfg, t, p.vpc.ref())
    shared = ecs_service.Shared(
        vpc=p.vpc.ref(),
        subnets=p.task_subnets.ref(),
        execution_role=p.execution_role.ref(),
        task_role=p.task_role.ref(),
        cluster=cluster.ref(),
        alb_full_name=GetAtt(alb, "LoadBalancerFullName"),
        alb_sg=alb_sg.ref(),
        listener=listeners[-1].title,
        log_key=p.logs_key.ref() if p.logs_key is not None else None,
        namespace_arn=service_connect.namespace_arn(namespace) if namespace else None,
        service_connect_sg=member_sg.ref() if member_sg else None,
        test_listeners={
            port: listener.ref()
            for port, listener in ecs_blue_green.test_listeners(cfg, t, alb).items()
        },
        blue_green_role=p.blue_green_role.ref() if p.blue_green_role else None,
        hook_role=p.hook_role.ref() if p.hook_role else None,
    )
    added = [
        ecs_service.add(
            cfg,
            t,
            s,
            shared,
            image(cfg, s, p),
            ecs_service.Routing(target_groups[s.name], rules.get(s.name), alternates.get(s.name)),
        )
        for s in cfg.ecs.services
    ]
    services = [service for service, _ in added]
    # Inline, so AWS's allow-all default goes; possible now that the task groups exist.
    alb_sg.SecurityGroupEgress = egress.alb_rules(
        (svc, sg) for svc, (_, sg) in zip(cfg.ecs.services, added, strict=True)
    )
    scheme = "https://" if cfg.alb.certificate_arn else "http://"
    add_output(t, EcsAlbOut.ALB_DNS_NAME, GetAtt(alb, "DNSName"), "DNS name of the load balancer")
    add_output(
        t, EcsAlbOut.URL, Join("", [scheme, GetAtt(alb, "DNSName")]), "URL of the application"
    )
    add_output(t, EcsAlbOut.CLUSTER_NAME, cluster.ref(), "Name of the ECS cluster")
    if namespace is not None:
        add_output(
            t,
            EcsAlbOut.SERVICE_CONNECT_NAMESPACE_ARN,
            service_connect.namespace_arn(namespace),
            "ARN of the Cloud Map namespace of Service Connect",
        )
    for svc, res in zip(cfg.ecs.services, services, strict=True):
        add_output(
            t,
            EcsAlbOut.service_name(svc.name),
            GetAtt(res, "Name"),
            f"Name of the {svc.name} ECS service",
        )
    return t
