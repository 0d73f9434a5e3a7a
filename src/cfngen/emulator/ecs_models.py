"""``AWS::ECS::Service`` as ECS has it: every property, blue/green rollouts, Service Connect.

moto's own model of an ECS service reads only the cluster, name, count and task
definition (``describe-services`` then shows no load balancer, network configuration
or deployment settings) and moto has no service deployments at all. :class:`EcsService`
creates the service in moto's ECS backend from every property, so the API shows what the
template asked for (``deploymentConfiguration`` with ``strategy``, ``bakeTimeInMinutes``
and ``lifecycleHooks``; ``loadBalancers`` with their ``advancedConfiguration``; the
Service Connect configuration of the primary deployment), and checks what ECS checks
before it accepts a service:

* blue/green: the deployment controller is ECS, every load balancer names an alternate
  target group, a production listener rule and a role, the target groups and rules
  exist, and every lifecycle hook has a role;
* Service Connect: the namespace exists, each published port name is a named port
  mapping of the task definition; ECS then creates a Cloud Map service per discovery
  name (:mod:`cfngen.emulator.cloud_map`).

``ListServices`` and ``ListClusters`` leave out what was deleted (INACTIVE), as ECS
does; moto lists everything it ever had.

Every update that changes more than the desired count starts a service deployment
(``ListServiceDeployments``/``DescribeServiceDeployments``, served here): a rolling one
ends at once; a blue/green one walks ECS's lifecycle stages, one stage per
``DescribeServiceDeployments`` call that reads it (never on a timer), and ends
SUCCESSFUL after the clean-up. The lifecycle hooks' Lambda functions are not invoked
(a rehearsal does not run user code): their stages pass, unless a ``fail_rollout``
fault makes one fail (:mod:`cfngen.emulator.faults`): the deployment then rolls back
to blue and CloudFormation fails the service's update.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from cfngen.emulator import cloud_map
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAULTS
from cfngen.emulator.fills import camel
from cfngen.emulator.model_base import EmulatedModel, fake_id, props
from cfngen.emulator.moto_adapter import ActionResult, EcsRequest, MotoModel

BLUE_GREEN_STAGES: Final = (
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
)
ENDED: Final = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
_serial = itertools.count(1)


@dataclass
class Deployment:
    """One service deployment; a blue/green one advances a stage each time it is read."""

    arn: str
    service_arn: str
    cluster_arn: str
    target_revision: str
    source_revisions: list[str]
    strategy: str
    configuration: dict[str, Any]
    created: datetime
    status: str = "PENDING"
    stage: str = ""
    finished: datetime | None = None
    updated: datetime = field(default_factory=moto.now)
    fails_at: str = ""  # the stage a fail_rollout fault ends it at
    reason: str = ""

    def advance(self) -> None:
        """The next lifecycle stage (rolling: straight to the end); a failing one rolls back."""
        if self.status in ENDED:
            return
        self.updated = moto.now()
        if self.strategy != "BLUE_GREEN":
            self.status, self.finished = "SUCCESSFUL", self.updated
            return
        if self.status == "ROLLBACK_IN_PROGRESS":
            self.status, self.finished = "ROLLBACK_SUCCESSFUL", self.updated
            return
        if self.fails_at and self.stage == self.fails_at:
            self.status = "ROLLBACK_IN_PROGRESS"
            return
        stages = list(BLUE_GREEN_STAGES)
        if self.stage == stages[-1]:
            self.status, self.finished = "SUCCESSFUL", self.updated
            return
        self.status = "IN_PROGRESS"
        self.stage = stages[stages.index(self.stage) + 1] if self.stage else stages[0]

    def brief(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "createdAt": self.created,
            "startedAt": self.created,
            "targetServiceRevisionArn": self.target_revision,
            "status": self.status,
        }
        if self.finished is not None:
            out["finishedAt"] = self.finished
        return out

    def described(self) -> dict[str, Any]:
        out = {
            **self.brief(),
            "updatedAt": self.updated,
            "sourceServiceRevisions": [{"arn": a} for a in self.source_revisions],
            "targetServiceRevision": {"arn": self.target_revision},
            "deploymentConfiguration": self.configuration,
        }
        out.pop("targetServiceRevisionArn")
        if self.stage:
            out["lifecycleStage"] = self.stage
        if self.reason and self.status.startswith("ROLLBACK"):
            out["statusReason"] = self.reason
            out["rollback"] = {"reason": self.reason, "startedAt": self.updated}
        return out


# service deployment ARN -> deployment, in creation order (emptied with the backends)
DEPLOYMENTS: dict[str, Deployment] = {}


def _revision(service: Any) -> str:
    """A service revision ARN: one per deployment, as ECS makes them."""
    base = service.arn.replace(":service/", ":service-revision/")
    return f"{base}/{next(_serial)}"


def _start_deployment(service: Any, strategy: str, first: bool) -> Deployment:
    previous = DEPLOYMENTS.get(getattr(service, "current_service_deployment", "") or "")
    created = moto.now()
    target = _revision(service)
    d = Deployment(
        arn=service.arn.replace(":service/", ":service-deployment/")
        + f"/{fake_id(service.arn, target)[:12]}",
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        target_revision=target,
        source_revisions=[] if previous is None else [previous.target_revision],
        strategy=strategy,
        configuration=dict(getattr(service, "deployment_configuration", {}) or {}),
        created=created,
    )
    if first or strategy != "BLUE_GREEN":
        d.status, d.finished = "SUCCESSFUL", created  # nothing to shift from
    DEPLOYMENTS[d.arn] = d
    moto.show(service, current_service_deployment=d.arn)
    return d


def reset() -> None:
    DEPLOYMENTS.clear()


# --------------------------------------------------------------------------- checks


def _check_blue_green(account_id: str, region_name: str, given: dict[str, Any]) -> None:
    """What ECS refuses in a blue/green service before it creates or updates it."""
    config = given.get("DeploymentConfiguration") or {}
    if config.get("Strategy") != "BLUE_GREEN":
        return
    controller = (given.get("DeploymentController") or {}).get("Type", "ECS")
    if controller != "ECS":
        raise ValueError(
            f"Strategy BLUE_GREEN needs the ECS deployment controller, not {controller}"
        )
    elbv2 = moto.elbv2(account_id, region_name)
    for lb in given.get("LoadBalancers") or []:
        advanced = lb.get("AdvancedConfiguration") or {}
        for key in ("AlternateTargetGroupArn", "ProductionListenerRule", "RoleArn"):
            if not advanced.get(key):
                raise ValueError(
                    f"Blue/green deployments need LoadBalancers[].AdvancedConfiguration.{key}"
                )
        groups = [lb["TargetGroupArn"], advanced["AlternateTargetGroupArn"]]
        elbv2.describe_target_groups(load_balancer_arn=None, target_group_arns=groups, names=None)
        rules = [advanced["ProductionListenerRule"]]
        rules += [advanced["TestListenerRule"]] if advanced.get("TestListenerRule") else []
        elbv2.describe_rules(listener_arn=None, rule_arns=rules)
    for hook in config.get("LifecycleHooks") or []:
        if not hook.get("RoleArn") or not hook.get("HookTargetArn"):
            raise ValueError("A lifecycle hook needs HookTargetArn and RoleArn")


def _check_service_connect(
    account_id: str, region_name: str, given: dict[str, Any], task_definition: Any
) -> list[str]:
    """The discovery names ECS would publish (none without Service Connect)."""
    sc = given.get("ServiceConnectConfiguration") or {}
    if not sc.get("Enabled"):
        return []
    cloud_map.find(account_id, region_name, str(sc.get("Namespace") or ""))
    named = {
        m.get("name")
        for c in task_definition.container_definitions
        for m in c.get("portMappings") or []
    }
    names = []
    for svc in sc.get("Services") or []:
        if svc["PortName"] not in named:
            raise ValueError(
                f"Service Connect port name {svc['PortName']} is not a named port mapping of "
                "the task definition"
            )
        names.append(str(svc.get("DiscoveryName") or svc["PortName"]))
    return names


# --------------------------------------------------------------------------- the model


class EcsService(EmulatedModel, MotoModel):
    """``AWS::ECS::Service`` in moto's ECS backend with every property it was given."""

    TYPE = "AWS::ECS::Service"
    NAME_TYPE = "ServiceName"
    ATTRIBUTES = frozenset({"Name", "ServiceArn"})

    def __init__(self, service: Any, cloud_map_ids: list[str]) -> None:
        self.service = service
        self.cloud_map_ids = cloud_map_ids

    @property
    def physical_resource_id(self) -> str:
        return str(self.service.arn)

    def attribute_values(self) -> dict[str, Any]:
        return {"Name": self.service.name, "ServiceArn": self.service.arn}

    @staticmethod
    def _cluster(given: dict[str, Any]) -> str:
        return str(given.get("Cluster") or "default").split("/")[-1]

    @classmethod
    def _show(cls, service: Any, given: dict[str, Any]) -> None:
        """What moto's service lacks, as the API names it."""
        config = camel(given.get("DeploymentConfiguration") or {})
        moto.show(
            service,
            deployment_configuration=config,
            load_balancers=camel(given.get("LoadBalancers") or []),
            health_check_grace_period_seconds=given.get("HealthCheckGracePeriodSeconds"),
            enable_execute_command=bool(given.get("EnableExecuteCommand", False)),
            enable_ecs_managed_tags=bool(given.get("EnableECSManagedTags", False)),
            capacity_provider_strategy=camel(given.get("CapacityProviderStrategy") or []),
        )
        sc = given.get("ServiceConnectConfiguration")
        for deployment in service.deployments or []:
            if sc:
                deployment["serviceConnectConfiguration"] = camel(sc)
            else:
                deployment.pop("serviceConnectConfiguration", None)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EcsService:
        given = props(cloudformation_json)
        backend = moto.ecs(account_id, region_name)
        task_definition = backend.describe_task_definition(str(given["TaskDefinition"]))
        _check_blue_green(account_id, region_name, given)
        discovery = _check_service_connect(account_id, region_name, given, task_definition)
        service = backend.create_service(
            cls._cluster(given),
            str(given.get("ServiceName") or resource_name),
            int(given.get("DesiredCount", 1)),
            task_definition_str=str(given["TaskDefinition"]),
            load_balancers=camel(given.get("LoadBalancers") or []),
            tags=camel(given.get("Tags") or []),
            deployment_controller=camel(given.get("DeploymentController") or {"Type": "ECS"}),
            launch_type=given.get("LaunchType") or "FARGATE",
            platform_version=given.get("PlatformVersion"),
            propagate_tags=str(given.get("PropagateTags") or "NONE"),
            network_configuration=camel(given.get("NetworkConfiguration")),
            role_arn=given.get("Role"),
        )
        cls._show(service, given)
        strategy = (given.get("DeploymentConfiguration") or {}).get("Strategy", "ROLLING")
        _start_deployment(service, strategy, first=True)
        ids: list[str] = []
        if discovery:
            ns = cloud_map.find(
                account_id, region_name, given["ServiceConnectConfiguration"]["Namespace"]
            )
            ids = cloud_map.register(account_id, region_name, ns, discovery)
        return cls(service, ids)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: EcsService,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EcsService:
        given = props(cloudformation_json)
        service = original_resource.service
        if cls._cluster(given) != service.cluster_name:  # a new cluster replaces the service
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        backend = moto.ecs(account_id, region_name)
        task_definition = backend.describe_task_definition(str(given["TaskDefinition"]))
        _check_blue_green(account_id, region_name, given)
        discovery = _check_service_connect(account_id, region_name, given, task_definition)
        before = cls._deploying(service)
        backend.update_service(
            {
                "cluster": service.cluster_name,
                "service": service.name,
                "task_definition": task_definition.arn,
                "desired_count": int(given.get("DesiredCount", service.desired_count)),
            }
        )
        moto.show(service, network_configuration=camel(given.get("NetworkConfiguration") or {}))
        cls._show(service, given)
        if cls._deploying(service) != before:
            strategy = (given.get("DeploymentConfiguration") or {}).get("Strategy", "ROLLING")
            deployment = _start_deployment(service, strategy, first=False)
            fault = FAULTS.rollout_failure(service.name) if strategy == "BLUE_GREEN" else None
            if fault is not None:
                deployment.fails_at = str(fault.spec.get("stage", "POST_TEST_TRAFFIC_SHIFT"))
                deployment.reason = str(
                    fault.spec.get("reason", "a lifecycle hook returned FAILED (injected fault)")
                )
                service.task_definition = before[0]  # ECS rolled back to blue
                raise ValueError(
                    f"ECS deployment {deployment.arn.rsplit('/', 1)[-1]} rolled back: "
                    f"{deployment.reason}"
                )
        cloud_map.deregister(account_id, region_name, original_resource.cloud_map_ids)
        ids: list[str] = []
        if discovery:
            ns = cloud_map.find(
                account_id, region_name, given["ServiceConnectConfiguration"]["Namespace"]
            )
            ids = cloud_map.register(account_id, region_name, ns, discovery)
        original_resource.cloud_map_ids = ids
        return original_resource

    @staticmethod
    def _deploying(service: Any) -> tuple[Any, ...]:
        """What starts a new deployment when it changes (everything but the count)."""
        deployments = service.deployments or [{}]
        return (
            service.task_definition,
            repr(service.network_configuration),
            repr(service.load_balancers),
            repr(deployments[0].get("serviceConnectConfiguration")),
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = moto.ecs(account_id, region_name)
        key = f"{self.service.cluster_name}:{self.service.name}"
        if key in backend.services and self.service.status == "ACTIVE":
            backend.delete_service(self.service.cluster_name, self.service.name, force=True)
        cloud_map.deregister(account_id, region_name, self.cloud_map_ids)
        self.cloud_map_ids = []


class EcsTaskDefinition(EmulatedModel, MotoModel):
    """``AWS::ECS::TaskDefinition`` registered from every property (moto keeps the family,
    containers and memory only); every update is a new revision, as in ECS, and the old
    one is deregistered."""

    TYPE = "AWS::ECS::TaskDefinition"
    ATTRIBUTES = frozenset({"TaskDefinitionArn"})

    def __init__(self, task_definition: Any) -> None:
        self.task_definition = task_definition

    @property
    def physical_resource_id(self) -> str:
        return str(self.task_definition.arn)

    def attribute_values(self) -> dict[str, Any]:
        return {"TaskDefinitionArn": self.task_definition.arn}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EcsTaskDefinition:
        given = props(cloudformation_json)
        registered = moto.ecs(account_id, region_name).register_task_definition(
            family=str(given.get("Family") or resource_name),
            container_definitions=camel(given.get("ContainerDefinitions") or []),
            volumes=camel(given.get("Volumes") or []),
            network_mode=given.get("NetworkMode"),
            tags=camel(given.get("Tags") or []),
            requires_compatibilities=given.get("RequiresCompatibilities"),
            cpu=given.get("Cpu"),
            memory=given.get("Memory"),
            task_role_arn=given.get("TaskRoleArn"),
            execution_role_arn=given.get("ExecutionRoleArn"),
            runtime_platform=camel(given.get("RuntimePlatform")),
        )
        return cls(registered)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: EcsTaskDefinition,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EcsTaskDefinition:
        made = cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
        original_resource.delete(account_id, region_name)
        return made

    def delete(self, account_id: str, region_name: str) -> None:
        backend = moto.ecs(account_id, region_name)
        if self.task_definition.status == "ACTIVE":
            backend.deregister_task_definition(self.task_definition.arn)


# --------------------------------------------------------------------------- API actions


def list_clusters(req: EcsRequest) -> ActionResult:
    """ACTIVE clusters only: a deleted one is INACTIVE (DescribeClusters still shows it)."""
    backend = moto.ecs(req.account_id, req.region)
    return ActionResult(
        {"clusterArns": [c.arn for c in backend.clusters.values() if c.status == "ACTIVE"]}
    )


def list_services(req: EcsRequest) -> ActionResult:
    """The cluster's services but the deleted ones: ECS lists neither DRAINING nor INACTIVE
    services (DescribeServices still shows them); moto lists every service it ever had."""
    backend = moto.ecs(req.account_id, req.region)
    arns = backend.list_services(
        str(req.param("cluster") or "default"),
        req.param("schedulingStrategy"),
        launch_type=req.param("launchType"),
    )
    active = {s.arn for s in backend.services.values() if s.status == "ACTIVE"}
    return ActionResult({"serviceArns": [arn for arn in arns if arn in active]})


def list_service_deployments(req: EcsRequest) -> ActionResult:
    """Newest first, for one service (by name or ARN), optionally by status."""
    cluster = str(req.param("cluster") or "default").split("/")[-1]
    name = str(req.param("service") or "").split("/")[-1]
    statuses = set(req.param("status") or [])
    backend = moto.ecs(req.account_id, req.region)
    service = backend.services.get(f"{cluster}:{name}")
    if service is None:
        raise ValueError(f"Service {name} not found in cluster {cluster}")
    found = [
        d.brief()
        for d in reversed(DEPLOYMENTS.values())
        if d.service_arn == service.arn and (not statuses or d.status in statuses)
    ]
    return ActionResult({"serviceDeployments": found})


def describe_service_deployments(req: EcsRequest) -> ActionResult:
    """Each known deployment, advanced one stage first; unknown ARNs are failures."""
    found, failures = [], []
    for arn in req.param("serviceDeploymentArns") or []:
        d = DEPLOYMENTS.get(arn)
        if d is None:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        d.advance()
        found.append(d.described())
    return ActionResult({"serviceDeployments": found, "failures": failures})


TYPES: dict[str, type[MotoModel]] = {
    EcsService.TYPE: EcsService,
    EcsTaskDefinition.TYPE: EcsTaskDefinition,
    cloud_map.HttpNamespace.TYPE: cloud_map.HttpNamespace,
}
ACTIONS = {
    "list_clusters": list_clusters,
    "list_services": list_services,
    "list_service_deployments": list_service_deployments,
    "describe_service_deployments": describe_service_deployments,
}
