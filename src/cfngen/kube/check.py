"""Schema check of rendered manifests: ``python -m cfngen.kube.check CONFIG RENDERED``.

``python -m cfngen.kube.check --with-cluster CONFIG...`` prints the configs that have an
EKS cluster (``eks.enabled``), one per line: those with manifests to check.

Runs the real ``kubernetes-validate --strict`` CLI against the schemas of the
config's ``eks.version``. kubernetes-validate ships schemas per minor version;
when the cluster's version has none (newer than the package), the newest
schema version is used and a note says so, rather than failing or guessing.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def supported_versions() -> list[str]:
    """Minor versions (``1.33``) kubernetes-validate has schemas for, oldest first."""
    from kubernetes_validate.utils import all_versions, major_minor

    return [major_minor(v) for v in all_versions()]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def schema_version(eks_version: str, supported: list[str]) -> tuple[str, str]:
    """(schema version to use, note or "") for a cluster version like ``1.33``."""
    if eks_version in supported:
        return eks_version, ""
    older = [v for v in supported if _key(v) <= _key(eks_version)]
    newest = max(supported, key=_key)
    if _key(eks_version) > _key(newest):
        return newest, (
            f"note: kubernetes-validate has no schemas for {eks_version}; "
            f"validating against the newest it has, {newest}"
        )
    pick = max(older, key=_key) if older else min(supported, key=_key)
    return pick, f"note: no schemas for {eks_version}; validating against {pick}"


def with_cluster(paths: list[str]) -> int:
    """Print the configs that have an EKS cluster; exit 2 on an invalid one."""
    from cfngen.config import ConfigError, load

    for path in paths:
        try:
            if load(path).eks.enabled:
                print(path)
        except ConfigError as exc:
            print(f"{exc.source}: invalid config: {'; '.join(exc.problems)}", file=sys.stderr)
            return 2
    return 0


# Custom resources cfngen renders, which kubernetes-validate has no schema for (it warns
# and passes them): EKS Auto Mode's IngressClassParams, per the fields AWS documents.
INGRESS_CLASS_PARAMS_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "scheme": {"enum": ["internal", "internet-facing"]},
                "ipAddressType": {"enum": ["ipv4", "dualstack"]},
                "group": {"type": "object", "properties": {"name": {"type": "string"}}},
                "certificateARNs": {"type": "array", "items": {"type": "string"}},
                "sslPolicy": {"type": "string"},
                "subnets": {"type": "object"},
                "namespaceSelector": {"type": "object"},
                "loadBalancerAttributes": {"type": "array", "items": {"type": "object"}},
                "tags": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
CUSTOM_SCHEMAS = {("eks.amazonaws.com/v1", "IngressClassParams"): INGRESS_CLASS_PARAMS_SCHEMA}


def custom_problems(docs: Iterable[Any], label: str) -> list[str]:
    """Problems of the custom resources among ``docs`` (one line each)."""
    import jsonschema

    problems = []
    for doc in docs:
        key = (str((doc or {}).get("apiVersion")), str((doc or {}).get("kind")))
        schema = CUSTOM_SCHEMAS.get(key)
        if schema is None:
            continue
        name = doc["metadata"].get("name")
        for err in jsonschema.Draft7Validator(schema).iter_errors(doc):
            where = "/".join(map(str, err.absolute_path)) or "(object)"
            problems.append(f"{label}: {key[1]} {name}: {where}: {err.message}")
    return problems


def is_custom(doc: Any) -> bool:
    """A custom resource cfngen checks itself (kubernetes-validate has no schema for it)."""
    return (str(doc.get("apiVersion")), str(doc.get("kind"))) in CUSTOM_SCHEMAS


def custom_resource_problems(rendered: Path) -> list[str]:
    """Problems of the custom resources in a rendered file."""
    import yaml

    docs = yaml.safe_load_all(rendered.read_text(encoding="utf-8"))
    return custom_problems(docs, str(rendered))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--with-cluster"]:
        return with_cluster(args[1:])
    if len(args) != 2:
        print("usage: python -m cfngen.kube.check CONFIG RENDERED_YAML", file=sys.stderr)
        return 2
    from cfngen.config import load

    cfg = load(args[0])
    version, note = schema_version(cfg.eks.version, supported_versions())
    if note:
        print(note, file=sys.stderr)
    exe = Path(sys.executable).with_name("kubernetes-validate")
    cmd = [str(exe), "--strict", "--quiet", "-k", f"{version}.0", args[1]]
    print("$ " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, check=False)
    problems = custom_resource_problems(Path(args[1]))
    for line in problems:
        print(line, file=sys.stderr)
    if proc.returncode == 0 and not problems:
        print(f"kubernetes-validate --strict ({version}): {args[1]} valid", file=sys.stderr)
    return proc.returncode or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
