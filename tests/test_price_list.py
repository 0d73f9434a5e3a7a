"""The Price List API reader behind scripts/refresh_prices.py, on documented-shape answers.

AWS documents GetProducts' PriceList as JSON strings with ``product.attributes`` and
``terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD``. botocore's Stubber
checks every request against the real ``pricing`` API model; no call leaves the process.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from cfngen.preview import price_list, prices


def product(usagetype: str, usd: str | list[tuple[str, str]], **attrs: str) -> str:
    """One PriceList entry as the API returns it (a JSON string)."""
    tiers = [("0", usd)] if isinstance(usd, str) else usd
    dims = {
        f"SKU.JRTCKXETXF.{n}": {
            "unit": "Hrs",
            "beginRange": begin,
            "endRange": "Inf",
            "description": "sample",
            "pricePerUnit": {"USD": price},
        }
        for n, (begin, price) in enumerate(tiers)
    }
    return json.dumps(
        {
            "product": {"sku": "SKU", "attributes": {"usagetype": usagetype, **attrs}},
            "terms": {"OnDemand": {"SKU.JRTCKXETXF": {"priceDimensions": dims}}},
        }
    )


def test_rate_of_the_first_paid_tier() -> None:
    item = json.loads(
        product("DataTransfer-Out-Bytes", [("0", "0.00"), ("100", "0.09"), ("10240", "0.085")])
    )
    assert price_list.on_demand_rate(item) == 0.09


def test_usage_type_matches_with_and_without_region_prefix() -> None:
    query = next(q for q in price_list.QUERIES if q.key == "nat_gateway_hour")
    euw1 = json.loads(product("EUW1-NatGateway-Hours", "0.048", regionCode="eu-west-1"))
    use1 = json.loads(product("NatGateway-Hours", "0.045", regionCode="us-east-1"))
    other = json.loads(product("EUW1-NatGateway-Bytes", "0.048", regionCode="eu-west-1"))
    assert price_list.pick([euw1, use1, other], query, "eu-west-1") == 0.048
    assert price_list.pick([euw1, use1, other], query, "us-east-1") == 0.045
    with pytest.raises(price_list.PriceListError, match="nat_gateway_hour"):
        price_list.pick([other], query, "eu-west-1")


SAMPLE_RATES = {
    "nat_gateway_hour": "0.048",
    "nat_gateway_gb": "0.048",
    "public_ipv4_hour": "0.005",
    "alb_hour": "0.0252",
    "alb_lcu_hour": "0.008",
    "nlb_hour": "0.0252",
    "nlb_nlcu_hour": "0.006",
    "fargate_vcpu_hour": "0.04456",
    "fargate_gb_hour": "0.004865",
    "eks_cluster_hour": "0.10",
    "eks_extended_support_hour": "0.60",
    "ebs_gp3_gb_month": "0.088",
    "ebs_gp2_gb_month": "0.11",
    "kms_key_month": "1.00",
    "logs_ingestion_gb": "0.57",
    "logs_vended_gb": "0.57",
    "logs_storage_gb_month": "0.03",
    "s3_standard_gb_month": "0.023",
    "ecr_storage_gb_month": "0.10",
    "data_transfer_out_gb": "0.09",
}


def test_fetch_region_builds_an_entry_cfngen_can_load() -> None:
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    by_call: dict[tuple[str, str], list[str]] = {}
    for q in price_list.QUERIES:
        attrs = dict(q.attributes)
        by_call.setdefault((q.service, q.family), []).append(
            product(f"EUW1-{q.suffix}", SAMPLE_RATES[q.key], regionCode="eu-west-1", **attrs)
        )
    for (service, _family), entries in by_call.items():
        # One GetProducts per (service, family); every entry of the service comes back.
        stub.add_response(
            "get_products",
            {"PriceList": entries, "FormatVersion": "aws_v1"},
            {"ServiceCode": service, "Filters": ANY},
        )
    instance = product(
        "EUW1-BoxUsage:m6i.large",
        "0.107",
        regionCode="eu-west-1",
        instanceType="m6i.large",
        operatingSystem="Linux",
        tenancy="Shared",
        preInstalledSw="NA",
        capacitystatus="Used",
    )
    stub.add_response(
        "get_products",
        {"PriceList": [instance], "FormatVersion": "aws_v1"},
        {"ServiceCode": "AmazonEC2", "Filters": ANY},
    )
    with stub:
        entry = price_list.fetch_region(client, "eu-west-1", ["m6i.large"])
    stub.assert_no_pending_responses()
    assert entry["nat_gateway_hour"] == 0.048
    assert entry["fargate_gb_hour"] == 0.004865
    assert entry["ec2_hour"] == {"m6i.large": 0.107}
    table: dict[str, Any] = {
        "as_of": "2026-01-01",
        "source": "test",
        "regions": {"eu-west-1": entry},
    }
    loaded = prices.parse(table)
    assert loaded.region("eu-west-1")["alb_hour"] == 0.0252


def test_instance_rate_skips_windows_and_dedicated() -> None:
    wanted = {"instanceType": "t3.medium", "preInstalledSw": "NA", "capacitystatus": "Used"}
    items = [
        json.loads(
            product(
                "BoxUsage:t3.medium",
                "0.0596",
                operatingSystem="Windows",
                tenancy="Shared",
                **wanted,
            )
        ),
        json.loads(
            product(
                "DedicatedUsage:t3.medium",
                "0.05",
                operatingSystem="Linux",
                tenancy="Dedicated",
                **wanted,
            )
        ),
        json.loads(
            product(
                "BoxUsage:t3.medium", "0.0416", operatingSystem="Linux", tenancy="Shared", **wanted
            )
        ),
    ]
    assert price_list.instance_rate(items, "t3.medium", "us-east-1") == 0.0416
