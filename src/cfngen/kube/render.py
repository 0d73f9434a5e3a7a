"""Render the static base for one environment: an overlay plus the fully built YAML.

Output (``output/<env>/manifests/``)::

    kustomization.yaml   overlay: namespace, labels, ECR image, port, probes, resources, HPA
                         (and, with EKS Auto Mode, the Service's load balancer class)
    ingress.yaml         with kubernetes.ingress on Auto Mode: IngressClass(Params), Ingress
    base/                a copy of manifests/ (the overlay is self-contained and is a
                         record of exactly what was applied)
    rendered.yaml        the overlay built by cfngen.kube.kustomize; what `apply` sends

The overlay is also usable by hand: ``kubectl apply -k output/dev/manifests``.
Everything comes from the config plus one stack output (the repository URI), so
rendering needs neither a cluster nor kubectl. Pure functions build the bytes;
:func:`write` puts them on disk atomically.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from cfngen.atomic import replace_folder
from cfngen.config import Config
from cfngen.contracts import KUBE_APP, EcrOut
from cfngen.kube import auto_mode, kustomize
from cfngen.patterns import is_digest

APP = KUBE_APP  # the name of every object in the base (and of the app's ServiceAccount)
BASE_DIR = Path("manifests")  # in a checkout: a link to the base shipped in the package
BUILT_IN_BASE = Path(__file__).resolve().parent / "base"  # ships with every install
OUTPUT_ROOT = Path("output")  # per-environment artifacts: OUTPUT_ROOT/<environment>/
OUTPUTS_FILE = "outputs.json"  # the deployer's (cfngen.deploy.outputs): read, never written
MANIFESTS_DIR = "manifests"  # OUTPUT_ROOT/<environment>/manifests/
OVERLAY_FILE = kustomize.KUSTOMIZATION
RENDERED_FILE = "rendered.yaml"
PLACEHOLDER_ACCOUNT = "000000000000"
HEADER = "# Rendered by cfngen from {base} for {prefix}: edit the config or the base, not this.\n"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the inline patches) as readable ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


class RenderError(Exception):
    """Missing inputs (outputs, base); the message says what to run."""


@dataclass(frozen=True)
class Manifests:
    """Relative path -> bytes of everything one render writes, and the built objects."""

    files: Mapping[str, bytes]
    objects: list[kustomize.Doc]
    image: str


def default_base() -> Path:
    """``manifests/`` of the current folder (a checkout, maybe edited), else the built-in base.

    So ``cfngen manifests`` works from any folder after ``pip install``/``pipx install``.
    """
    return BASE_DIR if (BASE_DIR / OVERLAY_FILE).is_file() else BUILT_IN_BASE


def output_dir(cfg: Config, root: Path = OUTPUT_ROOT) -> Path:
    return root / cfg.environment


def outputs_key(cfg: Config) -> str | None:
    """The root stack output holding the URI of the repository the pods run; None when
    ``kubernetes.image`` is a full image name (no ECR repository of this config)."""
    if cfg.ecr_repository(cfg.kubernetes.image) is None:
        return None
    return EcrOut.repository_uri(cfg.kubernetes.image)


def read_outputs(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(
            f"{path} not found: run `cfngen deploy` (or `cfngen outputs`) first, or render "
            "with --from-stack to read the stack's outputs, or --placeholder to check the "
            "manifests without a deployment"
        ) from None
    except (OSError, ValueError) as exc:
        raise RenderError(f"{path}: not a JSON object of stack outputs ({exc})") from None
    if not isinstance(data, dict):
        raise RenderError(f"{path}: not a JSON object of stack outputs")
    return {str(k): str(v) for k, v in data.items()}


def placeholder_outputs(cfg: Config) -> dict[str, str]:
    """Outputs shaped like a real deployment's, for validation without one."""
    key = outputs_key(cfg)
    if key is None:
        return {}
    registry = f"{PLACEHOLDER_ACCOUNT}.dkr.ecr.{cfg.region}.amazonaws.com"
    return {key: f"{registry}/{cfg.prefix}/{cfg.kubernetes.image}"}


def repository_uri(cfg: Config, outputs: Mapping[str, str], source: str) -> str:
    """The image name (no tag) the pods run: the ECR repository's URI from the stack
    outputs, or ``kubernetes.image`` itself when it is a full image name."""
    key = outputs_key(cfg)
    if key is None:
        return cfg.kubernetes.image
    uri = outputs.get(key, "")
    if not uri:
        raise RenderError(
            f"{source}: no output {key} (the URI of ECR repository "
            f"{cfg.kubernetes.image!r} from kubernetes.image); deploy the stacks with this "
            "config, then run `cfngen outputs`"
        )
    return uri


def labels(cfg: Config) -> dict[str, str]:
    """Labels on every object and pod (never on selectors, which are immutable)."""
    return {
        "app.kubernetes.io/part-of": cfg.name,
        "app.kubernetes.io/managed-by": "cfngen",
        "cfngen.io/environment": cfg.environment,
        **cfg.kubernetes.labels,
    }


