"""`cfngen package`: upload the templates (content-addressed) and write the packaged root."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import add_output_arg, run_with
from cfngen.commands.common import Command, add_aws_args, add_config_arg

if TYPE_CHECKING:
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)
    add_output_arg(p)


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy.package import upload_templates, write_packaged
    from cfngen.deploy.topology import tops
    from cfngen.render import render

    def body(aws: Aws, cfg: Config) -> int:
        rendered = render(cfg, ("json",))
        stacks = tops(cfg, rendered)
        packaged = upload_templates(aws, cfg, rendered, tops=[t.key for t in stacks[1:]])
        path = write_packaged(packaged, args.output_dir, cfg.environment)
        unchanged = len(packaged.urls) - len(packaged.uploaded)
        print(f"uploaded {len(packaged.uploaded)}, unchanged {unchanged} (s3://{packaged.bucket})")
        print(f"packaged root: {path}")
        if len(stacks) > 1:
            print(f"1. {stacks[0].name} (the platform root: create it first)")
        print(f"template URL:  {packaged.root_url}")
        print(f"quick-create:  {packaged.quick_create_link(cfg.stack_name)}")
        for number, top in enumerate(stacks[1:], start=2):
            print(
                f"{number}. {top.name} (after {stacks[0].name} is complete; paste these "
                f"outputs of {stacks[0].name} as parameters: "
                + ", ".join(p if p == o else f"{p} <- {o}" for p, o in sorted(top.inputs.items()))
                + ")"
            )
            print(f"template URL:  {packaged.tops[top.key]}")
            print(f"quick-create:  {packaged.quick_create_link(top.name, top.key)}")
        return 0

    return run_with(args, body)


COMMAND = Command(
    "package",
    help="upload the templates to S3 and write the packaged root template",
    description=(
        "Render the templates, upload each one to S3 under a key made from the hash of "
        "its bytes (HEAD first: unchanged templates are never uploaded again), write the "
        "root with S3 TemplateURLs to DIR/<environment>/root.packaged.json and print its "
        "URL and a console quick-create link. The bucket is created when missing. A split "
        "platform gets one link per top-level stack, in the order to create them: the root, "
        "then each service group (its parameters are the root outputs named beside it)."
    ),
    arguments=_arguments,
    run=run,
)
