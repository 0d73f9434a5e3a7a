"""Rehearsal of a 200-service platform on the local endpoint: deploy, no-op redeploy, destroy.

Figures, not assertions: run `make bench`. The platform is the sharded one of
bench_scale.py at N=200 (200 routed services, 200 repositories, 3 load balancers, about
40 nested stacks), deployed with `cfngen` as a whole process against an in-process
emulator; each phase prints its wall time and must exit 0 (else the benchmark fails
with the command's output).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import platform  # noqa: E402

from cfngen.config import loads  # noqa: E402
from cfngen.emulator import TEST_CREDENTIALS, Emulator  # noqa: E402
from cfngen.render import render  # noqa: E402

SERVICES = 200
CFNGEN = Path(sys.executable).parent / "cfngen"


def main() -> None:
    env = {**os.environ, **TEST_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("AWS_PROFILE", None)
    rows = []
    with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "platform.yaml"
        config.write_text(platform(SERVICES))
        common = ["--config", str(config), "--endpoint-url", emu.url]
        common += ["--output-dir", str(Path(tmp) / "out")]
        for phase, command in (
            ("first deploy", "deploy"),
            ("no-op redeploy", "deploy"),
            ("destroy", "destroy"),
        ):
            start = time.perf_counter()
            done = subprocess.run(
                [str(CFNGEN), command, *common, "--yes"], env=env, capture_output=True, text=True
            )
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(f"{phase} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
            rows.append((phase, seconds, done.stdout))
    files = render(loads(platform(SERVICES))).files
    templates = [json.loads(b) for n, b in files.items() if n.endswith(".json") and "/" not in n]
    resources = sum(len(t["Resources"]) for t in templates)
    print(
        f"rehearsal of {SERVICES} services on the local endpoint "
        f"({len(templates)} templates, {resources:,} resources)"
    )
    for phase, seconds, out in rows:
        note = "up to date" if "no changes" in out else ""
        print(f"  {phase:16} {seconds:7.1f}s  {note}")


if __name__ == "__main__":
    main()
