"""Read on-demand prices from the AWS Price List API into cfngen's price-table format.

``pricing.get_products`` returns each product as a JSON string: ``product.attributes``
(``usagetype``, ``regionCode``, ``instanceType`` ...) and ``terms.OnDemand.<offer>
.priceDimensions.<rate>`` with ``pricePerUnit.USD`` and a ``beginRange``. Usage types
carry a region prefix everywhere except us-east-1 (``EUW1-NatGateway-Hours`` vs
``NatGateway-Hours``), so products are matched on the suffix. The parsing is pure and
tested on documented-shape samples; :func:`fetch_region` is the only code that calls AWS
(from ``scripts/refresh_prices.py``, never from cfngen itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class Query:
    """One unit price: which service, which product family, which usage-type suffix."""

    key: str
    service: str
    suffix: str
    family: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    per_hour_to_month: bool = False  # priced per GB-hour / key-hour, we store per month


QUERIES: tuple[Query, ...] = (
    Query("nat_gateway_hour", "AmazonEC2", "NatGateway-Hours", "NAT Gateway"),
    Query("nat_gateway_gb", "AmazonEC2", "NatGateway-Bytes", "NAT Gateway"),
    Query("public_ipv4_hour", "AmazonVPC", "PublicIPv4:InUseAddress"),
    Query("alb_hour", "AWSELB", "LoadBalancerUsage", "Load Balancer-Application"),
    Query("alb_lcu_hour", "AWSELB", "LCUUsage", "Load Balancer-Application"),
    Query("nlb_hour", "AWSELB", "LoadBalancerUsage", "Load Balancer-Network"),
    Query("nlb_nlcu_hour", "AWSELB", "LCUUsage", "Load Balancer-Network"),
    Query("fargate_vcpu_hour", "AmazonECS", "Fargate-vCPU-Hours:perCPU"),
    Query("fargate_gb_hour", "AmazonECS", "Fargate-GB-Hours"),
    Query("eks_cluster_hour", "AmazonEKS", "AmazonEKS-Hours:perCluster"),
    Query("eks_extended_support_hour", "AmazonEKS", "AmazonEKS-Hours:extendedSupport"),
    Query("ebs_gp3_gb_month", "AmazonEC2", "EBS:VolumeUsage.gp3", "Storage"),
    Query("ebs_gp2_gb_month", "AmazonEC2", "EBS:VolumeUsage.gp2", "Storage"),
    Query("kms_key_month", "awskms", "KMS-Keys"),
    Query("logs_ingestion_gb", "AmazonCloudWatch", "DataProcessing-Bytes"),
    Query("logs_vended_gb", "AmazonCloudWatch", "VendedLog-Bytes"),
    Query("logs_storage_gb_month", "AmazonCloudWatch", "TimedStorage-ByteHrs"),
    Query(
        "s3_standard_gb_month",
        "AmazonS3",
        "TimedStorage-ByteHrs",
        "Storage",
        (("volumeType", "Standard"),),
    ),
    Query("ecr_storage_gb_month", "AmazonECR", "TimedStorage-ByteHrs"),
    Query("data_transfer_out_gb", "AWSDataTransfer", "DataTransfer-Out-Bytes"),
)


class PriceListError(Exception):
    """The API answered, but not with a price cfngen can use."""


def products(raw: Iterable[str | Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """GetProducts' PriceList entries (JSON strings) as dicts."""
    for item in raw:
        yield json.loads(item) if isinstance(item, str) else item


def usage_type(product: Mapping[str, Any]) -> str:
    return str(product.get("product", {}).get("attributes", {}).get("usagetype", ""))


def matches(product: Mapping[str, Any], query: Query, region: str) -> bool:
    attrs = product.get("product", {}).get("attributes", {})
    if attrs.get("regionCode", region) != region:
        return False
    name = usage_type(product)
    if not (name == query.suffix or name.endswith("-" + query.suffix)):
        return False
    return all(attrs.get(k) == v for k, v in query.attributes)


def on_demand_rate(product: Mapping[str, Any]) -> float:
    """The first paid tier's USD price (tiers start at beginRange 0; a free tier is $0)."""
    tiers: list[tuple[float, float]] = []
    for offer in dict(product.get("terms", {}).get("OnDemand", {})).values():
        for dim in dict(offer.get("priceDimensions", {})).values():
            usd = float(dim.get("pricePerUnit", {}).get("USD", "nan"))
            tiers.append((float(dim.get("beginRange", "0")), usd))
    paid = sorted(t for t in tiers if t[1] > 0)
    if not paid:
        if tiers:
            return 0.0
        raise PriceListError(f"{usage_type(product)}: no on-demand price dimension")
    return paid[0][1]


def pick(items: Iterable[Mapping[str, Any]], query: Query, region: str) -> float:
    rates = sorted({on_demand_rate(p) for p in items if matches(p, query, region)})
    if not rates:
        raise PriceListError(f"{region}: no product for {query.key} ({query.suffix})")
    # Several SKUs can match (e.g. one per operation); they carry the same list price.
    return rates[-1]


def instance_rate(items: Iterable[Mapping[str, Any]], instance_type: str, region: str) -> float:
    """Linux, shared tenancy, no pre-installed software, capacity actually used."""
    want = {
        "instanceType": instance_type,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    for p in items:
        attrs = p.get("product", {}).get("attributes", {})
        if attrs.get("regionCode", region) == region and all(
            attrs.get(k) == v for k, v in want.items()
        ):
            return on_demand_rate(p)
    raise PriceListError(f"{region}: no Linux on-demand price for {instance_type}")


def _get_products(client: Any, service: str, filters: list[dict[str, str]]) -> list[Any]:
    out: list[Any] = []
    for page in client.get_paginator("get_products").paginate(ServiceCode=service, Filters=filters):
        out += list(products(page.get("PriceList", [])))
    return out


def _term(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def fetch_region(client: Any, region: str, instance_types: Iterable[str]) -> dict[str, Any]:
    """One region's entry of the price table, from a boto3 ``pricing`` client."""
    entry: dict[str, Any] = {}
    cache: dict[tuple[str, str], list[Any]] = {}
    for q in QUERIES:
        filters = [_term("regionCode", region)]
        if q.family:
            filters.append(_term("productFamily", q.family))
        family = (q.service, q.family)
        if family not in cache:
            cache[family] = _get_products(client, q.service, filters)
        entry[q.key] = pick(cache[family], q, region)
    for name in ("logs_storage_gb_month", "s3_standard_gb_month", "ecr_storage_gb_month"):
        entry[name] = round(entry[name], 6)
    ec2: dict[str, float] = {}
    for itype in sorted(set(instance_types)):
        found = _get_products(
            client,
            "AmazonEC2",
            [
                _term("regionCode", region),
                _term("instanceType", itype),
                _term("operatingSystem", "Linux"),
                _term("tenancy", "Shared"),
            ],
        )
        ec2[itype] = instance_rate(found, itype, region)
    entry["ec2_hour"] = ec2
    return entry
