"""Listeners, target groups and listener rules: several services on one ALB.

With ``alb.certificate_arn`` the HTTPS listener carries the rules and port 80 only
redirects to it; without, the HTTP listener carries them. The one service without
``path_patterns``/``host_headers`` is the listener's default action; if every
service has a rule, unmatched requests get a plain 404.

Rule priorities are the explicit ``priority`` or 10 x the service's position in
``ecs.services`` (see :meth:`cfngen.config.EcsService.rule_priority`): appending a
service never renumbers existing rules. A blue/green service always has a rule (ECS
shifts its traffic by changing the rule's weights): the unrouted one gets a catch-all
rule at the last priority, 50000.
"""

from __future__ import annotations

from troposphere import Template
from troposphere import elasticloadbalancingv2 as elb

from cfngen.config import Config, EcsService
from cfngen.naming import logical_id
from cfngen.stacks.common import name_tags
from cfngen.stacks.security import suppress

HTTP_PORT = 80
HTTPS_PORT = 443
MAX_PRIORITY = 50000  # the last rule an ALB listener evaluates
CATCH_ALL = "/*"


def listener_ports(cfg: Config) -> tuple[int, ...]:
    return (HTTP_PORT, HTTPS_PORT) if cfg.alb.certificate_arn else (HTTP_PORT,)


def target_group(cfg: Config, svc: EcsService, vpc: object, role: str = "") -> elb.TargetGroup:
    """The service's target group; ``role`` "Alternate" names blue/green's second one."""
    hc = svc.health_check
    return elb.TargetGroup(
        f"{logical_id(svc.name)}{role}TargetGroup",
        TargetType="ip",
        Protocol="HTTP",
        Port=svc.container_port,
        VpcId=vpc,
        HealthCheckEnabled=True,
        HealthCheckPath=svc.health_check_path,
        HealthCheckProtocol="HTTP",
        HealthCheckIntervalSeconds=hc.interval_seconds,
        HealthCheckTimeoutSeconds=hc.timeout_seconds,
        HealthyThresholdCount=hc.healthy_threshold,
        UnhealthyThresholdCount=hc.unhealthy_threshold,
        Matcher=elb.Matcher(HttpCode=hc.matcher),
        TargetGroupAttributes=[
            elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30"),
        ],
        Tags=name_tags(cfg, f"{svc.name}-{role.lower()}" if role else svc.name),
    )


def not_found() -> elb.Action:
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"
        ),
    )


def _default_action(cfg: Config, target_groups: dict[str, elb.TargetGroup] | None) -> elb.Action:
    """The unrouted service, unless it is blue/green: ECS shifts its traffic by editing a
    listener rule, so it gets a catch-all rule (see :func:`rules`) and this answers 404.
    Without ``target_groups`` (the sharded layout's listeners, whose default service has
    a catch-all rule in its own stack) it answers 404 too."""
    default = next((s for s in cfg.ecs.services if not s.is_routed), None)
    if default is not None and not default.is_blue_green and target_groups is not None:
        return elb.Action(Type="forward", TargetGroupArn=target_groups[default.name].ref())
    return not_found()


