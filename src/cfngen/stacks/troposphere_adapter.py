"""What cfngen takes from troposphere beyond its public API, in one place.

:mod:`cfngen.stacks.encode` writes a template's data without troposphere's
``to_dict`` walk, so it must run the checks ``to_dict`` runs on each object: the
required-property check is the private ``BaseAWSObject._validate_props`` (public
``validate`` only runs the per-type rules). That one private use lives here, for the
troposphere versions setup.cfg allows (written against 4.8, tested with 4.11); a
release that renames it fails every generate at this line, not somewhere inside a
builder, and the test holding ``encode`` equal to ``to_dict()`` on every example
config catches a change in what it checks.
"""

from __future__ import annotations

from troposphere import BaseAWSObject

WRITTEN_FOR = "troposphere>=4.8,<5 (tested with 4.11)"


def validate(obj: BaseAWSObject) -> None:
    """troposphere's own checks of one object, as ``to_dict`` runs them: required
    properties first, then the type's ``validate``."""
    obj._validate_props()
    obj.validate()
