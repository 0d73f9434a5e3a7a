"""The phases of an ECS blue/green rollout, shown while a deploy runs: one line per phase.

CloudFormation reports an ECS service as ``UPDATE_IN_PROGRESS`` for as long as ECS rolls
it out, which for a blue/green service includes the bake time (15 minutes by default):
without more, a deploy would sit silent. When an ``AWS::ECS::Service`` starts updating,
:class:`Rollouts` asks ECS whether it deploys blue/green and, if so, follows its service
deployment (``DescribeServiceDeployments``) on every poll of the event watcher, printing
each lifecycle stage as it is reached (green tasks starting, test traffic shifted, the
lifecycle hooks' verdict, production traffic shifted, bake time, blue stopped) and how it
ended, including a rollback. A rolling service, or an update that starts no deployment
(say a changed desired count), prints nothing. The watcher keeps polling until every
followed rollout has ended (at most :data:`MAX_POLLS_AFTER` more polls once the stack is
done), so the last lines say how each one ended.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

SERVICE_TYPE: Final = "AWS::ECS::Service"
BLUE_GREEN: Final = "BLUE_GREEN"
ENDED: Final = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
MAX_POLLS_AFTER: Final = 60  # polls after the stack finished, before giving up on a rollout
PHASES: Final = {
    "RECONCILE_SERVICE": "reconciling the running revisions",
    "PRE_SCALE_UP": "green revision about to start",
    "SCALE_UP": "starting the green tasks",
    "POST_SCALE_UP": "green tasks running; no traffic yet",
    "TEST_TRAFFIC_SHIFT": "moving test traffic to green",
    "POST_TEST_TRAFFIC_SHIFT": "test listener on green; lifecycle hooks check it",
    "PRODUCTION_TRAFFIC_SHIFT": "moving production traffic to green",
    "POST_PRODUCTION_TRAFFIC_SHIFT": "production traffic on green",
    "BAKE_TIME": "baking: blue kept running for an instant rollback",
    "CLEAN_UP": "stopping the blue tasks",
}
OUTCOMES: Final = {
    "SUCCESSFUL": "rollout complete: green serves all traffic",
    "STOPPED": "rollout stopped",
    "ROLLBACK_REQUESTED": "rollback requested: traffic goes back to blue",
    "ROLLBACK_IN_PROGRESS": "rolling back to blue",
    "ROLLBACK_SUCCESSFUL": "rolled back: blue serves all traffic again",
    "ROLLBACK_FAILED": "rollback FAILED",
}


class EcsApi(Protocol):
    """The two ECS calls the tracker makes (a boto3 ECS client has them)."""

    def describe_services(self, *, cluster: str, services: list[str]) -> Mapping[str, Any]: ...

    def describe_service_deployments(
        self, *, serviceDeploymentArns: list[str]
    ) -> Mapping[str, Any]: ...


@dataclass
class _Service:
    """One blue/green service being updated, and the deployment of it being followed."""

    label: str  # the nested stack, as the event lines name it
    name: str
    cluster: str
    before: str  # its current deployment when the update started
    shown_as: str  # its logical id, as the event lines name it
    resource_done: bool = False
    following: str = ""
    shown: tuple[str, str] = ("", "")  # (status, stage) last printed
    ended: bool = False


def _cluster_and_name(service_arn: str) -> tuple[str, str] | None:
    """``arn:aws:ecs:<region>:<account>:service/<cluster>/<name>``; None for short ARNs."""
    parts = service_arn.split(":", 5)[-1].split("/")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "service" else None


@dataclass
class Rollouts:
    """Follows the blue/green deployments the watched operation starts."""

    ecs: EcsApi
    note: Callable[[str, str], None]  # (stack label, text): a line among the event lines
    services: dict[str, _Service] = field(default_factory=dict)  # by service ARN
    polls_after: int = 0

    def see(self, label: str, ev: Mapping[str, Any]) -> None:
        """Every event the watcher shows: starts and ends following ECS services."""
        if ev.get("ResourceType") != SERVICE_TYPE:
            return
        arn = str(ev.get("PhysicalResourceId") or "")
        status = str(ev.get("ResourceStatus") or "")
        if arn in self.services:
            self.services[arn].resource_done = not status.endswith("_IN_PROGRESS")
            return
        where = _cluster_and_name(arn)
        if status != "UPDATE_IN_PROGRESS" or where is None:
            return
        described = self._service(*where)
        strategy = (described.get("deploymentConfiguration") or {}).get("strategy")
        if strategy != BLUE_GREEN:
            return
        cluster, name = where
        before = str(described.get("currentServiceDeployment") or "")
        shown = str(ev.get("LogicalResourceId") or name)
        self.services[arn] = _Service(label, name, cluster, before, shown)

    def busy(self) -> bool:
        """A followed rollout has not ended, or its service is still updating."""
        return any(not s.ended for s in self.services.values())

    def poll(self, stack_done: bool) -> None:
        """Read each unfinished rollout once; print what changed."""
        if stack_done:
            self.polls_after += 1
        for svc in self.services.values():
            if not svc.ended:
                self._poll(svc)
        if stack_done and self.busy() and self.polls_after >= MAX_POLLS_AFTER:
            for svc in self.services.values():
                if not svc.ended:
                    self.note(
                        svc.label,
                        f"{svc.shown_as} blue/green: still rolling out; follow it with aws ecs "
                        f"describe-service-deployments --service-deployment-arns {svc.following}",
                    )
                    svc.ended = True

    def _service(self, cluster: str, name: str) -> Mapping[str, Any]:
        found = self.ecs.describe_services(cluster=cluster, services=[name]).get("services") or []
        return found[0] if found else {}

    def _poll(self, svc: _Service) -> None:
        current = str(self._service(svc.cluster, svc.name).get("currentServiceDeployment") or "")
        if not current:
            svc.ended = svc.resource_done
            return
        deployments = self.ecs.describe_service_deployments(serviceDeploymentArns=[current])
        found = deployments.get("serviceDeployments") or []
        if not found:
            svc.ended = svc.resource_done
            return
        d = found[0]
        status, stage = str(d.get("status") or ""), str(d.get("lifecycleStage") or "")
        if current == svc.before and status in ENDED and svc.following != current:
            # no new deployment (yet): nothing to show; done once CloudFormation is
            svc.ended = svc.resource_done
            return
        svc.following = current
        if (status, stage) != svc.shown:
            self._show(svc, status, stage, str(d.get("statusReason") or ""))
            svc.shown = (status, stage)
        svc.ended = status in ENDED

    def _show(self, svc: _Service, status: str, stage: str, reason: str) -> None:
        if status in OUTCOMES:
            text = OUTCOMES[status]
        else:
            text = f"{stage} - {PHASES.get(stage, stage.lower().replace('_', ' '))}"
        tail = f" ({reason})" if reason and status not in ("IN_PROGRESS", "PENDING") else ""
        self.note(svc.label, f"{svc.shown_as} blue/green: {text}{tail}")
