"""What the manifests change for an EKS Auto Mode cluster (``eks.auto_mode``).

Auto Mode runs the load balancers itself, through load balancer and ingress classes of
its own: the app's Service asks for an NLB with ``loadBalancerClass:
eks.amazonaws.com/nlb`` (the ``aws-load-balancer-type`` annotation of the base belongs
to the AWS Load Balancer Controller and goes), and with ``kubernetes.ingress`` an
IngressClass for the ``eks.amazonaws.com/alb`` controller, its IngressClassParams
(scheme, certificate) and an Ingress routing every path to the Service are added.
Pure functions: they return overlay patches and objects, :mod:`cfngen.kube.render`
writes them.
"""

from __future__ import annotations

from typing import Any

from cfngen.config import Config
from cfngen.contracts import KUBE_APP

NLB_CLASS = "eks.amazonaws.com/nlb"
ALB_CONTROLLER = "eks.amazonaws.com/alb"
PARAMS_API = "eks.amazonaws.com/v1"
INGRESS_FILE = "ingress.yaml"
# The base's annotation for the AWS Load Balancer Controller, as a JSON pointer segment.
LB_TYPE_ANNOTATION = "service.beta.kubernetes.io~1aws-load-balancer-type"

Op = dict[str, object]


def service_patch(cfg: Config) -> list[Op]:
    """The Service's NLB comes from Auto Mode's load balancer class."""
    if not cfg.eks.auto_mode:
        return []
    return [
        {"op": "remove", "path": f"/metadata/annotations/{LB_TYPE_ANNOTATION}"},
        {"op": "add", "path": "/spec/loadBalancerClass", "value": NLB_CLASS},
    ]


def ingress_class_name(cfg: Config) -> str:
    """IngressClass and its parameters are cluster-wide: named after the app's namespace."""
    return f"{cfg.kube_namespace}-alb"


def ingress_objects(cfg: Config) -> list[dict[str, Any]]:
    """IngressClassParams, IngressClass and Ingress, or none without kubernetes.ingress."""
    ing = cfg.kubernetes.ingress
    if not (ing.enabled and cfg.eks.auto_mode):
        return []
    name = ingress_class_name(cfg)
    labels = {"app.kubernetes.io/name": KUBE_APP}
    params: dict[str, Any] = {"scheme": ing.scheme}
    if ing.certificate_arn:
        params["certificateARNs"] = [ing.certificate_arn]
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": KUBE_APP, "port": {"name": "http"}}},
                }
            ]
        }
    }
    if ing.host:
        rule = {"host": ing.host, **rule}
    return [
        {
            "apiVersion": PARAMS_API,
            "kind": "IngressClassParams",
            "metadata": {"name": name, "labels": labels},
            "spec": params,
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "controller": ALB_CONTROLLER,
                "parameters": {
                    "apiGroup": PARAMS_API.split("/")[0],
                    "kind": "IngressClassParams",
                    "name": name,
                },
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": KUBE_APP, "labels": labels},
            "spec": {"ingressClassName": name, "rules": [rule]},
        },
    ]
