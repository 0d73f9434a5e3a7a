"""boto3 clients for the Kubernetes commands, honouring --profile/--region/--endpoint-url.

Small on purpose: the deployer has its own session helpers; this keeps the
manifests commands independent of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from cfngen.config import Config
from cfngen.endpoints import with_local_credentials

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_eks import EKSClient


@overload
def client(
    service: Literal["cloudformation"],
    cfg: Config,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> CloudFormationClient: ...
@overload
def client(
    service: Literal["eks"],
    cfg: Config,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> EKSClient: ...
def client(
    service: Literal["cloudformation", "eks"],
    cfg: Config,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> CloudFormationClient | EKSClient:
    from cfngen.aws_session import new_session  # lazy: rendering from outputs.json needs no boto3

    session = new_session(profile_name=profile, region_name=region or cfg.region)
    session = with_local_credentials(session, endpoint_url, profile)
    return session.client(service, endpoint_url=endpoint_url)


def stack_outputs(cfn: CloudFormationClient, stack_name: str) -> dict[str, str]:
    """OutputKey -> OutputValue of a stack (the same mapping as outputs.json)."""
    stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
