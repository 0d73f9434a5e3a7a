"""Console friendliness: ``AWS::CloudFormation::Interface`` groups and labels.

Each child template can be launched on its own from the console or a StackSet; its
parameters are grouped by the stack that normally provides them, with readable
labels, and every pattern-constrained parameter says what it expects.
"""

from __future__ import annotations

import re

from troposphere import Template

from cfngen.contracts import IamOut, NetworkOut


def _members(cls: type) -> set[str]:
    return {v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str)}


GROUPS = (
    ("Network (outputs of the network stack)", _members(NetworkOut)),
    ("IAM roles (outputs of the iam stack)", _members(IamOut)),
)
IMAGES = "Images (ECR repository URIs and tags)"
CONSTRAINT = "must match {pattern}"
ACRONYMS = {
    w.lower(): w for w in ("ARN", "URI", "ID", "IDs", "ECS", "EKS", "ECR", "VPC", "CIDR", "DNS")
}


def label(name: str) -> str:
    """`EcsTaskExecutionRoleArn` -> `Ecs task execution role ARN`."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*", name)
    text = " ".join(ACRONYMS.get(w.lower(), w.lower()) for w in words)
    return text[:1].upper() + text[1:]


def add_interface(t: Template) -> Template:
    if not t.parameters:
        return t
    groups: dict[str, list[str]] = {}
    for name in sorted(t.parameters):
        param = t.parameters[name]
        pattern = param.properties.get("AllowedPattern")
        if pattern and "ConstraintDescription" not in param.properties:
            param.ConstraintDescription = CONSTRAINT.format(pattern=pattern)
        group = next((g for g, members in GROUPS if name in members), None)
        if group is None:
            is_image = name.endswith(("RepositoryUri", "ImageTag"))
            group = IMAGES if is_image else "Settings"
        groups.setdefault(group, []).append(name)
    order = [g for g, _ in GROUPS] + [IMAGES, "Settings"]
    t.set_metadata(
        {
            **t.metadata,
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [
                    {"Label": {"default": g}, "Parameters": groups[g]} for g in order if g in groups
                ],
                "ParameterLabels": {n: {"default": label(n)} for n in sorted(t.parameters)},
            },
        }
    )
    return t


__all__ = ["add_interface", "label"]
