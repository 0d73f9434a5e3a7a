"""`cfngen cost`: the monthly bill of a config before it is deployed."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from cfngen.commands.common import Command, UserError, add_config_arg, info, load_config


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    p.add_argument(
        "--format",
        "-f",
        choices=("table", "json"),
        default="table",
        help="table for people, json for scripts (total_monthly_usd, stacks, items)",
    )
    p.add_argument(
        "--usage",
        type=Path,
        metavar="FILE",
        help="YAML file overriding usage assumptions (hours, GB of logs, LCUs, Spot savings); "
        "see src/cfngen/preview/usage.yaml for every key and its default",
    )
    p.add_argument(
        "--prices",
        type=Path,
        metavar="FILE",
        help="price table written by scripts/refresh_prices.py (default: the shipped one)",
    )
    p.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="date the estimate is for (EKS support status); default: today",
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def run(args: argparse.Namespace) -> int:
    from cfngen.preview import cost, cost_report
    from cfngen.preview.prices import PriceError
    from cfngen.preview.templates import TemplateSet
    from cfngen.render import render

    cfg = load_config(args.config)
    table, usage = load_inputs(args.prices, args.usage)
    rendered = render(cfg, ("json",))
    templates = TemplateSet.platform(rendered.files, cfg.region)
    try:
        est = cost.estimate(
            templates, table, usage, args.as_of or date.today(), kubernetes_objects(cfg)
        )
    except PriceError as exc:  # a region the table does not cover
        raise UserError(str(exc)) from None
    names = {t.key: cfg.stack_name + t.stack_suffix for t in rendered.top_level}
    tops = cost.per_top_level(est, templates, names)
    if args.format == "json":
        sys.stdout.write(cost_report.as_json(est, cfg.stack_name, tops))
    else:
        print(cost_report.table(est, cfg.stack_name, tops))
    return 0


def load_inputs(prices_path: Path | None, usage_path: Path | None) -> tuple[Any, Any]:
    """The price table and usage assumptions, or UserError (exit 2) naming the problem."""
    from cfngen.preview import prices, usage

    try:
        table = prices.load(prices_path)
    except prices.PriceError as exc:
        raise UserError(f"bad price table:\n  {exc}".replace("\n", "\n  ").rstrip()) from None
    try:
        assumptions = usage.load(usage_path)
    except usage.UsageError as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        raise UserError(f"invalid usage file, {len(exc.problems)} problem(s):\n{lines}") from None
    return table, assumptions


def config_templates(cfg: Any) -> Any:
    from cfngen.preview.templates import TemplateSet
    from cfngen.render import render

    return TemplateSet.platform(render(cfg, ("json",)).files, cfg.region)


def kubernetes_objects(cfg: Any) -> list[dict[str, Any]]:
    """The rendered manifests (placeholder registry), or none when the base is not here."""
    from cfngen.kube import render as kube_render

    try:
        outputs = kube_render.placeholder_outputs(cfg)
        return list(kube_render.render(cfg, outputs, "placeholder").objects)
    except kube_render.RenderError as exc:
        info(f"note: Kubernetes objects not priced ({exc})")
        return []


COMMAND = Command(
    "cost",
    help="estimate the monthly cost of a config (per stack and line item)",
    description=(
        "Price the templates a config generates with a shipped, dated table of AWS "
        "on-demand list prices: NAT gateways, public IPv4 addresses (NAT, load "
        "balancers, tasks, nodes), the ALB and its LCUs, Fargate tasks per service "
        "(Spot share from the capacity-provider weights), the EKS control plane "
        "(extended support when the version is past standard support), node instances "
        "and volumes, KMS keys, log ingestion, S3 and ECR storage, and the load balancer "
        "the Kubernetes Service creates. Usage-based charges come from assumptions "
        "(--usage) or are listed as not estimated. No AWS call is made."
    ),
    epilog="Exit codes: 0 estimate printed, 2 bad input (config, usage or price file).",
    arguments=_arguments,
    run=run,
)
