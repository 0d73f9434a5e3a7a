"""Cloud Map for ECS Service Connect: the HTTP namespace resource and the services ECS adds.

moto has Cloud Map (``servicediscovery``) but no CloudFormation model for
``AWS::ServiceDiscovery::HttpNamespace``: :class:`HttpNamespace` creates the namespace in
moto's backend, so ``servicediscovery list-namespaces`` shows it, and answers ``Id``
and ``Arn``. ECS, for every Service Connect service of an ECS service, creates a Cloud
Map service named after its discovery name in that namespace; :func:`register` and
:func:`deregister` do the same for the emulated ECS service (``list-services`` shows
them), and a namespace cannot be deleted while it still holds one (as in Cloud Map).
"""

from __future__ import annotations

from typing import Any

from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.fill_types import Filled


def find(account_id: str, region_name: str, ref: str) -> Any:
    """The namespace named by ARN, id or name, as ECS accepts it; ValueError if none."""
    backend = moto.servicediscovery(account_id, region_name)
    for ns in backend.list_namespaces():
        if ref in (ns.arn, ns.id, ns.name):
            return ns
    raise ValueError(f"Namespace {ref} not found (ECS Service Connect needs an existing one)")


class HttpNamespace(Filled):
    """``AWS::ServiceDiscovery::HttpNamespace`` in moto's Cloud Map."""

    TYPE = "AWS::ServiceDiscovery::HttpNamespace"

    @classmethod
    def make(
        cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str
    ) -> HttpNamespace:
        backend = moto.servicediscovery(account_id, region_name)
        name = str(props["Name"])
        if any(ns.name == name for ns in backend.list_namespaces()):
            raise ValueError(f"Namespace {name} already exists")
        operation = backend.create_http_namespace(
            name=name,
            creator_request_id=resource_name,
            description=str(props.get("Description") or ""),
            tags=list(props.get("Tags") or []),
        )
        ns_id = backend.get_operation(operation).targets["NAMESPACE"]
        ns = backend.get_namespace(ns_id)
        return cls(ns.id, {"Id": ns.id, "Arn": ns.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = moto.servicediscovery(account_id, region_name)
        if self._physical_id not in backend.namespaces:
            return
        held = [s.name for s in backend.list_services() if s.namespace_id == self._physical_id]
        if held:
            raise ValueError(
                f"Namespace {self._physical_id} has services ({', '.join(sorted(held))}); "
                "delete them first"
            )
        backend.delete_namespace(self._physical_id)


def register(account_id: str, region_name: str, namespace: Any, names: list[str]) -> list[str]:
    """The Cloud Map services ECS creates for Service Connect; their ids."""
    backend = moto.servicediscovery(account_id, region_name)
    made = []
    for name in names:
        existing = next(
            (
                s
                for s in backend.list_services()
                if s.namespace_id == namespace.id and s.name == name
            ),
            None,
        )
        if existing is None:
            existing = backend.create_service(
                name=name,
                namespace_id=namespace.id,
                creator_request_id=f"ecs-{name}",
                description="Managed by Amazon ECS",
                dns_config={},
                health_check_config={},
                health_check_custom_config={},
                tags=[],
                service_type="HTTP",
            )
        made.append(existing.id)
    return made


def deregister(account_id: str, region_name: str, service_ids: list[str]) -> None:
    backend = moto.servicediscovery(account_id, region_name)
    for sid in service_ids:
        backend.delete_service(sid)
