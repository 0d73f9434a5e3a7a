"""The plan between two generated template sets, without AWS: ``cfngen diff --against DIR``.

For pull-request review: the templates a branch generates against the ones ``main``
generated (or the committed ``templates/``), compared with the same rules as a rehearsal's
change sets (:mod:`cfngen.resource_diff`): each changed property path with its value
before and after, replacements from create-only properties and what depends on them,
across the nested stacks the root names by relative ``TemplateURL``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cfngen.deploy.topology import GROUP_KEY, relabel
from cfngen.preview.templates import TemplateSet
from cfngen.resource_diff import ResourceChange, TemplateTree, diff_tree

NESTED_TYPE = "AWS::CloudFormation::Stack"
ROOT = "root"


class TemplateSetError(Exception):
    """A folder that does not hold a generated template set; one line for the user."""


def _parse(name: str, data: bytes) -> dict[str, Any]:
    if name.endswith(".json"):
        return dict(json.loads(data))
    from cfngen.cfnyaml import loads

    return loads(data.decode("utf-8"))


def read_dir(folder: Path) -> dict[str, dict[str, Any]]:
    """Template name (``root``, ``network`` ...) -> template, JSON preferred over YAML."""
    if not folder.is_dir():
        raise TemplateSetError(f"--against {folder}: no such folder")
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.iterdir(), key=lambda p: (p.suffix != ".json", p.name)):
        if path.suffix not in (".json", ".yaml", ".yml") or path.stem in out:
            continue
        try:
            out[path.stem] = _parse(path.name, path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise TemplateSetError(f"--against {path}: not a template ({exc})") from None
    if ROOT not in out:
        raise TemplateSetError(
            f"--against {folder}: no root.json or root.yaml (give a folder `cfngen generate` wrote)"
        )
    return out


def from_files(files: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    """The rendered files of :func:`cfngen.render.render` as name -> template."""
    return {
        name.removesuffix(".json"): dict(json.loads(data))
        for name, data in files.items()
        if name.endswith(".json") and "/" not in name
    }


def _child(res: Mapping[str, Any]) -> str:
    """The template name a nested stack's relative TemplateURL points at."""
    url = str((res.get("Properties") or {}).get("TemplateURL", ""))
    return url.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def template_set(
    templates: Mapping[str, Mapping[str, Any]], region: str, top: str = ROOT
) -> TemplateSet:
    """The folder's tree under ``top`` as the previews (cost) read a deployment."""
    return TemplateSet.build(
        templates[top], lambda _path, _lid, res: templates.get(_child(res)), region
    )


def tree(templates: Mapping[str, Mapping[str, Any]], name: str = ROOT) -> TemplateTree:
    """The template named ``name`` with its nested stacks (relative TemplateURLs) below it."""
    template = templates[name]
    children: dict[str, TemplateTree] = {}
    for lid, res in (template.get("Resources") or {}).items():
        if res.get("Type") != NESTED_TYPE:
            continue
        child = _child(res)
        if child in templates and child != name:
            children[lid] = tree(templates, child)
    return TemplateTree(template, children=children)


def plan(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    region: str,
    tops: Sequence[str] = (ROOT,),
) -> list[ResourceChange]:
    """Every change from the ``old`` template set to the ``new`` one.

    ``tops`` are the new set's top-level templates (a split platform's ``services-GG``
    beside ``root``); a group only the old set has is planned as removed.
    """
    keys = dict.fromkeys([*tops, *sorted(k for k in old if GROUP_KEY.fullmatch(k))])
    out: list[ResourceChange] = []
    for key in keys:
        before = tree(old, key) if key in old else TemplateTree({})
        after = tree(new, key) if key in new else TemplateTree({})
        changes = list(diff_tree(before, after, region).changes)
        out.extend(changes if key == ROOT else relabel(changes, key))
    return out