def listeners(
    cfg: Config,
    t: Template,
    alb: elb.LoadBalancer,
    target_groups: dict[str, elb.TargetGroup] | None,
    prefix: str = "",
) -> list[elb.Listener]:
    """The listeners; the last one is where the services' rules go. ``prefix``: the
    load balancer's, in front of the logical IDs (sharded layout)."""
    if not cfg.alb.certificate_arn:
        http = elb.Listener(
            f"{prefix}HttpListener",
            LoadBalancerArn=alb.ref(),
            Port=HTTP_PORT,
            Protocol="HTTP",
            DefaultActions=[_default_action(cfg, target_groups)],
        )
        reason = (
            "No alb.certificate_arn configured (seed/dev): the application is served over "
            "plain HTTP. Setting a certificate adds an HTTPS listener with a TLS 1.2+ policy "
            "and turns this listener into a redirect."
        )
        suppress(http, {"CKV_AWS_2": reason, "CKV_AWS_103": reason})
        return [t.add_resource(http)]
    redirect = t.add_resource(
        elb.Listener(
            f"{prefix}HttpListener",
            LoadBalancerArn=alb.ref(),
            Port=HTTP_PORT,
            Protocol="HTTP",
            DefaultActions=[
                elb.Action(
                    Type="redirect",
                    RedirectConfig=elb.RedirectConfig(
                        Protocol="HTTPS", Port=str(HTTPS_PORT), StatusCode="HTTP_301"
                    ),
                )
            ],
        )
    )
    https = t.add_resource(
        elb.Listener(
            f"{prefix}HttpsListener",
            LoadBalancerArn=alb.ref(),
            Port=HTTPS_PORT,
            Protocol="HTTPS",
            SslPolicy=cfg.alb.ssl_policy,
            Certificates=[elb.Certificate(CertificateArn=cfg.alb.certificate_arn)],
            DefaultActions=[_default_action(cfg, target_groups)],
        )
    )
    return [redirect, https]


def conditions(svc: EcsService) -> list[elb.Condition]:
    """The service's path and host conditions; a catch-all path for an unrouted one."""
    out = []
    if svc.path_patterns or not svc.host_headers:
        out.append(
            elb.Condition(
                Field="path-pattern",
                PathPatternConfig=elb.PathPatternConfig(
                    Values=list(svc.path_patterns) or [CATCH_ALL]
                ),
            )
        )
    if svc.host_headers:
        out.append(
            elb.Condition(
                Field="host-header",
                HostHeaderConfig=elb.HostHeaderConfig(Values=list(svc.host_headers)),
            )
        )
    return out


def priority(svc: EcsService, index: int) -> int:
    """Its rule's priority; an unrouted (blue/green) service's catch-all is evaluated last."""
    return svc.rule_priority(index) if svc.is_routed else MAX_PRIORITY


def forward(primary: elb.TargetGroup, alternate: elb.TargetGroup | None) -> elb.ListenerRuleAction:
    """All traffic to ``primary``; with blue/green both groups are listed (100/0), and ECS
    swaps the weights when it shifts traffic to the green revision."""
    if alternate is None:
        return elb.ListenerRuleAction(Type="forward", TargetGroupArn=primary.ref())
    return elb.ListenerRuleAction(
        Type="forward",
        ForwardConfig=elb.ForwardConfig(
            TargetGroups=[
                elb.TargetGroupTuple(TargetGroupArn=primary.ref(), Weight=100),
                elb.TargetGroupTuple(TargetGroupArn=alternate.ref(), Weight=0),
            ]
        ),
    )


def listener_rule(
    svc: EcsService,
    listener: object,
    target_group: elb.TargetGroup,
    priority: int,
    alternate: elb.TargetGroup | None = None,
) -> elb.ListenerRule:
    return elb.ListenerRule(
        f"{logical_id(svc.name)}ListenerRule",
        ListenerArn=listener,
        Priority=priority,
        Conditions=conditions(svc),
        Actions=[forward(target_group, alternate)],
    )


def rules(
    cfg: Config,
    t: Template,
    listener: elb.Listener,
    target_groups: dict[str, elb.TargetGroup],
    alternates: dict[str, elb.TargetGroup],
) -> dict[str, elb.ListenerRule]:
    """One rule per routed or blue/green service, keyed by service name."""
    out: dict[str, elb.ListenerRule] = {}
    for i, svc in enumerate(cfg.ecs.services):
        if not (svc.is_routed or svc.is_blue_green):
            continue
        out[svc.name] = t.add_resource(
            listener_rule(
                svc,
                listener.ref(),
                target_groups[svc.name],
                priority(svc, i),
                alternates.get(svc.name),
            )
        )
    return out
