"""Scale benchmark: generate time and peak memory for N = 1, 10, 100, 1,000 services.

Figures, not assertions: run `make bench`. Each N is a sharded platform of N routed
services with min(N, 300) ECR repositories and one load balancer per 70 services
(``alb.count``). Two times per N, medians of several runs: the in-process build (load,
validate, build, render, measure every quota) and the whole ``cfngen generate`` process,
start to files on disk (the user's figure: interpreter start and imports included). Peak
memory of one traced in-process run. Ratios to N=1 (and in-process to N=100) come from
the same run. Past one operation's 2,500 resources (a few hundred services) the platform
is split into several top-level stacks (``ecs.operations: auto``): the result column
counts them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
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


def process_seconds(text: str, runs: int) -> float:
    """Median wall time of ``cfngen generate`` as its own process, start to files on disk."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "platform.yaml"
        config.write_text(text)
        command = [sys.executable, "-m", "cfngen.cli", "generate", "-q", "-c", str(config)]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this checkout's cfngen
        samples = []
        for i in range(runs + 1):  # the first run warms the file cache
            start = time.perf_counter()
            subprocess.run([*command, "-o", str(Path(tmp) / f"out{i}")], check=True, env=env)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per size (median)")
    args = parser.parse_args()
    rows = []
    for n in SIZES:
        text = platform(n)
        rendered, refusal = generate(text)
        stacks = len(rendered.top_level) if rendered else 0
        runs = max(1, args.runs if n < 1000 else max(3, args.runs // 2))
        rows.append(
            (
                n,
                median_seconds(text, runs),
                process_seconds(text, runs),
                peak_mib(text),
                stacks,
                refusal,
            )
        )
    base, base_process = rows[0][1], rows[0][2]
    hundred = next(r[1] for r in rows if r[0] == 100)
    head = f"{'services':>8} {'repos':>6} {'in-process':>10} {'x N=1':>7} {'x N=100':>8}"
    print(f"{head} {'process':>9} {'x N=1':>7} {'peak MiB':>9}  result")
    for n, seconds, process, peak, stacks, refusal in rows:
        result = (
            f"{stacks} top-level stack{'s' * (stacks > 1)}"
            if stacks
            else f"refused: {refusal[:90]}"
        )
        print(
            f"{n:8} {min(n, REPOSITORIES_MAX):6} {seconds * 1000:8.0f}ms {seconds / base:6.1f}x "
            f"{seconds / hundred:7.2f}x {process * 1000:7.0f}ms {process / base_process:6.1f}x "
            f"{peak:9.1f}  {result}"
        )
    last = rows[-1]
    print(
        f"N={last[0]:,} / N=1: in-process {last[1] / base:.1f}x, "
        f"generate process {last[2] / base_process:.1f}x"
    )
    print(f"(medians of {args.runs} runs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
