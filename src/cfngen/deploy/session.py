"""boto3 session and clients: flags over AWS_* variables over the config, retries that back off.

Every AWS failure a user can fix (no credentials, unknown profile, no region,
endpoint unreachable) becomes one line via :class:`DeployError`, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, overload

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from cfngen.aws_session import new_session
from cfngen.deploy.regions import unknown_region
from cfngen.endpoints import with_local_credentials

if TYPE_CHECKING:  # the stubs are a test-only dependency (types-boto3)
    from types_boto3_acm import ACMClient
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_ec2 import EC2Client
    from types_boto3_ecr import ECRClient
    from types_boto3_eks import EKSClient
    from types_boto3_elbv2 import ElasticLoadBalancingv2Client
    from types_boto3_iam import IAMClient
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_s3 import S3Client
    from types_boto3_service_quotas import ServiceQuotasClient
    from types_boto3_sts import STSClient

    from cfngen.deploy.rollouts import EcsApi

    Client = (
        CloudFormationClient
        | S3Client
        | STSClient
        | ACMClient
        | EC2Client
        | ECRClient
        | EKSClient
        | ElasticLoadBalancingv2Client
        | IAMClient
        | CloudWatchLogsClient
        | ServiceQuotasClient
        | EcsApi
    )

EXIT_FAILED, EXIT_USAGE = 1, 2
MAX_ATTEMPTS = 10  # botocore retries throttling with exponential backoff and jitter
# what the deployer talks to (the preflight's read-only checks use the last eight)
Service = Literal[
    "cloudformation",
    "s3",
    "sts",
    "acm",
    "ec2",
    "ecr",
    "eks",
    "elbv2",
    "iam",
    "logs",
    "service-quotas",
    "ecs",  # the blue/green rollouts a deploy follows (cfngen.deploy.rollouts)
]


class DeployError(Exception):
    """A deployment problem with a one-line message and its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Aws:
    """A session plus cached clients for one region and (optionally) one endpoint."""

    session: boto3.Session
    region: str
    endpoint_url: str | None
    _clients: dict[str, Client] = field(default_factory=dict)
    _account: str | None = None

    @overload
    def client(self, service: Literal["cloudformation"]) -> CloudFormationClient: ...
    @overload
    def client(self, service: Literal["s3"]) -> S3Client: ...
    @overload
    def client(self, service: Literal["sts"]) -> STSClient: ...
    @overload
    def client(self, service: Literal["acm"]) -> ACMClient: ...
    @overload
    def client(self, service: Literal["ec2"]) -> EC2Client: ...
    @overload
    def client(self, service: Literal["ecr"]) -> ECRClient: ...
    @overload
    def client(self, service: Literal["eks"]) -> EKSClient: ...
    @overload
    def client(self, service: Literal["elbv2"]) -> ElasticLoadBalancingv2Client: ...
    @overload
    def client(self, service: Literal["iam"]) -> IAMClient: ...
    @overload
    def client(self, service: Literal["logs"]) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["service-quotas"]) -> ServiceQuotasClient: ...
    @overload
    def client(self, service: Literal["ecs"]) -> EcsApi: ...
    def client(self, service: Service) -> Client:
        """The region's client for ``service``, made once, with retries that back off."""
        if service not in self._clients:
            adaptive = os.environ.get("AWS_RETRY_MODE") == "adaptive"
            config = BotoConfig(
                retries={
                    "mode": "adaptive" if adaptive else "standard",
                    "max_attempts": max_attempts(),
                },
                s3={"addressing_style": "path"} if self.endpoint_url else {},
                connect_timeout=10,
                read_timeout=60,
            )
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[service]

    def close(self) -> None:
        """Close the clients' connections (a thread's own clients, when it is done)."""
        for client in self._clients.values():
            close = getattr(client, "close", None)  # every boto3 client has one
            if close is not None:
                close()
        self._clients.clear()

    def account_id(self) -> str:
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account


def _profile_source(profile: str | None) -> tuple[str | None, str]:
    """The profile asked for and where it was asked (flag or environment)."""
    if profile:
        return profile, "--profile"
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if os.environ.get(var):
            return os.environ[var], var
    return None, ""


