"""EKS add-ons and their Pod Identity associations, readable through the EKS API.

moto's EKS has no add-on API, so the ``AWS::EKS::Addon`` fill
(:class:`cfngen.emulator.fill_types.EksAddon`) records each add-on here with the
identity CloudFormation gives it (``ServiceAccountRoleArn`` for IRSA, the
``PodIdentityAssociations`` EKS creates for Pod Identity), and :func:`eks_api` answers
``ListAddons``, ``DescribeAddon``, ``ListPodIdentityAssociations`` and
``DescribePodIdentityAssociation`` from it, so a rehearsal can show which role the
VPC CNI runs as. ``AWS::EKS::PodIdentityAssociation`` resources (the app's role) are
recorded here too (:func:`associate`) and listed with the add-ons' own. Everything
else about an add-on (its version, its health, that EKS accepts the name) stays
unproven: nothing runs it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.model_base import fake_id

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
ClusterKey = tuple[str, str, str]  # (account, region, cluster name)

# Where EKS runs each add-on it knows; a Pod Identity association names this namespace.
ADDON_NAMESPACE = {"vpc-cni": "kube-system", "eks-pod-identity-agent": "kube-system"}


@dataclass(frozen=True)
class Association:
    """One Pod Identity association EKS made for an add-on's service account."""

    arn: str
    id: str
    cluster: str
    namespace: str
    service_account: str
    role_arn: str
    owner_arn: str

    def summary(self) -> dict[str, Any]:
        found = {
            "clusterName": self.cluster,
            "namespace": self.namespace,
            "serviceAccount": self.service_account,
            "associationArn": self.arn,
            "associationId": self.id,
        }
        return {**found, "ownerArn": self.owner_arn} if self.owner_arn else found

    def described(self) -> dict[str, Any]:
        return {**self.summary(), "roleArn": self.role_arn, "tags": {}}


@dataclass(frozen=True)
class Addon:
    name: str
    cluster: str
    arn: str
    version: str
    service_account_role_arn: str
    associations: tuple[Association, ...] = field(default=())

    def described(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "addonName": self.name,
            "clusterName": self.cluster,
            "status": "ACTIVE",
            "addonVersion": self.version,
            "addonArn": self.arn,
            "health": {"issues": []},
            "tags": {},
            "podIdentityAssociations": [a.arn for a in self.associations],
        }
        if self.service_account_role_arn:
            found["serviceAccountRoleArn"] = self.service_account_role_arn
        return found


_ADDONS: dict[ClusterKey, dict[str, Addon]] = {}
# ``AWS::EKS::PodIdentityAssociation`` resources (not owned by an add-on), by id
_STANDALONE: dict[ClusterKey, dict[str, Association]] = {}
_LOCK = threading.Lock()


def record(account: str, region: str, cluster_arn: str, props: dict[str, Any], arn: str) -> None:
    """Remember an add-on as CloudFormation created it (called by the add-on fill)."""
    cluster = cluster_arn.rsplit("/", 1)[-1]
    name = str(props["AddonName"])
    associations = []
    for given in props.get("PodIdentityAssociations") or []:
        assoc_id = f"a-{fake_id(arn, given['ServiceAccount'])}"
        associations.append(
            Association(
                arn=cluster_arn.replace(":cluster/", ":podidentityassociation/") + f"/{assoc_id}",
                id=assoc_id,
                cluster=cluster,
                namespace=ADDON_NAMESPACE.get(name, "kube-system"),
                service_account=str(given["ServiceAccount"]),
                role_arn=str(given["RoleArn"]),
                owner_arn=arn,
            )
        )
    addon = Addon(
        name=name,
        cluster=cluster,
        arn=arn,
        version=str(props.get("AddonVersion") or "v0.0.0-eksbuild.1"),
        service_account_role_arn=str(props.get("ServiceAccountRoleArn") or ""),
        associations=tuple(associations),
    )
    with _LOCK:
        _ADDONS.setdefault((account, region, cluster), {})[name] = addon


def forget(account: str, region: str, cluster: str, name: str) -> None:
    with _LOCK:
        _ADDONS.get((account, region, cluster), {}).pop(name, None)


