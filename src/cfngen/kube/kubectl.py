"""Running kubectl against one kubeconfig, with errors turned into advice.

The commands are plain ``kubectl`` invocations a user could type; :class:`Kubectl`
only adds ``--kubeconfig`` and recognises the failures users hit most: no
kubectl, no AWS CLI for the token plugin, and an IAM identity the cluster does
not know (no access entry).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class KubectlError(Exception):
    """kubectl is missing or a command failed; ``exit_code`` 2 = fix your setup, 1 = failed."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


UNAUTHORIZED = ("Unauthorized", "You must be logged in to the server")
# How kubectl reports an API endpoint it cannot reach (no route, filtered, no DNS answer).
UNREACHABLE = (
    "Unable to connect to the server",
    "dial tcp",
    "i/o timeout",
    "no such host",
    "connection refused",
    "context deadline exceeded",
    "Client.Timeout exceeded",
)
# The first call to a cluster gives up after this long instead of hanging for minutes on
# an endpoint this machine has no route to (a private-only one, say).
REACH_TIMEOUT = "--request-timeout=30s"


def access_advice(cluster: str, region: str) -> str:
    return (
        f"EKS cluster {cluster} does not accept your AWS identity (no access entry maps it). "
        f"Find your ARN with `aws sts get-caller-identity`, then: `aws eks create-access-entry "
        f"--region {region} --cluster-name {cluster} --principal-arn <ARN>` and `aws eks "
        f"associate-access-policy --region {region} --cluster-name {cluster} --principal-arn "
        "<ARN> --access-scope type=cluster --policy-arn "
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy` (or set "
        "eks.admin_principal_arn and redeploy)"
    )


def require(tool: str, why: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise KubectlError(f"{tool} not found on PATH: {why}", exit_code=2)
    return path


@dataclass(frozen=True)
class Kubectl:
    kubeconfig: Path
    cluster: str
    region: str
    binary: str = "kubectl"
    reach_advice: str = ""  # said instead of kubectl's error when the endpoint is unreachable

    def argv(self, *args: str) -> list[str]:
        return [self.binary, "--kubeconfig", str(self.kubeconfig), *args]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one command; a non-zero exit raises with kubectl's own message."""
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, check=False)
        if check and proc.returncode != 0:
            raise self.error(args, proc)
        return proc

    def error(self, args: tuple[str, ...], proc: subprocess.CompletedProcess[str]) -> KubectlError:
        err = (proc.stderr or proc.stdout).strip()
        if any(marker in err for marker in UNAUTHORIZED):
            return KubectlError(access_advice(self.cluster, self.region), exit_code=1)
        if self.reach_advice and any(marker in err for marker in UNREACHABLE):
            return KubectlError(self.reach_advice, exit_code=1)
        last = err.splitlines()[-1] if err else f"exit code {proc.returncode}"
        return KubectlError(f"`kubectl {' '.join(args)}` failed: {last}")
