"""Run the rule sets cfngen does not run in `make test` on every config, and list what they find.

`make scan` (checkov with the suppressions in Metadata) and `make lint` (cfn-lint's
errors and warnings) must stay silent; this asks the stricter and the other scanners
what *they* would say, so that every remaining finding can be judged (README,
"Security"): checkov, cfn-lint's informational and experimental rules, cfripper and
the AWS Control Tower proactive controls for cfn-guard. Each honours the suppressions
in the resources' Metadata, in its own convention (checkov and cfn-lint natively,
cfripper through scripts/cfripper_filters/, cfn-guard's `Metadata.guard.SuppressedRules`
here, as the Control Tower rules do not read it); a finding is what is left, and every
suppression is listed with its reason (`--findings-only` leaves them out). It reports;
it never fails a build (exit 0, 2 for bad usage).

    .venv/bin/python scripts/rulesets.py [--config config/x.yaml ...] [--findings-only]

Tools are looked up as (missing ones are skipped with a note):
  checkov   .venv-checkov/bin/checkov (made by `make scan`)
  cfn-lint  .venv/bin/cfn-lint
  cfripper  $CFRIPPER, else on PATH (python -m venv build/cfripper &&
            build/cfripper/bin/pip install cfripper)
  cfn-guard $CFN_GUARD and the rules $GUARD_RULES, else from
            build/guard/node_modules/@cdklabs/cdk-validator-cfnguard
            (npm install --prefix build/guard @cdklabs/cdk-validator-cfnguard: it ships
            the cfn-guard binary and the Control Tower rules)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "rulesets"
GUARD_PACKAGE = ROOT / "build/guard/node_modules/@cdklabs/cdk-validator-cfnguard"
FILTERS = ROOT / "scripts" / "cfripper_filters"
Finding = tuple[str, str, str, str]  # (tool, rule, template:resource, message)
SUPPRESSED = "suppressed"  # a Finding whose tool is "<tool> suppressed" carries the reason


def _run(argv: list[str], timeout: int = 900) -> str:
    """The tool's stdout ("" when it ran out of time)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ""
    return done.stdout


def _templates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(".parameters.json"))


def _generate(config: Path) -> tuple[Path, str]:
    """The config's templates as JSON in build/rulesets/<config>/, and its region."""
    folder = OUT / config.stem
    shutil.rmtree(folder, ignore_errors=True)
    argv = [sys.executable, str(ROOT / "generate.py"), "--quiet", "--format", "json"]
    subprocess.run([*argv, "--config", str(config), "--out", str(folder)], check=True)
    region = re.search(r"^region:\s*(\S+)", config.read_text(), re.M)
    return folder, region.group(1) if region else "us-east-1"


def _metadata(path: Path) -> dict[str, dict[str, Any]]:
    """Each resource's Metadata in one template."""
    resources = json.loads(path.read_text()).get("Resources") or {}
    return {name: r.get("Metadata") or {} for name, r in resources.items()}


def checkov(folder: Path, region: str) -> Iterator[Finding]:
    tool = ROOT / ".venv-checkov/bin/checkov"
    if not tool.exists():
        yield ("checkov", "-", "-", "not installed: run `make scan` once")
        return
    argv = [str(tool), "--framework", "cloudformation", "--skip-download", "-o", "json"]
    report = json.loads(_run([*argv, "--directory", str(folder)]) or "{}")
    for part in report if isinstance(report, list) else [report]:
        results = part.get("results") or {}
        for check in results.get("failed_checks", []):
            where = f"{Path(check['file_path']).name}:{check['resource'].split('.')[-1]}"
            yield ("checkov", check["check_id"], where, check["check_name"])
        for check in results.get("skipped_checks", []):
            where = f"{Path(check['file_path']).name}:{check['resource'].split('.')[-1]}"
            reason = check.get("suppress_comment") or ""
            yield (f"checkov {SUPPRESSED}", check["check_id"], where, reason)


def cfn_lint(folder: Path, region: str) -> Iterator[Finding]:
    argv = [str(ROOT / ".venv/bin/cfn-lint"), "--format", "json", "--regions", region]
    argv += ["--include-checks", "I", "--include-experimental", "--"]
    for match in json.loads(_run(argv + [str(p) for p in _templates(folder)]) or "[]"):
        path = match.get("Location", {}).get("Path") or []
        resource = path[1] if len(path) > 1 and path[0] == "Resources" else "-"
        where = f"{Path(match['Filename']).name}:{resource}"
        yield ("cfn-lint", match["Rule"]["Id"], where, match["Message"].splitlines()[0])
    for path in _templates(folder):  # template-wide ignores, with cfngen's reasons
        reasons = json.loads(path.read_text()).get("Metadata", {}).get("cfngen", {})
        for rule, reason in (reasons.get("cfn-lint ignore_checks") or {}).items():
            yield (f"cfn-lint {SUPPRESSED}", rule, f"{path.name}:-", reason)