def associate(
    account: str, region: str, cluster_arn: str, props: dict[str, Any], resource: str
) -> Association:
    """A Pod Identity association of its own (``AWS::EKS::PodIdentityAssociation``).

    Like EKS, refuses a second association for the same namespace and service account.
    """
    cluster = cluster_arn.rsplit("/", 1)[-1]
    namespace, account_name = str(props["Namespace"]), str(props["ServiceAccount"])
    assoc_id = f"a-{fake_id(cluster_arn, namespace, account_name, resource)}"
    made = Association(
        arn=cluster_arn.replace(":cluster/", ":podidentityassociation/") + f"/{assoc_id}",
        id=assoc_id,
        cluster=cluster,
        namespace=namespace,
        service_account=account_name,
        role_arn=str(props["RoleArn"]),
        owner_arn="",
    )
    key = (account, region, cluster)
    with _LOCK:
        taken = [
            a
            for a in [
                *_STANDALONE.get(key, {}).values(),
                *(x for addon in _ADDONS.get(key, {}).values() for x in addon.associations),
            ]
            if (a.namespace, a.service_account) == (namespace, account_name)
        ]
        if taken:
            raise ValueError(
                f"An association for {namespace}/{account_name} already exists in cluster "
                f"{cluster} ({taken[0].id})"
            )
        _STANDALONE.setdefault(key, {})[assoc_id] = made
    return made


def dissociate(account: str, region: str, cluster: str, assoc_id: str) -> None:
    with _LOCK:
        _STANDALONE.get((account, region, cluster), {}).pop(assoc_id, None)


def reset() -> None:
    """Forget every add-on (the emulator's reset empties moto's backends at the same time)."""
    with _LOCK:
        _ADDONS.clear()
        _STANDALONE.clear()


# --------------------------------------------------------------------------- the EKS API

_PATH = re.compile(
    r"^/clusters/(?P<cluster>[^/]+)/(?P<kind>addons|pod-identity-associations)(/(?P<item>[^/]+))?$"
)
_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[a-z0-9-]+)/eks/")


def _answer(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if not status.startswith("200"):
        headers.append(("x-amzn-ErrorType", "ResourceNotFoundException"))
    start_response(status, headers)
    return [body]


def eks_api(environ: Environ, start_response: StartResponse) -> Iterable[bytes] | None:
    """Answer the add-on and Pod Identity reads moto's EKS lacks; None for any other call."""
    path = _PATH.match(environ.get("PATH_INFO", ""))
    credential = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if environ.get("REQUEST_METHOD") != "GET" or path is None or credential is None:
        return None
    account = moto.request_account(environ, credential.group("key"))
    cluster, kind, item = path.group("cluster"), path.group("kind"), path.group("item")
    with _LOCK:
        addons = dict(_ADDONS.get((account, credential.group("region"), cluster), {}))
        standalone = list(
            _STANDALONE.get((account, credential.group("region"), cluster), {}).values()
        )
    if kind == "addons":
        if item is None:
            return _answer(start_response, "200 OK", {"addons": sorted(addons)})
        if item not in addons:
            message = f"No addon: {item} found in cluster: {cluster}"
            return _answer(start_response, "404 Not Found", {"message": message})
        return _answer(start_response, "200 OK", {"addon": addons[item].described()})
    associations = {a.id: a for addon in addons.values() for a in addon.associations}
    associations.update({a.id: a for a in standalone})
    if item is None:  # ListPodIdentityAssociations filters by namespace and service account
        query = parse_qs(environ.get("QUERY_STRING", ""))
        wanted_ns, wanted_sa = (
            query.get("namespace", [None])[0],
            query.get("serviceAccount", [None])[0],
        )
        listed = sorted(
            (
                a
                for a in associations.values()
                if wanted_ns in (None, a.namespace) and wanted_sa in (None, a.service_account)
            ),
            key=lambda a: (a.namespace, a.service_account),
        )
        return _answer(start_response, "200 OK", {"associations": [a.summary() for a in listed]})
    if item not in associations:
        message = f"No pod identity association found with id: {item}"
        return _answer(start_response, "404 Not Found", {"message": message})
    return _answer(start_response, "200 OK", {"association": associations[item].described()})
