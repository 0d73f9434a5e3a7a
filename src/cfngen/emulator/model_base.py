"""What every emulator model shares: moto's model interface declared once, and small helpers.

moto finds CloudFormation models through ``CloudFormationModel.__subclasses__()``
and asks each for its type, its physical-name property and its ``Fn::GetAtt``
names. :class:`EmulatedModel` answers those from three class attributes, so a
model (here, in :mod:`cfngen.emulator.models` or :mod:`cfngen.emulator.fill_types`)
is a class with ``TYPE``, a create and, where needed, a delete.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar


def props(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    """A resource's ``Properties`` (an empty dict when it has none)."""
    return dict(cloudformation_json.get("Properties") or {})


def fake_id(*parts: str) -> str:
    """A stable id from the parts that make a resource unique (same input, same id)."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:17]


def tag_map(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` tags as a dict."""
    return {str(t["Key"]): str(t["Value"]) for t in tags or []}


class EmulatedModel:
    """What moto asks of every CloudFormation model, declared once.

    Mixed in *before* moto's ``CloudFormationModel`` so each model stays a direct
    subclass of it (moto lists models with ``__subclasses__()``). A model sets ``TYPE``,
    ``NAME_TYPE`` (the property that holds a physical name, if any), ``ATTRIBUTES``
    (the ``Fn::GetAtt`` names; None accepts any) and returns them from
    ``attribute_values``, or overrides ``get_cfn_attribute``.
    """

    TYPE: ClassVar[str]
    NAME_TYPE: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[frozenset[str] | None] = None

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.ATTRIBUTES is None or attr in cls.ATTRIBUTES

    def attribute_values(self) -> dict[str, Any]:
        return {}

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        values = self.attribute_values()
        if attribute_name not in values:
            raise ValueError(f"Unsupported attribute {attribute_name} of {self.TYPE}")
        return values[attribute_name]

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        """Remove the resource from its moto backend (moto calls this on stack delete)."""
        return None

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """Never reached: moto deletes through :meth:`delete`, which every model has."""
        return None
