"""`cfngen preflight`: the read-only checks deploy and diff run first, on their own."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfngen.commands.aws_command import run_with
from cfngen.commands.common import Command, add_aws_args, add_config_arg

if TYPE_CHECKING:  # boto3 loads only when the command runs, not for every cfngen command
    from cfngen.config import Config
    from cfngen.deploy.session import Aws


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    add_aws_args(p)


def run(args: argparse.Namespace) -> int:
    from cfngen.deploy import preflight
    from cfngen.deploy.session import EXIT_USAGE, DeployError
    from cfngen.deploy.topology import subtree, tops
    from cfngen.render import Rendered, render

    def body(aws: Aws, cfg: Config) -> int:
        rendered = render(cfg, ("json",))
        stacks = tops(cfg, rendered)
        findings = []
        for top in stacks:
            files = Rendered(subtree(rendered.files, top.key)) if len(stacks) > 1 else rendered
            others = [t.name for t in stacks if t is not top]
            result = preflight.run(aws, cfg, files, top.name, others)
            for note in result.notes:
                print(note if top.is_root else f"{note} ({top.name})")
            findings.extend(result.findings)
        if findings:
            raise DeployError(preflight.report(findings), EXIT_USAGE)
        more = f" and its {len(stacks) - 1} service group stacks" if len(stacks) > 1 else ""
        print(
            f"preflight: {cfg.stack_name}{more} in {aws.region}: {len(preflight.CHECKS)} "
            "checks, no problems (nothing was created)"
        )
        return 0

    return run_with(args, body)


COMMAND = Command(
    "preflight",
    help="check, read-only, what a deploy would fail on (region, AZs, certificate, EKS, quotas)",
    description=(
        "Ask the services, with Describe/Get/List calls only, what CloudFormation would "
        "otherwise find minutes into a deploy: the region is enabled; the AZs asked for "
        "exist; the ACM certificate exists, is ISSUED and is in the region; the EKS "
        "version and the node instance types are offered in the chosen AZs; no fixed "
        "name (ECR repository, log group, bucket, IAM role) is taken outside this stack "
        "(names an earlier stack of it kept are adopted, not reported); VPC, Elastic IP, "
        "NAT gateway and load balancer quotas leave room. deploy and diff run the same "
        "checks first."
    ),
    epilog="Exit codes: 0 no problem, 1 a call failed, 2 bad input or a finding (one line each).",
    arguments=_arguments,
    run=run,
)
