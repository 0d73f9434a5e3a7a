"""The part of kustomize cfngen's overlays use, in Python: rendering needs no kubectl.

Supported kustomization fields: ``resources`` (files and folders holding a
kustomization), ``namespace``, ``labels`` (``pairs``, ``includeTemplates``;
never selectors), ``images`` (``name``, ``newName``, ``newTag``, ``digest``) and
``patches`` given inline as JSON 6902 operations with a ``kind``/``name``
target. Anything else is refused with a pointer to ``kubectl kustomize``
rather than silently ignored. Transformers run in kustomize's order (patches,
namespace, labels, images) and the output is sorted like kustomize's legacy
order, so ``kubectl kustomize DIR`` yields the same objects (a test checks this
when kubectl is installed).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION = "kustomization.yaml"
SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}

# kustomize's legacy sort order (api/resid/gvk.go): these kinds first / last, in this order.
ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
    "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
    "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
    "StatefulSet", "CronJob", "PodDisruptionBudget",
)  # fmt: skip
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "PodSecurityPolicy",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass",
}  # fmt: skip
WORKLOADS_WITH_TEMPLATE = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

Doc = dict[str, Any]


class KustomizeError(Exception):
    """A kustomization this subset cannot build (or that is broken)."""


def build(folder: Path) -> list[Doc]:
    """The objects a kustomization folder produces, transformed and sorted."""
    return sort(_build(folder.resolve(), ()))


def load_kustomization(folder: Path) -> Doc:
    path = folder / KUSTOMIZATION
    try:
        k = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise KustomizeError(f"{path}: cannot read ({exc.strerror})") from None
    unknown = sorted(set(k) - SUPPORTED)
    if unknown:
        raise KustomizeError(
            f"{path}: {', '.join(unknown)} not supported by cfngen's kustomize subset "
            f"(supported: {', '.join(sorted(SUPPORTED))}); build it with `kubectl kustomize`"
        )
    return k


def _build(folder: Path, seen: tuple[Path, ...]) -> list[Doc]:
    if folder in seen:
        raise KustomizeError(f"{folder}: kustomization includes itself")
    k = load_kustomization(folder)
    docs: list[Doc] = []
    for entry in k.get("resources", []):
        path = (folder / entry).resolve()
        if path.is_dir():
            docs.extend(_build(path, (*seen, folder)))
        else:
            docs.extend(_read_objects(path))
    for patch in k.get("patches", []):
        _apply_patch(docs, patch, folder)
    if "namespace" in k:
        _set_namespace(docs, k["namespace"])
    for entry in k.get("labels", []):
        if entry.get("includeSelectors"):
            raise KustomizeError(f"{folder}: labels.includeSelectors is not supported")
        _add_labels(docs, entry.get("pairs", {}), bool(entry.get("includeTemplates")))
    for image in k.get("images", []):
        _set_image(docs, image)
    return docs


def _read_objects(path: Path) -> list[Doc]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KustomizeError(f"{path}: cannot read ({exc.strerror})") from None
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "metadata" not in d:
            raise KustomizeError(f"{path}: every document must be a Kubernetes object")
    return docs


# --------------------------------------------------------------------------- transformers


def _apply_patch(docs: list[Doc], patch: Doc, folder: Path) -> None:
    target = patch.get("target") or {}
    if set(target) - {"kind", "name"} or "patch" not in patch:
        raise KustomizeError(
            f"{folder}: only inline JSON 6902 patches with a kind/name target are supported"
        )
    ops = yaml.safe_load(patch["patch"])
    matched = [
        d
        for d in docs
        if d["kind"] == target.get("kind", d["kind"])
        and d["metadata"].get("name") == target.get("name", d["metadata"].get("name"))
    ]
    if not matched:
        raise KustomizeError(f"{folder}: patch target {target} matches no object")
    for d in matched:
        for op in ops:
            json_patch(d, op)


def _set_namespace(docs: list[Doc], namespace: str) -> None:
    for d in docs:
        if d["kind"] == "Namespace":
            d["metadata"]["name"] = namespace
        elif d["kind"] not in CLUSTER_SCOPED:
            d["metadata"]["namespace"] = namespace


def _add_labels(docs: list[Doc], pairs: dict[str, str], templates: bool) -> None:
    for d in docs:
        d["metadata"].setdefault("labels", {}).update(pairs)
        if templates and d["kind"] in WORKLOADS_WITH_TEMPLATE:
            meta = d["spec"]["template"].setdefault("metadata", {})
            meta.setdefault("labels", {}).update(pairs)


def split_image(image: str) -> tuple[str, str]:
    """('registry/path', ':tag' or '@digest' or '') — a port in the registry is not a tag."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def _set_image(docs: list[Doc], entry: Doc) -> None:
    for container in containers(docs):
        name, suffix = split_image(container["image"])
        if name != entry["name"]:
            continue
        name = entry.get("newName", name)
        if "digest" in entry:
            suffix = "@" + entry["digest"]
        elif "newTag" in entry:
            suffix = ":" + str(entry["newTag"])
        container["image"] = name + suffix


