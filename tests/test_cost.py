"""`cfngen cost`: monthly estimates checked against arithmetic done by hand from list prices.

Every expected figure below is written out from the published unit prices (the same
numbers as src/cfngen/preview/prices.json) and the config's own counts, not taken from
cfngen's output: 730 h/month, e.g. a NAT gateway in eu-west-1 is 0.048 $/h x 730 h.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.config import loads
from cfngen.preview import cost, cost_report, prices, usage
from cfngen.preview.templates import TemplateSet
from cfngen.render import render
from conftest import GUARD, ROOT

H = 730
STANDARD = date(2026, 1, 1)  # EKS 1.33 is in standard support then (ends 2026-07-29)


def estimate(text: str, as_of: date = STANDARD, **assumptions: float) -> cost.Estimate:
    cfg = loads(text)
    ts = TemplateSet.from_files(render(cfg, ("json",)).files, cfg.region)
    use = usage.apply(usage.defaults(), assumptions, "test")
    return cost.estimate(ts, prices.load(), use, as_of)


def config_text(name: str, **changes: object) -> str:
    data = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return yaml.safe_dump(data)


def items(est: cost.Estimate) -> dict[str, float]:
    out: dict[str, float] = {}
    for i in est.items:
        out[i.item] = out.get(i.item, 0.0) + i.monthly
    return out


def test_default_config_in_us_east_1_matches_hand_computed_list_prices() -> None:
    est = estimate(config_text("default"))
    got = items(est)
    fargate_task_hour = 0.25 * 0.04048 + 0.5 * 0.004445  # 256 CPU units, 512 MiB
    expected = {
        "Application Load Balancers": 0.0225 * H,  # 16.425
        "Application Load Balancers capacity units": 1 * 0.008 * H,  # 1 LCU assumed
        "Public IPv4 (load balancers)": 2 * 0.005 * H,  # internet-facing ALB in 2 AZs
        "Fargate tasks (web)": 2 * fargate_task_hour * H,  # desired_count 2
        "Public IPv4 (ECS tasks)": 2 * 0.005 * H,  # tasks in public subnets, AssignPublicIp
        "Log ingestion (ECS services)": 1 * 0.50,  # 1 GB assumed
        "EKS control plane": 0.10 * H,
        "Log ingestion (EKS control plane)": 5 * 0.50,  # all five log types on, 5 GB assumed
        "EKS nodes (t3.medium)": 2 * 0.0416 * H,
        "EKS node volumes (gp2)": 2 * 20 * 0.10,  # DiskSize 20 GiB each
        "Public IPv4 (EKS nodes)": 2 * 0.005 * H,  # public subnets map public IPs
        "ECR image storage": 1 * 0.10,
    }
    assert (
        got.keys()
        - {
            "Data transfer out to the internet",
            "CloudWatch Logs storage",
            "ECS Container Insights metrics",
        }
        == expected.keys()
    )
    for name, value in expected.items():
        assert got[name] == pytest.approx(value), name
    assert est.total == pytest.approx(sum(expected.values()))
    assert est.total == pytest.approx(203.02, abs=0.01)
    assert not est.warnings


def test_production_in_eu_west_1_matches_hand_computed_list_prices() -> None:
    est = estimate(config_text("production"))
    got = items(est)
    web = 0.5 * 0.04456 + 1 * 0.004865  # cpu 512, memory 1024 in eu-west-1
    api = 1 * 0.04456 + 2 * 0.004865  # cpu 1024, memory 2048
    # 3 tasks each: base 2 on FARGATE, the third split 3:1 FARGATE:FARGATE_SPOT.
    on_demand, spot = 2 + 3 / 4, 1 / 4
    spot_factor = 1 - 0.68
    expected = {
        "NAT gateways": 3 * 0.048 * H,
        "Public IPv4 (NAT gateways)": 3 * 0.005 * H,
        "Log ingestion (VPC flow logs)": 5 * 0.57,
        "Application Load Balancers": 0.0252 * H,
        "Application Load Balancers capacity units": 0.008 * H,
        "Public IPv4 (load balancers)": 3 * 0.005 * H,  # 3 AZs
        "Fargate tasks (web)": on_demand * web * H,
        "Fargate Spot tasks (web)": spot * web * spot_factor * H,
        "Fargate tasks (api)": on_demand * api * H,
        "Fargate Spot tasks (api)": spot * api * spot_factor * H,
        "Log ingestion (ECS services)": 2 * 1 * 0.57,
        "KMS keys": 2 * 1.0,  # ECS log key + EKS secrets key
        "S3 storage": 5 * 0.023,  # access-log bucket
        "EKS control plane": 0.10 * H,
        "Log ingestion (EKS control plane)": 5 * 0.57,
        "EKS nodes (m6i.large)": 3 * 0.107 * H,  # first of [m6i.large, m5.large]
        "EKS node volumes (gp3)": 3 * 50 * 0.088,  # launch template: 50 GiB gp3
        "ECR image storage": 2 * 0.10,
    }
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-6), name
    assert "Public IPv4 (ECS tasks)" not in got  # private subnets: no public IPs
    assert "Public IPv4 (EKS nodes)" not in got
    assert est.total == pytest.approx(sum(expected.values()), rel=1e-6)


def test_single_nat_gateway_saves_two_gateways_and_their_addresses() -> None:
    per_az = estimate(config_text("production"))
    single = estimate(config_text("production", network__nat_gateways="single"))
    two_nats = 2 * 0.048 * H + 2 * 0.005 * H  # 70.08 + 7.30 in eu-west-1
    assert per_az.total - single.total == pytest.approx(two_nats)
    lines = cost_report.plan_lines(per_az, single)
    assert "  -$70.08/month: NAT gateways 3 -> 1 (network)" in lines
    assert "  -$7.30/month: Public IPv4 (NAT gateways) 3 -> 1 (network)" in lines


def test_extended_support_is_charged_after_the_end_of_standard_support() -> None:
    late = estimate(config_text("default", eks__version="1.33"), as_of=date(2026, 7, 30))
    surcharge = [i for i in late.items if i.item == "EKS extended support"]
    assert [round(i.monthly, 2) for i in surcharge] == [round((0.60 - 0.10) * H, 2)]
    assert late.warnings and "1.33" in late.warnings[0] and "2026-07-29" in late.warnings[0]
    on_last_day = estimate(config_text("default", eks__version="1.33"), as_of=date(2026, 7, 29))
    assert not [i for i in on_last_day.items if i.item == "EKS extended support"]


def test_spot_nodes_and_usage_overrides() -> None:
    text = config_text("default", eks__node_group__capacity_type="SPOT")
    est = estimate(text, ec2_spot_discount=0.5, nat_gb_per_gateway=100, alb_lcu_per_hour=2)
    got = items(est)
    assert got["EKS nodes (t3.medium, Spot)"] == pytest.approx(2 * 0.0416 * 0.5 * H)
    assert got["Application Load Balancers capacity units"] == pytest.approx(2 * 0.008 * H)
    assert "NAT data processing" not in got  # no NAT gateway in the seed
    nat = estimate(config_text("production"), nat_gb_per_gateway=100, internet_egress_gb=500)
    assert items(nat)["NAT data processing"] == pytest.approx(3 * 100 * 0.048)
    assert items(nat)["Data transfer out to the internet"] == pytest.approx(500 * 0.09)
    assert not [i for i in nat.items if not i.estimated and "Data transfer" in i.item]


def test_unpriced_instance_type_is_listed_not_guessed() -> None:
    est = estimate(config_text("default", eks__node_group__instance_types=["x9z.huge"]))
    line = next(i for i in est.items if i.item.startswith("EKS nodes"))
    assert not line.estimated and line.monthly == 0 and "not in the price table" in line.note


def test_not_estimated_lines_are_named_with_unit_prices() -> None:
    est = estimate(config_text("production"))
    open_items = {i.item: i.price for i in est.items if not i.estimated}
    assert open_items["NAT data processing"] == 0.048
    assert open_items["Data transfer out to the internet"] == 0.09
    text = cost_report.table(est, "shop-prod")
    assert "usage-based, not estimated" in text and "prices as of 2025-11-01" in text


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cfngen.cli", "cost", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )


def test_cli_json_has_total_stacks_and_items() -> None:
    proc = run_cli("--config", "config/default.yaml", "--format", "json", "--as-of", "2026-01-01")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # The seed plus the Kubernetes Service's NLB: 0.0225 + 1 NLCU x 0.006, 2 public IPs.
    nlb = (0.0225 + 0.006 + 2 * 0.005) * H
    assert data["total_monthly_usd"] == pytest.approx(203.02 + nlb, abs=0.01)
    assert data["stacks"]["kubernetes"] == pytest.approx(nlb, abs=0.01)
    assert sum(data["stacks"].values()) == pytest.approx(data["total_monthly_usd"], abs=0.02)
    assert {"stack", "item", "quantity", "monthly_usd", "estimated"} <= data["items"][0].keys()


def test_cli_table_prints_monthly_figures_and_sources() -> None:
    proc = run_cli("--config", "config/production.yaml", "--as-of", "2026-01-01")
    assert proc.returncode == 0, proc.stderr
    assert "NAT gateways" in proc.stdout and "$105.12" in proc.stdout  # 3 x 0.048 x 730
    assert "/month in eu-west-1" in proc.stdout
    assert "prices as of" in proc.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("alb_lcu_per_hour: -1\n", "alb_lcu_per_hour: -1 is not a number >= 0"),
        ("nat_gb: 5\n", "nat_gb: unknown key"),
        ("fargate_spot_discount: 1.5\n", "must be below 1"),
        ("- 1\n", "expected a mapping"),
    ],
)
def test_bad_usage_file_exits_2_naming_the_key(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "usage.yaml"
    bad.write_text(content)
    proc = run_cli("--usage", str(bad))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_region_without_prices_exits_2_with_the_way_out(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("region: sa-east-1\n")
    proc = run_cli("--config", str(cfg))
    assert proc.returncode == 2
    assert "no prices for region sa-east-1" in proc.stderr
    assert "refresh_prices.py" in proc.stderr


def test_bad_price_file_exits_2(tmp_path: Path) -> None:
    table = json.loads((ROOT / "src/cfngen/preview/prices.json").read_text())
    table["regions"]["us-east-1"]["nat_gateway_hour"] = "cheap"
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps(table))
    proc = run_cli("--prices", str(bad))
    assert proc.returncode == 2
    assert "regions.us-east-1.nat_gateway_hour: 'cheap' is not a price" in proc.stderr


def test_shipped_table_covers_the_regions_people_use_most() -> None:
    table = prices.load()
    for region in (
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
    ):
        assert {"t3.medium", "m5.large", "m6i.large"} <= table.region(region).ec2_hour.keys()
    assert table.as_of and table.source


def test_every_load_balancer_of_a_sharded_tree_is_priced() -> None:
    """Two nested stacks each with an ALB and a service, one level deeper than today."""

    def shard(n: int) -> dict[str, object]:
        return {
            "Resources": {
                "Lb": {
                    "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                    "Properties": {"Scheme": "internal"},
                },
                "Td": {
                    "Type": "AWS::ECS::TaskDefinition",
                    "Properties": {"Cpu": "1024", "Memory": "2048"},
                },
                "Svc": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "DesiredCount": n,
                        "LaunchType": "FARGATE",
                        "TaskDefinition": {"Ref": "Td"},
                    },
                },
            }
        }

    nested = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "x"}}
    services = {"Resources": {"Shard1": nested, "Shard2": nested}}
    root = {"Resources": {"Services": nested}}
    bodies = {"Services": services, "Services/Shard1": shard(1), "Services/Shard2": shard(4)}
    ts = TemplateSet.build(root, lambda path, _lid, _res: bodies.get(path), "us-east-1")
    est = cost.estimate(ts, prices.load(), usage.defaults(), STANDARD)
    got = items(est)
    assert got["Application Load Balancers"] == pytest.approx(2 * 0.0225 * H)
    assert "Public IPv4 (load balancers)" not in got  # internal scheme
    task_hour = 1 * 0.04048 + 2 * 0.004445
    assert got["Fargate tasks (Svc)"] == pytest.approx((1 + 4) * task_hour * H)
    assert {i.stack for i in est.items if i.estimated} == {
        "services/shard1",
        "services/shard2",
    }


@settings(max_examples=25, deadline=None)
@given(
    azs=st.integers(min_value=2, max_value=3),  # production's eu-west-1 has 3 AZs
    nat=st.sampled_from(["single", "per_az"]),
    desired=st.integers(min_value=1, max_value=20),
)
def test_nat_and_task_lines_follow_the_config(azs: int, nat: str, desired: int) -> None:
    """Across AZ counts, NAT modes and task counts: NAT lines and Fargate lines by hand."""
    data = yaml.safe_load(config_text("production"))
    data["network"]["availability_zones"] = azs
    data["network"]["public_subnets"] = [f"10.20.{4 * i}.0/22" for i in range(azs)]
    data["network"]["private_subnets"] = [f"10.20.{32 * (i + 1)}.0/19" for i in range(azs)]
    data["network"]["nat_gateways"] = nat
    data["ecs"]["services"][1]["desired_count"] = desired
    data["ecs"]["services"][1]["autoscaling"] = {"min": 1, "max": 20, "cpu_target": 50}
    est = estimate(yaml.safe_dump(data))
    got = items(est)
    gateways = azs if nat == "per_az" else 1
    assert got["NAT gateways"] == pytest.approx(gateways * 0.048 * H)
    assert got["Public IPv4 (NAT gateways)"] == pytest.approx(gateways * 0.005 * H)
    assert got["Public IPv4 (load balancers)"] == pytest.approx(azs * 0.005 * H)
    api = 1 * 0.04456 + 2 * 0.004865
    base = min(2, desired)
    on_demand = base + (desired - base) * 3 / 4
    assert got["Fargate tasks (api)"] == pytest.approx(on_demand * api * H)
    assert est.total == pytest.approx(sum(i.monthly for i in est.items))


def _kubernetes_items(text: str) -> dict[str, float]:
    from cfngen.kube import render as kube_render

    cfg = loads(text)
    ts = TemplateSet.from_files(render(cfg, ("json",)).files, cfg.region)
    objects = kube_render.render(cfg, kube_render.placeholder_outputs(cfg), "placeholder").objects
    est = cost.estimate(ts, prices.load(), usage.defaults(), STANDARD, list(objects))
    return {i.item: i.monthly for i in est.items if i.stack == "kubernetes"}


@pytest.mark.parametrize(
    ("ingress", "public_ips"),
    [("{enabled: true}", 2 + 2), ("{enabled: true, scheme: internal}", 2)],
    ids=["internet-facing", "internal"],
)
def test_an_auto_mode_ingress_is_priced_as_the_alb_it_creates(
    ingress: str, public_ips: int
) -> None:
    """The Service's NLB as before, plus the ALB Auto Mode makes for the Ingress (us-east-1)."""
    text = (
        "network: {private_subnets: [10.0.16.0/20, 10.0.32.0/20]}\n"
        f"eks: {{auto_mode: true}}\nkubernetes: {{ingress: {ingress}}}\n"
    )
    got = _kubernetes_items(text)
    assert got["Network Load Balancers"] == pytest.approx(0.0225 * H)
    assert got["Application Load Balancers"] == pytest.approx(0.0225 * H)
    assert got["Application Load Balancers capacity units"] == pytest.approx(1 * 0.008 * H)
    # two public subnets: one address each for the NLB, and for an internet-facing ALB
    assert got["Public IPv4 (load balancers)"] == pytest.approx(public_ips * 0.005 * H)
    assert "Application Load Balancers" not in _kubernetes_items("eks: {auto_mode: true}\n")
