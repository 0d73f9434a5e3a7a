"""StackSets operations with a small template: preferences reach the API, failures per instance."""

from __future__ import annotations

import json

import boto3
import pytest

from cfngen.config import StackSetPreferences, loads
from cfngen.emulator import Emulator
from cfngen.stackset import operations as ops
from cfngen.stackset import plan, preferences

TEMPLATE = {
    "Parameters": {
        "Size": {"Type": "String", "Default": "small", "AllowedValues": ["small", "big"]}
    },
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
}


@pytest.fixture
def cfn(emulator: Emulator) -> object:
    """A CloudFormation client on the worker's endpoint, emptied for this test."""
    return boto3.client(
        "cloudformation",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def spec(name: str, prefs: dict, overrides: dict | None = None) -> ops.Spec:
    return ops.Spec(
        name=name,
        template_url="",
        template=TEMPLATE,
        permission_model="self-managed",
        overrides=overrides or {},
        preferences=prefs,
    )


def deploy(cfn: object, s: ops.Spec, targets: list[tuple[str, str]]) -> bool:
    cfn.create_stack_set(
        StackSetName=s.name,
        TemplateBody=json.dumps(TEMPLATE),  # type: ignore[attr-defined]
        ManagedExecution={"Active": True},
    )
    p = plan.make_plan(targets, s.overrides, [], "", [])
    return ops.apply(cfn, s, p, lambda _: None, sleep=lambda _: None)


def test_preferences_reach_the_api_as_given(cfn: object) -> None:
    prefs = preferences.to_api(
        StackSetPreferences(
            region_concurrency="SEQUENTIAL",
            region_order=("eu-west-1",),
            max_concurrent="50%",
            failure_tolerance=1,
            concurrency_mode="SOFT_FAILURE_TOLERANCE",
        ),
        ("us-east-1", "eu-west-1"),
    )
    assert prefs == {
        "RegionConcurrencyType": "SEQUENTIAL",
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        "RegionOrder": ["eu-west-1", "us-east-1"],
        "MaxConcurrentPercentage": 50,
        "FailureToleranceCount": 1,
    }
    assert deploy(
        cfn, spec("prefs", prefs), [("111111111111", "us-east-1"), ("111111111111", "eu-west-1")]
    )
    op = cfn.list_stack_set_operations(StackSetName="prefs")["Summaries"][-1]  # type: ignore[attr-defined]
    got = cfn.describe_stack_set_operation(StackSetName="prefs", OperationId=op["OperationId"])  # type: ignore[attr-defined]
    assert got["StackSetOperation"]["OperationPreferences"] == prefs
    regions = [r["Region"] for r in ops.operation_results(cfn, "prefs", op["OperationId"])]
    assert regions == ["eu-west-1", "us-east-1"]  # RegionOrder honoured


def test_failure_reported_per_instance_and_beyond_tolerance(cfn: object) -> None:
    targets = [(a, r) for r in ("us-east-1", "eu-west-1") for a in ("111111111111", "222222222222")]
    bad = {t: (("Size", "huge"),) for t in targets if t[0] == "222222222222"}
    prefs = {
        "RegionConcurrencyType": "SEQUENTIAL",
        "FailureToleranceCount": 0,
        "MaxConcurrentCount": 1,
    }
    assert deploy(cfn, spec("fails", prefs, bad), targets) is False
    rows = {(r["Account"], r["Region"]): r for r in ops.instances(cfn, "fails")}
    assert rows[("111111111111", "us-east-1")]["Status"] == "CURRENT"
    failed = rows[("222222222222", "us-east-1")]
    assert failed["Status"] == "OUTDATED" and "AllowedValues" in failed["StatusReason"]
    # SEQUENTIAL: the region after the failed one is cancelled, not attempted
    assert (
        rows[("222222222222", "eu-west-1")]["StackInstanceStatus"]["DetailedStatus"] == "CANCELLED"
    )
    table = "\n".join(ops.table(list(rows.values())))
    assert "must be one of AllowedValues" in table


def test_failure_within_tolerance_succeeds(cfn: object) -> None:
    targets = [("111111111111", "us-east-1"), ("222222222222", "us-east-1")]
    bad = {("222222222222", "us-east-1"): (("Size", "huge"),)}
    assert deploy(cfn, spec("tolerant", {"FailureToleranceCount": 1}, bad), targets) is True


def test_service_managed_with_nested_stacks_is_refused() -> None:
    from cfngen.deploy.session import DeployError
    from cfngen.stackset.package import check_permission_model

    root = {"Resources": {"Network": {"Type": "AWS::CloudFormation::Stack"}}}
    with pytest.raises(DeployError, match="self-managed") as err:
        check_permission_model(root, "service-managed")
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "stackset: {accounts: ['12345']}",
            "stackset.accounts[0]: '12345' is not an AWS account id",
        ),
        (
            "stackset: {regions: [moon-1]}",
            "stackset.regions[0]: 'moon-1' is not an AWS region name",
        ),
        (
            "stackset: {organizational_units: [ou-x], permission_model: service-managed}",
            "stackset.organizational_units[0]: 'ou-x' is not an organizational unit id",
        ),
        (
            "stackset: {preferences: {max_concurrent: '150%'}}",
            "stackset.preferences.max_concurrent: '150%' is out of range",
        ),
        (
            "stackset: {preferences: {max_concurrent: 5, failure_tolerance: 1, "
            "concurrency_mode: STRICT_FAILURE_TOLERANCE}}",
            "exceeds failure_tolerance + 1",
        ),
        ("stackset: {preferences: {failure_tolerance: lots}}", "is neither a count"),
        (
            "stackset: {organizational_units: [ou-abcd-12345678]}",
            "need permission_model service-managed",
        ),
    ],
)
def test_config_rules(yaml_text: str, expected: str) -> None:
    from cfngen.config import ConfigError

    with pytest.raises(ConfigError) as err:
        loads(yaml_text)
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_nested_template_needs_the_bucket_grant(cfn: object) -> None:
    """Without the read statement another account cannot fetch the nested template."""
    s3 = boto3.client(
        "s3",
        endpoint_url=cfn.meta.endpoint_url,
        region_name="us-east-1",  # type: ignore[attr-defined]
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="ungranted-templates")
    s3.put_object(
        Bucket="ungranted-templates", Key="child.json", Body=json.dumps(TEMPLATE).encode()
    )
    url = "https://ungranted-templates.s3.us-east-1.amazonaws.com/child.json"
    root = {
        "Resources": {
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}
        }
    }
    cfn.create_stack_set(StackSetName="nogrant", TemplateBody=json.dumps(root))  # type: ignore[attr-defined]
    s = ops.Spec(name="nogrant", template_url="", template=root, permission_model="self-managed")
    p = plan.make_plan([("111111111111", "us-east-1")], {}, [], "", [])
    assert ops.apply(cfn, s, p, lambda _: None, sleep=lambda _: None) is False
    (row,) = ops.instances(cfn, "nogrant")
    assert row["Status"] == "OUTDATED" and "Access Denied" in row["StatusReason"]
