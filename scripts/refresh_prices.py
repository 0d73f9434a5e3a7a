#!/usr/bin/env python3
"""Rewrite cfngen's price table from the AWS Price List API (needs pricing:GetProducts).

    python scripts/refresh_prices.py --out src/cfngen/preview/prices.json
    python scripts/refresh_prices.py --region ca-central-1 --out my-prices.json
    cfngen cost --config config/mine.yaml --prices my-prices.json

The API is served from us-east-1 (also eu-central-1, ap-south-1); ``--endpoint-region``
picks one. Regions and instance types default to those already in the table; the EKS
support calendar is kept from the existing table (the API does not publish it).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from cfngen.preview import price_list, prices


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--region", action="append", default=[], help="region to price (repeatable)")
    p.add_argument("--instance-type", action="append", default=[], help="EC2 type to add")
    p.add_argument("--out", type=Path, required=True, help="price table to write")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--endpoint-region", default="us-east-1", help="Price List API region")
    args = p.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    shipped = json.loads(
        Path(prices.__file__).with_name(prices.SHIPPED).read_text(encoding="utf-8")
    )
    regions = args.region or sorted(shipped["regions"])
    types = set(args.instance_type)
    for entry in shipped["regions"].values():
        types |= set(entry.get("ec2_hour", {}))
    session = boto3.Session(profile_name=args.profile)
    client = session.client("pricing", region_name=args.endpoint_region)
    table = {
        "as_of": date.today().isoformat(),
        "currency": "USD",
        "source": "AWS Price List API (pricing:GetProducts), on-demand, Linux, shared tenancy",
        "pages": shipped.get("pages", []),
        "eks_standard_support_end": shipped.get("eks_standard_support_end", {}),
        "regions": {},
    }
    try:
        for region in regions:
            print(f"pricing {region} ...", file=sys.stderr)
            table["regions"][region] = price_list.fetch_region(client, region, sorted(types))
    except (BotoCoreError, ClientError, price_list.PriceListError) as exc:
        print(f"refresh_prices: {exc}", file=sys.stderr)
        return 1
    prices.parse(table, str(args.out))  # refuse to write a table cfngen could not read
    args.out.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(regions)} regions, {len(types)} instance types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
