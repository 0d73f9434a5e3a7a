"""Deploy benchmark against the local endpoint: cfngen vs `aws cloudformation package + deploy`.

Figures, not assertions: run `make bench`. Both tools run as whole processes (the
interpreter start is in both figures) against the same in-process emulator, one
fresh account per round. For each phase it prints the median wall time, the ratio
to the AWS CLI and the API calls the endpoint received, by kind.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cfngen.emulator import TEST_CREDENTIALS, Emulator, EmulatorClient  # noqa: E402

BIN = Path(sys.executable).parent
STACK = "cfngen-dev"
CLI_BUCKET = "bench-cli-templates"


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, **TEST_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    env["AWS_ENDPOINT_URL"] = url  # `aws cloudformation package` ignores --endpoint-url for S3
    env.pop("AWS_PROFILE", None)
    return env


def _run(args: list[str], cwd: Path, url: str) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=_env(url), check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def cfngen_phases(url: str, work: Path) -> dict[str, list[str]]:
    cfngen = [str(BIN / "cfngen")]
    common = ["--config", str(ROOT / "config" / "default.yaml"), "--endpoint-url", url]
    return {
        "first deploy": [*cfngen, "deploy", *common, "--yes"],
        "no-op redeploy": [*cfngen, "deploy", *common, "--yes"],
        "destroy": [*cfngen, "destroy", *common, "--yes"],
    }


def cli_phase(name: str, url: str, work: Path) -> float:
    aws = [str(BIN / "aws"), "--endpoint-url", url, "--region", "us-east-1"]
    if name == "destroy":
        t = _run(
            [*aws[:1], "cloudformation", "delete-stack", "--stack-name", STACK, *aws[1:]], work, url
        )
        return t + _run(
            [
                *aws[:1],
                "cloudformation",
                "wait",
                "stack-delete-complete",
                "--stack-name",
                STACK,
                *aws[1:],
            ],
            work,
            url,
        )
    t = _run(
        [
            *aws[:1],
            "cloudformation",
            "package",
            "--template-file",
            "templates/root.yaml",
            "--s3-bucket",
            CLI_BUCKET,
            "--output-template-file",
            "packaged.yaml",
            *aws[1:],
        ],
        work,
        url,
    )
    return t + _run(
        [*aws[:1], "cloudformation", "deploy", "--template-file", "packaged.yaml",
         "--stack-name", STACK, "--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM",
         "--no-fail-on-empty-changeset", *aws[1:]],
        work,
        url,
    )  # fmt: skip


def measure(rounds: int) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        control: EmulatorClient = emu.client()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "generate.py"),
                "--quiet",
                "--out",
                str(work / "templates"),
            ],
            check=True,
        )
        for tool in ("cfngen", "aws cli"):
            times: dict[str, list[float]] = {}
            calls: dict[str, Counter[str]] = {}
            for _ in range(rounds):
                control.reset()
                if tool == "aws cli":
                    import boto3

                    boto3.client(
                        "s3", endpoint_url=emu.url, region_name="us-east-1", **_keys()
                    ).create_bucket(Bucket=CLI_BUCKET)
                for phase in ("first deploy", "no-op redeploy", "destroy"):
                    control.reset_calls()
                    if tool == "cfngen":
                        t = _run(cfngen_phases(emu.url, work)[phase], work, emu.url)
                    else:
                        t = cli_phase(phase, emu.url, work)
                    times.setdefault(phase, []).append(t)
                    calls[phase] = Counter(control.calls())
            for phase, samples in times.items():
                results.setdefault(phase, {})[tool] = (statistics.median(samples), calls[phase])
    return results


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def report(results: dict[str, dict[str, object]], rounds: int) -> None:
    print(f"deploy benchmark (local endpoint, default config, median of {rounds} rounds)")
    for phase, by_tool in results.items():
        ours, our_calls = by_tool["cfngen"]  # type: ignore[misc]
        theirs, their_calls = by_tool["aws cli"]  # type: ignore[misc]
        print(f"\n{phase}: cfngen {ours:.2f} s, aws cli {theirs:.2f} s, ratio {ours / theirs:.2f}")
        kinds = sorted(set(our_calls) | set(their_calls))
        width = max(len(k) for k in kinds)
        print(f"  {'API call'.ljust(width)}  cfngen  aws-cli")
        for kind in kinds:
            print(
                f"  {kind.ljust(width)}  {our_calls.get(kind, 0):>6}  {their_calls.get(kind, 0):>7}"
            )
        ours_total, theirs_total = sum(our_calls.values()), sum(their_calls.values())
        print(f"  {'total'.ljust(width)}  {ours_total:>6}  {theirs_total:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report(measure(args.rounds), args.rounds)


if __name__ == "__main__":
    main()
