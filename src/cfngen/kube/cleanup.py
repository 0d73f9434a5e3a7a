"""Before the stacks go: delete LoadBalancer Services so AWS deletes their load balancers.

A Service of type LoadBalancer makes the cloud controller create a load balancer
and security groups in the VPC that CloudFormation does not know about; while
they exist the subnets and the VPC cannot be deleted (the most repeated
complaint in eksctl's and the EKS Quick Start's trackers). Deleting the Service
lets the controller remove them; it holds the Service with the
``service.kubernetes.io/load-balancer-cleanup`` finalizer until it has, so
``kubectl delete --wait`` returning means the load balancer is gone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from cfngen.kube.kubeconfig import ClusterError
from cfngen.kube.kubectl import REACH_TIMEOUT, Kubectl, KubectlError

DELETE_TIMEOUT = "10m"
# Every way "the cluster cannot be used from here" shows up: report it, let destroy go on.
UNREACHABLE = (KubectlError, ClusterError, BotoCoreError, ClientError, OSError)


@dataclass(frozen=True)
class LbService:
    namespace: str
    name: str
    hostname: str


def load_balancer_services(kubectl: Kubectl) -> list[LbService]:
    proc = kubectl.run("get", "services", "--all-namespaces", "-o", "json", REACH_TIMEOUT)
    items = json.loads(proc.stdout or "{}").get("items", [])
    found = []
    for svc in items:
        if svc.get("spec", {}).get("type") != "LoadBalancer":
            continue
        ingress = svc.get("status", {}).get("loadBalancer", {}).get("ingress") or [{}]
        meta = svc["metadata"]
        found.append(LbService(meta["namespace"], meta["name"], ingress[0].get("hostname", "")))
    return sorted(found, key=lambda s: (s.namespace, s.name))


def delete_load_balancer_services(kubectl: Kubectl, say: Callable[[str], None]) -> list[LbService]:
    """Delete every LoadBalancer Service and wait until each one (and its LB) is gone."""
    services = load_balancer_services(kubectl)
    if not services:
        say(f"EKS cluster {kubectl.cluster}: no Services of type LoadBalancer")
    for svc in services:
        where = f" ({svc.hostname})" if svc.hostname else ""
        say(
            f"deleting service/{svc.name} in namespace {svc.namespace}{where} and its load balancer"
        )
        kubectl.run(
            "delete", "service", svc.name, "--namespace", svc.namespace,
            "--wait=true", f"--timeout={DELETE_TIMEOUT}",
        )  # fmt: skip
    return services


def leftovers_advice(cluster: str, region: str, vpc_id: str) -> str:
    """What may be left behind when the cluster cannot be reached, and how to find it."""
    vpc = vpc_id or "<VPC ID of the network stack>"
    return "\n".join(
        [
            f"EKS cluster {cluster} cannot be reached, so its Services of type LoadBalancer "
            "were not deleted. Their load balancers and security groups may be left in "
            f"VPC {vpc} and make deleting the network stack fail. Find them with:",
            f"  aws elbv2 describe-load-balancers --region {region} "
            f"--query \"LoadBalancers[?VpcId=='{vpc}'].[LoadBalancerName,LoadBalancerArn]\"",
            f"  aws elb describe-load-balancers --region {region} "
            f"--query \"LoadBalancerDescriptions[?VPCId=='{vpc}'].LoadBalancerName\"",
            f"  aws ec2 describe-security-groups --region {region} --filters "
            f"Name=vpc-id,Values={vpc} Name=tag-key,Values=kubernetes.io/cluster/{cluster}",
            "then delete them (load balancers first) and run `cfngen destroy` again.",
        ]
    )


def before_destroy(
    connect: Callable[[], Kubectl],
    cluster: str,
    region: str,
    vpc_id: str,
    say: Callable[[str], None],
) -> bool:
    """Delete LoadBalancer Services when the cluster is reachable; else say what may remain.

    ``connect`` finds kubectl, checks the cluster is ACTIVE and writes a kubeconfig;
    any failure there or in kubectl counts as "not reachable". Returns True when the
    Services were deleted. Never raises: the stacks may still delete cleanly (if no
    Service was ever created), and the advice says what to look for if not.
    """
    try:
        delete_load_balancer_services(connect(), say)
        return True
    except UNREACHABLE as exc:
        say(f"cannot clean up Kubernetes load balancers: {exc}")
    say(leftovers_advice(cluster, region, vpc_id))
    return False
