"""cfngen against CDK: a full default generate beside `cdk synth` of the same architecture.

Figures, not assertions: run `make bench-cdk` (or `make bench`, which runs it when node is
installed). bench/cdk/ holds a CDK app (aws-cdk-lib v2, JavaScript, pinned in its
package-lock.json) with config/default.yaml's architecture: a root stack with the same five
nested stacks. Each figure is the median over repeated whole processes, start to files on
disk, in wall time and in CPU time (user + system of the process and its children): the
machine is shared, and CPU time is what contention inflates least. Baselines from the same
run: a bare `python -c pass` and a bare `node -e ""`.

Nothing reaches the network: the CDK CLI runs with its version check, notices and telemetry
off, npm's update notifier off, no AWS credentials or config files and the EC2 metadata
service disabled (so it cannot look up a default account), and the app does no context
lookups (an environment-agnostic stack).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_generate import ENV

ROOT = Path(__file__).resolve().parent.parent
CDK_DIR = ROOT / "bench" / "cdk"
DEFAULT_CONFIG = ROOT / "config" / "default.yaml"
GOAL = 30.0
SYNTH = ("synth", "--no-notices", "--no-version-reporting", "--quiet", "--output")
# What the CLI runs as its child, without the CLI: the app writing its cloud assembly into
# the folder given as the last argument (CDK_OUTDIR).
APP_ALONE = "process.env.CDK_OUTDIR = process.argv.at(-1); require('./app.js')"

# Variables that would let the CDK CLI find credentials (and so call STS for a default
# account) or send it to some endpoint; everything AWS_* goes, these are only the
# non-AWS_-prefixed ones.
_CREDENTIAL_VARS = ("ECS_CONTAINER_METADATA_URI", "ECS_CONTAINER_METADATA_URI_V4")


def cdk_env(base: Mapping[str, str], home: Path) -> dict[str, str]:
    """The environment `cdk synth` runs in: offline, no credentials, nothing shared with ~."""
    env = {
        k: v
        for k, v in base.items()
        if not k.startswith(("AWS_", "CDK_", "npm_config_", "NPM_CONFIG_"))
        and k not in _CREDENTIAL_VARS
    }
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
        CDK_DISABLE_VERSION_CHECK="1",
        CDK_DISABLE_CLI_TELEMETRY="1",
        npm_config_update_notifier="false",
        npm_config_offline="true",
        npm_config_audit="false",
        npm_config_fund="false",
    )
    return env


@dataclass(frozen=True)
class Figure:
    name: str
    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    name: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    runs: int,
    out: Path | None = None,
    proof: str = "",
) -> Figure:
    """Median wall and CPU seconds of ``argv`` over ``runs`` runs after one warm-up.

    With ``out``, each run writes into a fresh folder given as the last argument, and
    ``proof`` names a file that must be there afterwards: a run that wrote nothing is an
    error, not a fast figure.
    """
    walls: list[float] = []
    cpus: list[float] = []
    for i in range(runs + 1):
        args = list(argv)
        target = None
        if out is not None:
            target = out / f"run{i}"
            shutil.rmtree(target, ignore_errors=True)
            args.append(str(target))
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        done = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True)
        wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
        if done.returncode != 0:
            sys.exit(f"bench_cdk: {name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        if target is not None and not (target / proof).is_file():
            sys.exit(f"bench_cdk: {name} exited 0 but wrote no {proof} in {target}")
        if i:  # run 0 warms the page cache and the bytecode caches
            walls.append(wall)
            cpus.append(cpu)
    return Figure(name, statistics.median(walls), statistics.median(cpus))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per figure")
    args = parser.parse_args()
    node, npx = shutil.which("node"), shutil.which("npx")
    if node is None or npx is None:
        print("bench_cdk: skipped: node/npx not installed (the CDK comparison needs them)")
        return
    if not (CDK_DIR / "node_modules" / "aws-cdk-lib").is_dir():
        sys.exit("bench_cdk: bench/cdk/node_modules is missing: run `make bench-cdk`")
    with tempfile.TemporaryDirectory(prefix="bench-cdk-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = cdk_env(os.environ, work / "home")
        py = [sys.executable]
        figures = [
            measure(
                "python -c pass (baseline)", [*py, "-c", "pass"], cwd=ROOT, env=ENV, runs=args.runs
            ),
            measure(
                "generate.py default.yaml",
                [*py, "generate.py", "--quiet", "--config", str(DEFAULT_CONFIG), "--out"],
                cwd=ROOT,
                env=ENV,
                runs=args.runs,
                out=work / "cfngen",
                proof="root.json",
            ),
            measure(
                'node -e "" (baseline)', [node, "-e", ""], cwd=CDK_DIR, env=env, runs=args.runs
            ),
        ]
        synths = {
            "npx cdk synth": [npx, "cdk", *SYNTH],
            "  the CLI without npx": [node, str(CDK_DIR / "node_modules/aws-cdk/bin/cdk"), *SYNTH],
            "  the app alone (node app.js)": [node, "-e", APP_ALONE],
        }
        for i, (name, argv) in enumerate(synths.items()):
            figures.append(
                measure(
                    name,
                    argv,
                    cwd=CDK_DIR,
                    env=env,
                    runs=args.runs,
                    out=work / f"cdk{i}",
                    proof="manifest.json",
                )
            )
    ours, cdk_rows = figures[1], figures[3:]
    print(f"{'benchmark':34} {'wall (median)':>14} {'CPU (median)':>14}")
    for f in figures:
        print(f"{f.name:34} {f.wall * 1000:12.0f}ms {f.cpu * 1000:12.0f}ms")
    print(f"ratio to generate.py (goal: cdk synth at least {GOAL:.0f}x the time):")
    for f in cdk_rows:
        wall, cpu = f.wall / ours.wall, f.cpu / ours.cpu
        verdict = ", ".join(
            f"{label} {'meets' if r >= GOAL else 'misses'}"
            for label, r in (("wall", wall), ("CPU", cpu))
        )
        print(f"  {f.name.strip():32} wall {wall:5.1f}x  CPU {cpu:5.1f}x  ({verdict})")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    print(
        f"(medians of {args.runs} runs after one warm-up each; "
        f"Python {sys.version.split()[0]}, node {node_version.strip()})"
    )


if __name__ == "__main__":
    main()
