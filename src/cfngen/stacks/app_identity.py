"""The app's own AWS identity on EKS: an IAM role for its ServiceAccount through Pod Identity.

With ``kubernetes.pod_identity`` the eks stack creates a role that EKS Pod Identity may
assume only for this cluster, the app's namespace and its ServiceAccount (the trust
policy shared with the vpc-cni role, see :func:`cfngen.stacks.iam.pod_identity_trust`),
with the managed policies and inline statements the config lists, and associates it
with that ServiceAccount (``AWS::EKS::PodIdentityAssociation``). Both live beside the
cluster, so the feature is one unit (the iam stack only holds roles every config has); the
``eks-pod-identity-agent`` add-on that hands the credentials to the pods is added by
:func:`cfngen.stacks.eks_access.effective_addons`. The pods get no node credentials and
no long-lived keys: the SDKs find the agent through the variables EKS injects.
"""

from __future__ import annotations

from typing import Any

from awacs.aws import Action, Allow, Condition, ConditionElement, Deny, PolicyDocument, Statement
from troposphere import GetAtt, Template, eks, iam

from cfngen.config import Config, PodIdentityConfig, PolicyStatement
from cfngen.contracts import KUBE_APP, EksOut
from cfngen.stacks.common import Props, add_output
from cfngen.stacks.iam import POLICY_VERSION, pod_identity_trust, role

ROLE_TITLE = "EksAppRole"
ASSOCIATION_TITLE = "AppPodIdentityAssociation"


class _Operator(ConditionElement):
    """A condition operator by its name; validation checked it is one IAM knows
    (:data:`cfngen.config.validate_eks_workloads.CONDITION_OPERATORS`)."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        super().__init__(data)
        self._name = name

    @property
    def condition(self) -> str:
        return self._name


def _action(text: str) -> Action:
    service, _, name = text.partition(":")
    return Action(service, name) if name else Action(text)


def _value(value: str | tuple[str, ...]) -> str | list[str]:
    return value if isinstance(value, str) else list(value)


def _statement(s: PolicyStatement) -> Statement:
    kw: Props = {"Sid": s.sid} if s.sid else {}
    if s.conditions:
        kw["Condition"] = Condition(
            [
                _Operator(op, {key: _value(v) for key, v in sorted(keys.items())})
                for op, keys in sorted(s.conditions.items())
            ]
        )
    return Statement(
        Effect=Allow if s.effect == "Allow" else Deny,
        Action=[_action(a) for a in s.actions],
        Resource=list(s.resources),
        **kw,
    )


def policy(pi: PodIdentityConfig) -> PolicyDocument:
    """The inline policy: the configured statements, in order."""
    return PolicyDocument(
        Version=POLICY_VERSION, Statement=[_statement(s) for s in pi.policy_statements]
    )


def app_role(cfg: Config, pi: PodIdentityConfig) -> iam.Role:
    """The role the app's pods run as."""
    props: dict[str, Any] = {}
    if pi.managed_policy_arns:
        props["ManagedPolicyArns"] = list(pi.managed_policy_arns)
    if pi.policy_statements:
        props["Policies"] = [iam.Policy(PolicyName="app", PolicyDocument=policy(pi))]
    return role(
        cfg,
        ROLE_TITLE,
        "app",
        Description=f"{cfg.prefix}: the Kubernetes app ({cfg.kube_namespace}/{KUBE_APP}) "
        "through EKS Pod Identity",
        AssumeRolePolicyDocument=pod_identity_trust(cfg, cfg.kube_namespace, KUBE_APP),
        **props,
    )


def add(cfg: Config, t: Template, cluster: eks.Cluster) -> None:
    """The role and its association with the app's ServiceAccount, and their outputs."""
    pi = cfg.kubernetes.pod_identity
    if pi is None:
        return
    app = t.add_resource(app_role(cfg, pi))
    assoc = t.add_resource(
        eks.PodIdentityAssociation(
            ASSOCIATION_TITLE,
            ClusterName=cluster.ref(),
            Namespace=cfg.kube_namespace,
            ServiceAccount=KUBE_APP,
            RoleArn=GetAtt(app, "Arn"),
        )
    )
    add_output(t, EksOut.APP_ROLE_ARN, GetAtt(app, "Arn"), "ARN of the role the app's pods run as")
    add_output(
        t,
        EksOut.APP_POD_IDENTITY_ASSOCIATION_ARN,
        GetAtt(assoc, "AssociationArn"),
        f"Pod Identity association of {cfg.kube_namespace}/{KUBE_APP}",
    )
