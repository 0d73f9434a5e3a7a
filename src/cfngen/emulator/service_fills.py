"""Read-only answers moto lacks that cfngen's preflight asks for.

* EKS ``DescribeClusterVersions`` and ``DescribeAddonVersions`` (moto 5.2.5 answers 404):
  the versions EKS offers, from a dated copy of the EKS Kubernetes release calendar
  (:data:`CALENDAR_DATE`); a version past its end of extended support is UNSUPPORTED.
* Service Quotas ``GetAWSDefaultServiceQuota`` (moto: not implemented) for the quotas the
  preflight reads, with AWS's default values.

Each answer has the shape of the real API's, so the deployer cannot tell a fill from AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qs

CALENDAR_DATE: Final = "2026-11-26"
# version: (released, end of standard support, end of extended support) - EKS User Guide
EKS_CALENDAR: Final[Mapping[str, tuple[str, str, str]]] = {
    "1.29": ("2024-01-23", "2025-03-23", "2026-03-23"),
    "1.30": ("2024-05-23", "2025-07-23", "2026-07-23"),
    "1.31": ("2024-09-26", "2025-11-26", "2026-11-26"),
    "1.32": ("2025-01-23", "2026-03-23", "2027-03-23"),
    "1.33": ("2025-05-29", "2026-07-29", "2027-07-29"),
    "1.34": ("2025-10-02", "2026-12-02", "2027-12-02"),
    "1.35": ("2026-01-27", "2027-03-27", "2028-03-27"),
    "1.36": ("2026-06-02", "2027-08-02", "2028-08-02"),
}
# (service code, quota code) -> (quota name, default value)
DEFAULT_QUOTAS: Final[Mapping[tuple[str, str], tuple[str, float]]] = {
    ("vpc", "L-F678F1CE"): ("VPCs per Region", 5.0),
    ("vpc", "L-FE5A380F"): ("NAT gateways per Availability Zone", 5.0),
    ("ec2", "L-0263D0A3"): ("EC2-VPC Elastic IPs", 5.0),
    ("elasticloadbalancing", "L-53DA6B97"): ("Application Load Balancers per Region", 50.0),
}
Answer = tuple[str, list[tuple[str, str]], bytes]


def _status(version: str) -> str:
    _, standard, extended = EKS_CALENDAR[version]
    if extended <= CALENDAR_DATE:
        return "UNSUPPORTED"
    return "EXTENDED_SUPPORT" if standard <= CALENDAR_DATE else "STANDARD_SUPPORT"


def _cluster_version(version: str) -> dict[str, object]:
    released, standard, extended = EKS_CALENDAR[version]
    status = _status(version)
    return {
        "clusterVersion": version,
        "clusterType": "eks",
        "defaultPlatformVersion": "eks.1",
        "defaultVersion": False,
        "releaseDate": released,
        "endOfStandardSupportDate": standard,
        "endOfExtendedSupportDate": extended,
        "status": status,
        "versionStatus": status,
        "kubernetesPatchVersion": f"{version}.0",
    }


def _json(status: str, payload: object, content_type: str = "application/json") -> Answer:
    return status, [("Content-Type", content_type)], json.dumps(payload).encode()


def eks(method: str, path: str, query_string: str) -> Answer | None:
    query = parse_qs(query_string)
    if method == "GET" and path == "/cluster-versions":
        wanted = query.get("clusterVersions") or sorted(EKS_CALENDAR)
        include_all = query.get("includeAll", ["false"])[0] == "true" or "clusterVersions" in query
        found = [
            _cluster_version(v)
            for v in wanted
            if v in EKS_CALENDAR and (include_all or _status(v) != "UNSUPPORTED")
        ]
        return _json("200 OK", {"clusterVersions": found})
    if method == "GET" and path == "/addons/supported-versions":
        version = (query.get("kubernetesVersion") or [""])[0]
        names = query.get("addonName") or [
            "vpc-cni",
            "coredns",
            "kube-proxy",
            "eks-pod-identity-agent",
        ]
        offered = not version or (version in EKS_CALENDAR and _status(version) != "UNSUPPORTED")
        addons = (
            [
                {
                    "addonName": name,
                    "type": "networking",
                    "addonVersions": [
                        {
                            "addonVersion": "v1.0.0-eksbuild.1",
                            "compatibilities": [{"clusterVersion": version or "1.33"}],
                        }
                    ],
                }
                for name in names
            ]
            if offered
            else []
        )
        return _json("200 OK", {"addons": addons})
    return None


def service_quotas(action: str, body: bytes) -> Answer | None:
    if action != "GetAWSDefaultServiceQuota":
        return None
    request = json.loads(body or b"{}")
    key = (str(request.get("ServiceCode")), str(request.get("QuotaCode")))
    content = "application/x-amz-json-1.1"
    if key not in DEFAULT_QUOTAS:
        return _json(
            "400 Bad Request",
            {"__type": "NoSuchResourceException", "message": f"no quota {key[1]} for {key[0]}"},
            content,
        )
    name, value = DEFAULT_QUOTAS[key]
    quota = {
        "ServiceCode": key[0],
        "QuotaCode": key[1],
        "QuotaName": name,
        "Value": value,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }
    return _json("200 OK", {"Quota": quota}, content)