def _profile_not_found(profile: str | None) -> DeployError:
    import botocore.session

    name, source = _profile_source(profile)
    known = sorted(botocore.session.Session().available_profiles)
    listed = f"profiles there: {', '.join(known)}" if known else "no profiles are configured"
    return DeployError(
        f"AWS profile {name!r} not found (named by {source}) in ~/.aws/config or "
        f"~/.aws/credentials ({listed}); run `aws configure --profile {name}` or fix the name",
        EXIT_USAGE,
    )


def _partial_credentials(exc: PartialCredentialsError) -> DeployError:
    provider = str(exc.kwargs.get("provider", ""))
    missing = str(exc.kwargs.get("cred_var", "a value"))
    where = "the environment" if provider == "env" else f"{provider or 'the configuration'}"
    return DeployError(
        f"incomplete AWS credentials in {where}: {missing} is missing; set it too, or unset the "
        "partial ones (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN) to use a "
        "profile",
        EXIT_USAGE,
    )


def _secret_without_key() -> DeployError | None:
    """botocore ignores a secret key without its key id; a user who set one meant it."""
    if os.environ.get("AWS_SECRET_ACCESS_KEY") and not os.environ.get("AWS_ACCESS_KEY_ID"):
        return DeployError(
            "incomplete AWS credentials in the environment: AWS_SECRET_ACCESS_KEY is set but "
            "AWS_ACCESS_KEY_ID is not; set both, or unset AWS_SECRET_ACCESS_KEY",
            EXIT_USAGE,
        )
    return None


def max_attempts() -> int:
    """``AWS_MAX_ATTEMPTS`` when set to a whole number >= 1 (as the AWS CLI reads it), else 10."""
    value = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(value) if value.isdigit() and int(value) >= 1 else MAX_ATTEMPTS


def connect(
    profile: str | None, region: str | None, endpoint_url: str | None, default_region: str
) -> Aws:
    """A checked session: fails with one line when credentials or region are missing or wrong.

    Nothing is sent: the region is checked against botocore's endpoint data, the
    credentials are only resolved.
    """
    try:
        session = new_session(profile_name=profile)
    except ProfileNotFound:
        raise _profile_not_found(profile) from None
    source = "--region" if region else "region (config)" if default_region else "AWS_REGION"
    region = region or default_region or session.region_name
    if not region:
        raise DeployError("no AWS region: pass --region or set AWS_REGION", EXIT_USAGE)
    problem = unknown_region(region, source)
    if problem:
        raise DeployError(problem, EXIT_USAGE)
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    half = _secret_without_key() if not profile else None
    if half is not None:
        raise half
    try:
        session = with_local_credentials(session, endpoint, profile)
        credentials = session.get_credentials()
    except PartialCredentialsError as exc:
        raise _partial_credentials(exc) from None
    except ProfileNotFound:
        raise _profile_not_found(profile) from None
    if credentials is None:
        raise DeployError(
            "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or pass --profile",
            EXIT_USAGE,
        )
    return Aws(session=session, region=region, endpoint_url=endpoint)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or str(exc)


@contextmanager
def aws_errors() -> Iterator[None]:
    """Turn botocore exceptions into one-line DeployErrors."""
    try:
        yield
    except PartialCredentialsError as exc:
        raise _partial_credentials(exc) from None
    except NoCredentialsError:
        raise DeployError(
            "no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or pass --profile",
            EXIT_USAGE,
        ) from None
    except NoRegionError:
        raise DeployError("no AWS region: pass --region or set AWS_REGION", EXIT_USAGE) from None
    except EndpointConnectionError as exc:
        raise DeployError(f"cannot reach AWS: {exc}") from None
    except ClientError as exc:
        op = getattr(exc, "operation_name", "AWS call")
        raise DeployError(f"{op} failed: {error_code(exc)}: {error_message(exc)}") from None
    except BotoCoreError as exc:
        raise DeployError(f"AWS error: {exc}") from None
