"""Apply rendered manifests: access check, server-side apply, rollout, load balancer name.

Server-side apply with our own field manager: objects changed by others (the
HPA's replica count, controllers' annotations) are not fought over, and a
conflict on a field we set is reported instead of silently overwritten.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cfngen.kube.kubectl import REACH_TIMEOUT, Kubectl, KubectlError, access_advice
from cfngen.kube.render import APP

FIELD_MANAGER = "cfngen"
ROLLOUT_TIMEOUT = "10m"
HOSTNAME_JSONPATH = "jsonpath={.status.loadBalancer.ingress[0].hostname}"


@dataclass(frozen=True)
class Applied:
    hostname: str  # "" when AWS had not assigned one yet


def check_access(kubectl: Kubectl, namespace: str) -> None:
    """Fail early, with advice, when the identity is unknown or may not deploy."""
    proc = kubectl.run(
        "auth", "can-i", "create", "deployments.apps", "--namespace", namespace, REACH_TIMEOUT,
        check=False,
    )  # fmt: skip
    answer = proc.stdout.strip()
    if answer == "yes":
        return
    if answer == "no":
        raise KubectlError(
            f"your identity is known to EKS cluster {kubectl.cluster} but may not create "
            f"Deployments in namespace {namespace}; associate an access policy such as "
            "AmazonEKSClusterAdminPolicy with your access entry"
        )
    raise kubectl.error(("auth", "can-i"), proc)


def wait_for_hostname(
    kubectl: Kubectl,
    namespace: str,
    attempts: int = 60,
    interval: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The Service's load balancer DNS name, polled until AWS assigns it (or give up: "")."""
    for attempt in range(attempts):
        proc = kubectl.run("get", "service", APP, "--namespace", namespace, "-o", HOSTNAME_JSONPATH)
        if proc.stdout.strip():
            return proc.stdout.strip()
        if attempt + 1 < attempts:
            sleep(interval)
    return ""


def apply(
    kubectl: Kubectl,
    rendered: Path,
    namespace: str,
    say: Callable[[str], None],
    hostname_attempts: int = 60,
    hostname_interval: float = 5.0,
) -> Applied:
    check_access(kubectl, namespace)
    say(f"applying {rendered} to EKS cluster {kubectl.cluster}")
    kubectl.run("apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", str(rendered))
    say(f"waiting for deployment/{APP} in namespace {namespace} to roll out")
    kubectl.run(
        "rollout", "status", f"deployment/{APP}", "--namespace", namespace,
        f"--timeout={ROLLOUT_TIMEOUT}",
    )  # fmt: skip
    hostname = wait_for_hostname(kubectl, namespace, hostname_attempts, hostname_interval)
    if hostname:
        say(f"service/{APP}: http://{hostname}/")
    else:
        say(
            f"service/{APP} has no load balancer hostname yet; see `kubectl --kubeconfig "
            f"{kubectl.kubeconfig} get service {APP} --namespace {namespace}`"
        )
    return Applied(hostname=hostname)


__all__ = ["Applied", "KubectlError", "access_advice", "apply", "check_access"]
