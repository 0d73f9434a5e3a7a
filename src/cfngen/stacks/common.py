"""Small pure helpers shared by the stack builders."""

from __future__ import annotations

from typing import Any

from troposphere import Output, Parameter, Tags, Template

from cfngen.config import Config

TEMPLATE_VERSION = "2010-09-09"
# Optional CloudFormation properties collected before they are spread into a troposphere
# constructor (``Resource(title, **props)``); troposphere checks each value's type itself.
Props = dict[str, Any]


def new_template(cfg: Config, what: str) -> Template:
    t = Template(Description=f"cfngen {cfg.prefix}: {what}")
    t.set_version(TEMPLATE_VERSION)
    return t


def name_tags(cfg: Config, name: str) -> Tags:
    """A Name tag for the console; user tags come from the stack (CloudFormation propagates)."""
    return Tags(Name=f"{cfg.prefix}-{name}")


def add_output(t: Template, name: str, value: object, description: str) -> Output:
    return t.add_output(Output(name, Value=value, Description=description))


def add_parameter(t: Template, name: str, type_: str, description: str, **kw: object) -> Parameter:
    return t.add_parameter(Parameter(name, Type=type_, Description=description, **kw))