def containers(docs: list[Doc]) -> Iterator[Doc]:
    for d in docs:
        spec = d.get("spec", {})
        if d["kind"] == "Pod":
            pod = spec
        elif d["kind"] == "CronJob":
            pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        elif d["kind"] in WORKLOADS_WITH_TEMPLATE:
            pod = spec["template"]["spec"]
        else:
            continue
        yield from pod.get("initContainers", [])
        yield from pod.get("containers", [])


# --------------------------------------------------------------------------- JSON 6902


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"JSON patch path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _step(node: Any, key: str, path: str) -> Any:
    try:
        return node[int(key)] if isinstance(node, list) else node[key]
    except (KeyError, IndexError, ValueError):
        raise KustomizeError(f"JSON patch path {path!r}: {key!r} does not exist") from None


def json_patch(doc: Doc, op: Doc) -> None:
    """Apply one RFC 6902 operation (add, replace, remove, test) to ``doc`` in place."""
    path = op["path"]
    *parents, last = _pointer(path)
    node: Any = doc
    for key in parents:
        node = _step(node, key, path)
    kind = op["op"]
    if kind == "test":
        if _step(node, last, path) != op["value"]:
            raise KustomizeError(f"JSON patch test failed at {path!r}")
    elif kind == "remove":
        _step(node, last, path)
        del node[int(last) if isinstance(node, list) else last]
    elif kind == "replace":
        _step(node, last, path)
        node[int(last) if isinstance(node, list) else last] = copy.deepcopy(op["value"])
    elif kind == "add":
        value = copy.deepcopy(op["value"])
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), value)
        else:
            node[last] = value
    else:
        raise KustomizeError(
            f"JSON patch op {kind!r} is not supported (add, replace, remove, test)"
        )


# --------------------------------------------------------------------------- output order


def _sort_key(d: Doc) -> tuple[int, str, str, str]:
    kind = d["kind"]
    if kind in ORDER_FIRST:
        rank, gvk = ORDER_FIRST.index(kind), ""
    elif kind in ORDER_LAST:
        rank, gvk = len(ORDER_FIRST) + 1 + ORDER_LAST.index(kind), ""
    else:
        group_version = d.get("apiVersion", "")
        group, _, version = group_version.rpartition("/")
        rank, gvk = len(ORDER_FIRST), f"{group}_{version}_{kind}"
    meta = d["metadata"]
    return rank, gvk, meta.get("namespace", ""), meta.get("name", "")


def sort(docs: list[Doc]) -> list[Doc]:
    return sorted(docs, key=_sort_key)


def dump(docs: list[Doc]) -> str:
    """Multi-document YAML with sorted keys, like ``kubectl kustomize`` prints it."""
    return "---\n".join(
        yaml.safe_dump(d, sort_keys=True, default_flow_style=False, width=1000) for d in docs
    )
