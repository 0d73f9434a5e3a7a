"""cfripper filters: allow what a resource's ``Metadata.cfripper`` names, with its reason.

cfripper reads no suppressions from templates; its convention is filter files
(``--rules-filters-folder``). This one makes it honour cfngen's: a resource whose
``Metadata.cfripper`` maps a rule name to a reason is allowed for that rule only.
Loaded by cfripper itself (``scripts/rulesets.py`` passes this folder).
"""

from cfripper.config.filter import Filter
from cfripper.model.enums import RuleMode
from cfripper.rules import DEFAULT_RULES

FILTERS = [
    Filter(
        reason="suppressed in the resource's Metadata.cfripper, with the reason there",
        rule_mode=RuleMode.ALLOWED,
        eval={"exists": {"ref": f"resource.Metadata.cfripper.{rule}"}},
        rules={rule},
    )
    for rule in DEFAULT_RULES
]