def base_image(objects: list[kustomize.Doc]) -> str:
    """Image name (no tag) of the app container in the base: what the overlay replaces."""
    for d in objects:
        if d["kind"] == "Deployment" and d["metadata"]["name"] == APP:
            for c in d["spec"]["template"]["spec"]["containers"]:
                if c["name"] == APP:
                    return kustomize.split_image(c["image"])[0]
    raise RenderError(f"the base has no Deployment {APP!r} with a container {APP!r}")


def _deployment_patch(cfg: Config) -> list[dict[str, object]]:
    k = cfg.kubernetes
    c = "/spec/template/spec/containers/0"
    r = k.resources
    return [
        {"op": "test", "path": f"{c}/name", "value": APP},
        {"op": "replace", "path": f"{c}/ports/0/containerPort", "value": k.container_port},
        {"op": "replace", "path": f"{c}/readinessProbe/httpGet/path", "value": k.health_check_path},
        {"op": "replace", "path": f"{c}/livenessProbe/httpGet/path", "value": k.health_check_path},
        {
            "op": "replace",
            "path": f"{c}/resources",
            "value": {
                "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
                "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
            },
        },
    ]


def _hpa_patch(cfg: Config) -> list[dict[str, object]]:
    k = cfg.kubernetes
    return [
        {"op": "replace", "path": "/spec/minReplicas", "value": k.replicas},
        {"op": "replace", "path": "/spec/maxReplicas", "value": k.hpa.max_replicas},
        {
            "op": "replace",
            "path": "/spec/metrics/0/resource/target/averageUtilization",
            "value": k.hpa.cpu_utilization,
        },
    ]


def overlay(cfg: Config, base_image_name: str, repository: str) -> dict[str, object]:
    """The overlay kustomization: every per-environment value, nothing else."""
    image: dict[str, str] = {"name": base_image_name, "newName": repository}
    tag = cfg.kubernetes.tag
    image["digest" if is_digest(tag) else "newTag"] = tag

    def patch(kind: str, ops: list[dict[str, object]]) -> dict[str, object]:
        text = yaml.safe_dump(ops, sort_keys=False, default_flow_style=False)
        return {"target": {"kind": kind, "name": APP}, "patch": text}

    patches = [
        patch("Deployment", _deployment_patch(cfg)),
        patch("HorizontalPodAutoscaler", _hpa_patch(cfg)),
    ]
    if auto_mode.service_patch(cfg):
        patches.append(patch("Service", auto_mode.service_patch(cfg)))
    extra = [auto_mode.INGRESS_FILE] if auto_mode.ingress_objects(cfg) else []
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["base", *extra],
        "namespace": cfg.kube_namespace,
        "labels": [{"pairs": labels(cfg), "includeTemplates": True}],
        "images": [image],
        "patches": patches,
    }


def render(
    cfg: Config, outputs: Mapping[str, str], source: str, base: Path | None = None
) -> Manifests:
    """Build overlay + rendered YAML in a scratch folder; return the bytes. No cluster."""
    if not cfg.eks.enabled:
        raise RenderError(
            "eks.enabled is false: this config has no EKS cluster, so there are no "
            "Kubernetes manifests to render or apply"
        )
    base = base or default_base()
    if not (base / OVERLAY_FILE).is_file():
        raise RenderError(
            f"{base}/{OVERLAY_FILE} not found: run from the cfngen checkout or pass --base"
        )
    repository = repository_uri(cfg, outputs, source)
    files: dict[str, bytes] = {
        f"base/{p.name}": p.read_bytes() for p in sorted(base.iterdir()) if p.suffix == ".yaml"
    }
    base_name = base_image(kustomize.build(base))
    kust = overlay(cfg, base_name, repository)
    added = auto_mode.ingress_objects(cfg)
    if added:
        files[auto_mode.INGRESS_FILE] = (
            f"# The Ingress on EKS Auto Mode for {cfg.prefix}, written by `cfngen manifests "
            "render`.\n" + kustomize.dump(added)
        ).encode()
    files[OVERLAY_FILE] = (
        f"# Overlay for {cfg.prefix}, written by `cfngen manifests render`.\n"
        + yaml.dump(kust, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    ).encode()
    with tempfile.TemporaryDirectory(prefix="cfngen-kustomize-") as tmp:
        for name, data in files.items():
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_bytes(data)
        objects = kustomize.build(Path(tmp))
    label = "its built-in base" if base == BUILT_IN_BASE else f"{base.as_posix()}/"
    header = HEADER.format(base=label, prefix=cfg.prefix)
    files[RENDERED_FILE] = (header + kustomize.dump(objects)).encode()
    image = next(c["image"] for c in kustomize.containers(objects))
    return Manifests(files=files, objects=objects, image=image)


def write(manifests: Manifests, out: Path) -> None:
    """Replace ``out`` with the rendered files: built beside it, then swapped in."""
    out = out.resolve()
    if out.exists() and not (out / OVERLAY_FILE).exists() and any(out.iterdir()):
        raise RenderError(f"refusing to replace {out}: it was not written by cfngen")
    replace_folder(out, manifests.files)
