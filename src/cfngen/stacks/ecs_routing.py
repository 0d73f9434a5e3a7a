"""Listeners, target groups and listener rules: several services on one ALB.

With ``alb.certificate_arn`` the HTTPS listener carries the rules and port 80 only
redirects to it; without, the HTTP listener carries them. The one service without
``path_patterns``/``host_headers`` is the listener's default action; if every
service has a rule, unmatched requests get a plain 404.

Rule priorities are the explicit ``priority`` or 10 x the service's position in
``ecs.services`` (see :meth:`cfngen.config.EcsService.rule_priority`): appending a
service never renumbers existing rules.
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


def listener_ports(cfg: Config) -> tuple[int, ...]:
    return (HTTP_PORT, HTTPS_PORT) if cfg.alb.certificate_arn else (HTTP_PORT,)


def target_group(cfg: Config, svc: EcsService, vpc: object) -> elb.TargetGroup:
    hc = svc.health_check
    return elb.TargetGroup(
        f"{logical_id(svc.name)}TargetGroup",
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
        Tags=name_tags(cfg, svc.name),
    )


def _default_action(cfg: Config, target_groups: dict[str, elb.TargetGroup]) -> elb.Action:
    default = next((s for s in cfg.ecs.services if not s.is_routed), None)
    if default is not None:
        return elb.Action(Type="forward", TargetGroupArn=target_groups[default.name].ref())
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"
        ),
    )


def listeners(
    cfg: Config, t: Template, alb: elb.LoadBalancer, target_groups: dict[str, elb.TargetGroup]
) -> list[elb.Listener]:
    """The listeners; the last one is where the services' rules go."""
    if not cfg.alb.certificate_arn:
        http = elb.Listener(
            "HttpListener",
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
            "HttpListener",
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
            "HttpsListener",
            LoadBalancerArn=alb.ref(),
            Port=HTTPS_PORT,
            Protocol="HTTPS",
            SslPolicy=cfg.alb.ssl_policy,
            Certificates=[elb.Certificate(CertificateArn=cfg.alb.certificate_arn)],
            DefaultActions=[_default_action(cfg, target_groups)],
        )
    )
    return [redirect, https]


def rules(
    cfg: Config, t: Template, listener: elb.Listener, target_groups: dict[str, elb.TargetGroup]
) -> dict[str, elb.ListenerRule]:
    """One rule per routed service, keyed by service name."""
    out: dict[str, elb.ListenerRule] = {}
    for i, svc in enumerate(cfg.ecs.services):
        if not svc.is_routed:
            continue
        conditions = []
        if svc.path_patterns:
            conditions.append(
                elb.Condition(
                    Field="path-pattern",
                    PathPatternConfig=elb.PathPatternConfig(Values=list(svc.path_patterns)),
                )
            )
        if svc.host_headers:
            conditions.append(
                elb.Condition(
                    Field="host-header",
                    HostHeaderConfig=elb.HostHeaderConfig(Values=list(svc.host_headers)),
                )
            )
        out[svc.name] = t.add_resource(
            elb.ListenerRule(
                f"{logical_id(svc.name)}ListenerRule",
                ListenerArn=listener.ref(),
                Priority=svc.rule_priority(i),
                Conditions=conditions,
                Actions=[
                    elb.ListenerRuleAction(
                        Type="forward", TargetGroupArn=target_groups[svc.name].ref()
                    )
                ],
            )
        )
    return out
