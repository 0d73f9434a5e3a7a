"""Small pure helpers shared by the stack builders."""

from __future__ import annotations

from typing import Any, TypeVar

from troposphere import BaseAWSObject, Output, Parameter, Tags, Template

from cfngen.config import Config

TEMPLATE_VERSION = "2010-09-09"
POLICY_VERSION = "2012-10-17"  # the IAM policy language every policy document states
# Optional CloudFormation properties collected before they are spread into a troposphere
# constructor (``Resource(title, **props)``); troposphere checks each value's type itself.
Props = dict[str, Any]

R = TypeVar("R", bound=BaseAWSObject)
Out = TypeVar("Out", bound=Output)
P = TypeVar("P", bound=Parameter)


class UncappedTemplate(Template):
    """A troposphere Template without troposphere's own copy of CloudFormation's quotas.

    troposphere raises a bare ValueError at the 501st resource, mid-build, naming no
    config key. cfngen builds the whole template instead and :mod:`cfngen.stacks.quotas`
    measures it, so an oversized config is refused with the key that made it grow and
    the real count.
    """

    def add_resource(self, resource: R) -> R:  # type: ignore[override]  # one object, never a list
        return self._update(self.resources, resource)

    def add_output(self, output: Out) -> Out:  # type: ignore[override]  # one object, never a list
        return self._update(self.outputs, output)

    def add_parameter(self, parameter: P) -> P:  # type: ignore[override]  # one object, never a list
        return self._update(self.parameters, parameter)


# cfn-lint's informational rules that every template fails on purpose (cfn-lint reads the
# template's Metadata.cfn-lint.config; the reasons stand beside it under Metadata.cfngen).
LINT_IGNORED = {
    "I1022": "Fn::Join with an empty delimiter is how troposphere's builders join "
    "references; Fn::Sub would only change the notation",
    "I4010": "experimental: asks for a com.aws.cloudformation.Context block for AI "
    "tooling; the Description and the README's architecture section say what each stack is",
}


def new_template(cfg: Config, what: str) -> Template:
    t = UncappedTemplate(Description=f"cfngen {cfg.prefix}: {what}")
    t.set_version(TEMPLATE_VERSION)
    t.set_metadata(
        {
            "cfn-lint": {"config": {"ignore_checks": sorted(LINT_IGNORED)}},
            "cfngen": {"cfn-lint ignore_checks": LINT_IGNORED},
        }
    )
    return t


def name_tags(cfg: Config, name: str) -> Tags:
    """A Name tag for the console; user tags come from the stack (CloudFormation propagates)."""
    return Tags(Name=f"{cfg.prefix}-{name}")


def add_output(t: Template, name: str, value: object, description: str) -> Output:
    return t.add_output(Output(name, Value=value, Description=description))


def add_parameter(t: Template, name: str, type_: str, description: str, **kw: object) -> Parameter:
    return t.add_parameter(Parameter(name, Type=type_, Description=description, **kw))
