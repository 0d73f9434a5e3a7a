"""The emulator's fault API: faults end when a test releases them or uses them up, never on time.

Driven over real HTTP with boto3 and the control client; small templates, no cfngen deployer.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cfngen.emulator import Emulator, EmulatorClient

QUEUE = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})


@pytest.fixture
def cfn(emulator: Emulator) -> Any:
    return boto3.client(
        "cloudformation",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.fixture
def control(emulator: Emulator) -> EmulatorClient:
    return emulator.client()


def status(cfn: Any, name: str = "s") -> str:
    return str(cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])


def event_statuses(cfn: Any, name: str = "s") -> list[str]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == name]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "flood"}, "unknown fault kind 'flood'"),
        ({"kind": "busy", "stack": "s", "seconds": 2}, "faults do not expire on time"),
        ({"kind": "busy"}, "busy: missing key(s) ['stack']"),
        ({"kind": "throttle", "action": "X", "times": 2}, "unknown key(s) ['times']"),
        ({"kind": "hold", "stack": "s", "count": 0}, "count must be a whole number >= 1"),
    ],
)
def test_bad_fault_specs_are_refused_with_the_reason(
    control: EmulatorClient, spec: dict[str, Any], message: str
) -> None:
    kind = spec.pop("kind")
    with pytest.raises(ValueError, match="emulator POST /_cfngen/faults") as err:
        control.fault(kind, **spec)
    assert message in str(err.value)
    assert control.faults() == []


def test_busy_lasts_until_released(cfn: Any, control: EmulatorClient) -> None:
    cfn.create_stack(StackName="s", TemplateBody=QUEUE)
    busy = control.fault("busy", stack="s", status="UPDATE_IN_PROGRESS")
    for _ in range(3):
        assert status(cfn) == "UPDATE_IN_PROGRESS"
    with pytest.raises(ClientError, match="can not be updated"):
        cfn.create_change_set(
            StackName="s", ChangeSetName="c", TemplateBody=QUEUE, ChangeSetType="UPDATE"
        )
    [listed] = control.faults()
    assert listed["id"] == busy and listed["hits"] == 3
    control.release(busy)
    assert status(cfn) == "CREATE_COMPLETE"
    with pytest.raises(ValueError, match=f"no active fault {busy}"):
        control.release(busy)


def test_busy_with_a_count_answers_that_many_describe_calls(
    cfn: Any, control: EmulatorClient
) -> None:
    cfn.create_stack(StackName="s", TemplateBody=QUEUE)
    control.fault("busy", stack="s", status="DELETE_IN_PROGRESS", count=2)
    cfn.list_stacks()  # other calls neither use it up nor see it end
    assert [status(cfn), status(cfn), status(cfn)] == [
        "DELETE_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
        "CREATE_COMPLETE",
    ]
    assert control.faults() == []


def test_hold_keeps_the_next_operation_in_progress_until_released(
    cfn: Any, control: EmulatorClient
) -> None:
    hold = control.fault("hold", stack="s")
    stack_id = cfn.create_stack(StackName="s", TemplateBody=QUEUE)["StackId"]
    assert status(cfn) == "CREATE_IN_PROGRESS"
    assert event_statuses(cfn) == ["CREATE_IN_PROGRESS"]  # the final event is not out yet
    assert control.faults()[0]["holding"].startswith("arn:aws:cloudformation:")
    control.release(hold)
    assert status(cfn) == "CREATE_COMPLETE"
    assert event_statuses(cfn) == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    cfn.delete_stack(StackName="s")  # a released hold holds nothing more
    assert status(cfn, stack_id) == "DELETE_COMPLETE"


def test_hold_with_a_count_ends_after_that_many_describe_calls(
    cfn: Any, control: EmulatorClient
) -> None:
    control.fault("hold", stack="s", count=1)
    cfn.create_stack(StackName="s", TemplateBody=QUEUE)
    assert status(cfn) == "CREATE_IN_PROGRESS"
    assert status(cfn) == "CREATE_COMPLETE"
    assert event_statuses(cfn)[0] == "CREATE_COMPLETE"


def test_throttle_answers_count_calls_then_lets_them_through(
    cfn: Any, control: EmulatorClient
) -> None:
    control.fault("throttle", action="ListStacks", count=2)
    for _ in range(2):
        with pytest.raises(ClientError, match="Throttling"):
            cfn.list_stacks()
    cfn.list_stacks()
    assert control.calls()["cloudformation:ListStacks"] == 3
    assert control.faults() == []


def test_fail_resource_until_released(cfn: Any, control: EmulatorClient) -> None:
    fault = control.fault("fail_resource", type="AWS::SQS::Queue", reason="no (injected)")
    cfn.create_stack(StackName="s", TemplateBody=QUEUE)
    assert status(cfn) == "ROLLBACK_COMPLETE"
    control.release(fault)
    cfn.create_stack(StackName="t", TemplateBody=QUEUE)
    assert status(cfn, "t") == "CREATE_COMPLETE"


def test_reset_empties_backends_faults_and_counts(cfn: Any, control: EmulatorClient) -> None:
    cfn.create_stack(StackName="s", TemplateBody=QUEUE)
    control.fault("busy", stack="s")
    control.reset()
    assert control.faults() == [] and control.calls() == {}
    assert cfn.list_stacks()["StackSummaries"] == []