def cfripper(folder: Path, region: str) -> Iterator[Finding]:
    tool = os.environ.get("CFRIPPER") or shutil.which("cfripper")
    if not tool:
        yield ("cfripper", "-", "-", "not installed: set CFRIPPER")
        return
    for path in _templates(folder):
        # --resolve first (unresolved intrinsics in principals crash its cross-account rule,
        # and then its JSON output), else as written; cfripper 1.22 never finishes on an EKS
        # cluster open to 0.0.0.0/0 (the seed's), hence the time limit.
        for name, meta in _metadata(path).items():
            for rule, reason in (meta.get("cfripper") or {}).items():
                yield (f"cfripper {SUPPRESSED}", rule, f"{path.name}:{name}", reason)
        for resolve in (["--resolve"], []):
            argv = [tool, str(path), *resolve, "--format", "json", "--aws-account-id"]
            argv += ["123456789012", "--rules-filters-folder", str(FILTERS)]
            out = _run(argv, timeout=120)
            if out.startswith("{"):
                break
        else:
            yield from _cfripper_text(tool, path)
            continue
        for result in json.loads(out).get("failures", []):
            if result.get("rule_mode") == "DEBUG":  # not a failure to cfripper either
                continue
            for resource in result.get("resource_ids") or ["-"]:
                where = f"{path.name}:{resource}"
                yield ("cfripper", result["rule"], where, result["reason"].splitlines()[0])


def _cfripper_text(tool: str, path: Path) -> Iterator[Finding]:
    """cfripper's text report, when its JSON one fails (it cannot serialize a crashed rule)."""
    argv = [tool, str(path), "--format", "txt", "--aws-account-id", "123456789012"]
    out = _run([*argv, "--rules-filters-folder", str(FILTERS)], 120)
    if not out.startswith("Valid"):
        yield ("cfripper", "-", f"{path.name}:-", "crashed or gave up after 120 s")
        return
    for line in out.splitlines():
        found = re.match(r"\s+- (\w+): (\S+) (.*)", line)
        if found:
            rule, resource, rest = found.groups()
            yield ("cfripper", rule, f"{path.name}:{resource}", f"{resource} {rest}")


def _resources(node: Any) -> Iterator[str]:
    """Every resource a cfn-guard result points at (its /Resources/<id> paths)."""
    if isinstance(node, dict):
        path = node.get("path")
        if isinstance(path, str) and path.startswith("/Resources/"):
            yield path.split("/")[2]
        for value in node.values():
            yield from _resources(value)
    elif isinstance(node, list):
        for value in node:
            yield from _resources(value)


def cfn_guard(folder: Path, region: str) -> Iterator[Finding]:
    tool = os.environ.get("CFN_GUARD") or str(GUARD_PACKAGE / "bin/ubuntu/x86_64/cfn-guard")
    rules = os.environ.get("GUARD_RULES") or str(GUARD_PACKAGE / "rules/control-tower/cfn-guard")
    if not Path(tool).exists() or not Path(rules).is_dir():
        yield ("cfn-guard", "-", "-", "not installed: set CFN_GUARD and GUARD_RULES")
        return
    for path in _templates(folder):
        meta = _metadata(path)
        argv = [tool, "validate", "-z", "-S", "none", "-o", "json", "-r", rules, "-d", str(path)]
        for result in json.loads(_run(argv) or "[]"):
            for failed in result.get("not_compliant", []):
                text = json.dumps(failed)
                control = re.search(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]: ([^\\]+)", text)
                rule = control.group(1) if control else failed["Rule"]["name"]
                message = control.group(2).strip() if control else ""
                for resource in sorted(set(_resources(failed))) or ["-"]:
                    guard = meta.get(resource, {}).get("guard") or {}
                    if rule in (guard.get("SuppressedRules") or []):
                        reason = (guard.get("Reasons") or {}).get(rule, "")
                        yield (f"cfn-guard {SUPPRESSED}", rule, f"{path.name}:{resource}", reason)
                    else:
                        yield ("cfn-guard", rule, f"{path.name}:{resource}", message)


TOOLS = (checkov, cfn_lint, cfripper, cfn_guard)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", type=Path, help="default: config/*.yaml")
    parser.add_argument(
        "--findings-only", action="store_true", help="leave out the suppressions and reasons"
    )
    args = parser.parse_args(argv)
    configs = args.config or sorted((ROOT / "config").glob("*.yaml"))
    for config in configs:
        if not config.is_file():
            print(f"--config: {config} does not exist", file=sys.stderr)
            return 2
    for config in configs:
        folder, region = _generate(config)
        every = sorted({f for tool in TOOLS for f in tool(folder, region)})
        # A tool that is missing, crashed or ran out of time reports rule "-": a note, not a
        # finding about the templates.
        notes = [f for f in every if f[1] == "-"]
        findings = [f for f in every if not f[0].endswith(SUPPRESSED) and f[1] != "-"]
        suppressed = [f for f in every if f[0].endswith(SUPPRESSED)]
        print(
            f"== {config.name} ({region}): {len(findings)} findings, {len(suppressed)} "
            f"suppressed, {len(notes)} tool notes"
        )
        for tool_name, rule, where, message in (
            notes + findings + ([] if args.findings_only else suppressed)
        ):
            print(f"{tool_name:9} {rule:28} {where:55} {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
