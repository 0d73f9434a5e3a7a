"""Generation benchmark: prints medians and ratios to baselines measured in the same run.

Figures, not assertions: run `make bench`. Wall times of whole processes include the
interpreter start, so two baselines are measured alongside: a bare `python -c pass`
and a process that only imports troposphere and awacs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cfngen.config import load  # noqa: E402
from cfngen.render import render, write  # noqa: E402


def median_seconds(fn: Callable[[], object], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


# Measure as users run it, with the bytecode cache: some shells set PYTHONDONTWRITEBYTECODE,
# which recompiles every changed module on every run and inflates start-up.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def process(*args: str) -> Callable[[], object]:
    return lambda: subprocess.run(
        [sys.executable, *args], cwd=ROOT, check=True, capture_output=True, env=ENV
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs per process figure")
    parser.add_argument("--inproc-runs", type=int, default=50, help="runs per in-process figure")
    args = parser.parse_args()
    configs = sorted((ROOT / "config").glob("*.yaml"))
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = median_seconds(process("-c", "pass"), args.runs)
        rows.append(("python -c pass (baseline)", base))
        rows.append(
            (
                "import troposphere+awacs",
                median_seconds(process("-c", "import troposphere, awacs.aws"), args.runs),
            )
        )
        for cfg in configs:
            out = Path(tmp) / cfg.stem
            rows.append(
                (
                    f"generate.py {cfg.name} (process)",
                    median_seconds(
                        process("generate.py", "--quiet", "--config", str(cfg), "--out", str(out)),
                        args.runs,
                    ),
                )
            )
        for cfg in configs:
            rows.append(
                (
                    f"load+build+render {cfg.name}",
                    median_seconds(lambda c=cfg: render(load(c)), args.inproc_runs),
                )
            )
            out = Path(tmp) / f"inproc-{cfg.stem}"
            rows.append(
                (
                    f"  ... + atomic write {cfg.name}",
                    median_seconds(
                        lambda c=cfg, o=out: write(render(load(c)), o), args.inproc_runs
                    ),
                )
            )
    print(f"{'benchmark':48} {'median':>10} {'x python -c pass':>17}")
    for name, seconds in rows:
        print(f"{name:48} {seconds * 1000:8.1f}ms {seconds / base:16.2f}x")
    print(
        f"(medians of {args.runs} process runs / {args.inproc_runs} in-process runs, "
        f"Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
