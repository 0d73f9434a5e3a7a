"""Scale benchmark: generate time and peak memory for N = 1, 10, 100, 1,000 services.

Figures, not assertions: run `make bench`. Each N is a sharded platform of N routed
services with min(N, 300) ECR repositories and one load balancer per 70 services
(``alb.count``), generated in this process (load, validate, build, render, measure
every quota): the median of several runs, the peak memory of one traced run, and the
ratio to N=1 and to N=100 measured in the same run. One CloudFormation operation holds
at most 2,500 resources (about 230 services), so from a few hundred services on
generate refuses with that figure; the time shown is still the whole work up to the
refusal (every template built, rendered and measured), which is what a split platform
will repeat per group.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cfngen.config import loads  # noqa: E402
from cfngen.render import QuotaError, Rendered, render  # noqa: E402

SIZES = (1, 10, 100, 1000)
REPOSITORIES_MAX = 300
SERVICES_PER_ALB = 70


def platform(services: int) -> str:
    """A sharded config of ``services`` routed services (half on ECR images)."""
    repos = min(services, REPOSITORIES_MAX)
    lines = [
        "name: bench",
        f"alb: {{count: {-(-services // SERVICES_PER_ALB)}}}",
        "eks: {enabled: false}",
        "ecr:",
        "  layout: sharded",
        "  repositories:",
        *(f"    - name: repo{i:04d}" for i in range(repos)),
        "ecs:",
        "  layout: sharded",
        "  services:",
    ]
    for i in range(services):
        image = f"repo{i % repos:04d}" if i % 2 else "public.ecr.aws/nginx/nginx"
        lines.append(f"    - {{name: svc{i:04d}, image: {image}, path_patterns: [/svc{i:04d}/*]}}")
    return "\n".join(lines) + "\n"


def generate(text: str) -> tuple[Rendered | None, str]:
    """Load, validate, build, render, measure; the refusal when the quotas say no."""
    try:
        return render(loads(text)), ""
    except QuotaError as exc:
        return None, exc.problems[0]


def median_seconds(text: str, runs: int) -> float:
    generate(text)  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        generate(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_mib(text: str) -> float:
    tracemalloc.start()
    generate(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per size (median)")
    args = parser.parse_args()
    rows = []
    for n in SIZES:
        text = platform(n)
        rendered, refusal = generate(text)
        templates = (
            len([f for f in rendered.files if f.endswith(".json") and "/" not in f])
            if rendered
            else 0
        )
        runs = max(1, args.runs if n < 1000 else max(3, args.runs // 2))
        rows.append((n, median_seconds(text, runs), peak_mib(text), templates, refusal))
    base = rows[0][1]
    hundred = next(r[1] for r in rows if r[0] == 100)
    head = f"{'services':>8} {'repos':>6} {'median':>10} {'x N=1':>7} {'x N=100':>8}"
    print(f"{head} {'peak MiB':>9}  result")
    for n, seconds, peak, templates, refusal in rows:
        result = f"{templates} templates" if templates else f"refused: {refusal[:90]}"
        print(
            f"{n:8} {min(n, REPOSITORIES_MAX):6} {seconds * 1000:8.0f}ms {seconds / base:6.1f}x "
            f"{seconds / hundred:7.2f}x {peak:9.1f}  {result}"
        )
    print(f"(medians of {args.runs} in-process runs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
