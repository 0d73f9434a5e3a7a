"""`cfngen stackset deploy|status|destroy`: the same templates across accounts and regions.

Targets and preferences come from the config's ``stackset:`` section; flags
override them. Deploy prints the difference between configured and existing
instances (add, update, remove) and asks before acting unless ``--yes``.
Exit codes: 0 done or nothing to change, 1 an operation failed beyond its
failure tolerance (or status found an instance not CURRENT), 2 bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cfngen.commands.common import (
    Command,
    UserError,
    add_aws_args,
    add_config_arg,
    info,
    load_config,
)

if TYPE_CHECKING:
    from cfngen.config import Config, StackSetConfig
    from cfngen.deploy.session import Aws


def _csv(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _status_arguments(a: argparse.ArgumentParser) -> None:
    add_config_arg(a)
    add_aws_args(a)
    a.add_argument(
        "--stack-set-name",
        metavar="NAME",
        help="default: stackset.name or <name>-<environment>",
    )


def _destroy_arguments(a: argparse.ArgumentParser) -> None:
    _status_arguments(a)
    a.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _add_preference_args(a)


def _deploy_arguments(a: argparse.ArgumentParser) -> None:
    _destroy_arguments(a)
    _add_target_args(a)


def _add_target_args(a: argparse.ArgumentParser) -> None:
    g = a.add_argument_group("targets (override the config's stackset section)")
    g.add_argument("--accounts", type=_csv, metavar="ID,ID", help="target account ids")
    g.add_argument("--regions", type=_csv, metavar="R,R", help="target regions")
    g.add_argument("--organizational-units", type=_csv, metavar="OU,OU", help="target OU ids")
    g.add_argument("--permission-model", choices=("self-managed", "service-managed"))


def _add_preference_args(a: argparse.ArgumentParser) -> None:
    g = a.add_argument_group("operation preferences (override stackset.preferences)")
    g.add_argument("--region-concurrency", choices=("SEQUENTIAL", "PARALLEL"))
    g.add_argument("--region-order", type=_csv, metavar="R,R")
    g.add_argument("--max-concurrent", metavar="N|P%", help="accounts at once per region")
    g.add_argument("--failure-tolerance", metavar="N|P%", help="failures tolerated per region")
    g.add_argument(
        "--concurrency-mode", choices=("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE")
    )


def settings(args: argparse.Namespace, cfg: Config) -> StackSetConfig:
    """The config's stackset section with flags applied, validated like the config."""
    from cfngen.config.validate_stackset import check_settings

    ss = cfg.stackset
    flags = {
        k: getattr(args, k, None)
        for k in ("accounts", "regions", "organizational_units", "permission_model")
    }
    ss = dataclasses.replace(ss, **{k: v for k, v in flags.items() if v is not None})
    prefs = ss.preferences
    pflags = {
        "region_concurrency": getattr(args, "region_concurrency", None),
        "region_order": getattr(args, "region_order", None),
        "max_concurrent": getattr(args, "max_concurrent", None),
        "failure_tolerance": getattr(args, "failure_tolerance", None),
        "concurrency_mode": getattr(args, "concurrency_mode", None),
    }
    prefs = dataclasses.replace(prefs, **{k: v for k, v in pflags.items() if v is not None})
    if args.stack_set_name:
        ss = dataclasses.replace(ss, name=args.stack_set_name)
    ss = dataclasses.replace(ss, preferences=prefs)
    problems = list(check_settings(ss))
    if problems:
        raise UserError("invalid stack set settings:\n" + "\n".join(f"  {p}" for p in problems))
    return ss


@contextmanager
def _errors() -> Iterator[None]:
    from cfngen.deploy.session import DeployError, aws_errors

    try:
        with aws_errors():
            yield
    except DeployError as exc:
        raise UserError(str(exc), exc.exit_code) from None


def _connect(args: argparse.Namespace, cfg: Config) -> Aws:
    from cfngen.deploy.session import connect

    return connect(args.profile, args.region, args.endpoint_url, cfg.region)


def _confirm(args: argparse.Namespace, question: str) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise UserError("not a terminal: pass --yes to go ahead without confirmation")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _say(text: str) -> None:
    print(text, flush=True)


def _one_operation(cfg: Config) -> None:
    """A stack set deploys one template per instance: a split platform is refused here."""
    from cfngen.deploy.topology import tops

    stacks = tops(cfg)
    if len(stacks) > 1:
        raise UserError(
            f"{cfg.stack_name} is split into {len(stacks)} top-level stacks (the root and "
            f"{len(stacks) - 1} service groups, ecs.operations), and a stack set instance is "
            "one stack: StackSets cannot pass the root's outputs to the groups. Keep the "
            "platform in one operation for StackSets (ecs.operations: single, at most 2,500 "
            "resources: fewer services per account), or deploy it with `cfngen deploy` in "
            "each account and region"
        )


def run_deploy(args: argparse.Namespace) -> int:
    from cfngen.deploy.package import upload_templates
    from cfngen.render import render
    from cfngen.stackset import operations as ops
    from cfngen.stackset import package, plan, preferences
    from cfngen.stackset.status import StackSetChange

    cfg = load_config(args.config)
    _one_operation(cfg)
    ss = settings(args, cfg)
    name = ss.name or cfg.stack_name
    if not ss.regions or not (ss.accounts or ss.organizational_units):
        raise UserError(
            "no targets: give --accounts (or --organizational-units) and --regions, "
            "or stackset.accounts and stackset.regions in the config"
        )
    rendered = render(cfg, ("json",))
    with _errors():
        import json

        package.check_permission_model(json.loads(rendered.files["root.json"]), ss.permission_model)
        aws = _connect(args, cfg)
        packaged = upload_templates(aws, cfg, rendered)
        info(f"templates in s3://{packaged.bucket} ({len(packaged.uploaded)} uploaded)")
        grant = package.read_grant_needed(aws, packaged.bucket, ss.accounts, ss.organization_id)
        desired = plan.desired_targets(ss)
        spec = ops.Spec(
            name=name,
            template_url=packaged.root_url,
            template=packaged.root,
            permission_model=ss.permission_model,
            parameters=dict(ss.parameters),
            tags={"cfngen:name": cfg.name, "cfngen:environment": cfg.environment, **cfg.tags},
            overrides={t: plan.overrides_for(ss, t) for t in desired},
            preferences=preferences.to_api(ss.preferences, ss.regions),
        )
        cfn = aws.client("cloudformation")
        current = ops.describe(cfn, name)
        if current is None:
            the_plan = plan.make_plan(desired, spec.overrides, [], StackSetChange.CREATE, [])
        else:
            diff = ops.changes(current, spec)
            change = StackSetChange.UPDATE if diff else StackSetChange.NONE
            the_plan = plan.make_plan(
                desired, spec.overrides, ops.existing(cfn, name), change, diff
            )
        if the_plan.empty and not grant:
            _say(f"stack set {name}: no changes ({len(desired)} instances up to date)")
            return 0
        _say(f"stack set {name}: {the_plan.summary()}")
        for line in the_plan.lines():
            _say(line)
        if grant:
            _say(f"  ~ bucket policy of {packaged.bucket}: the target accounts may read templates")
        if not _confirm(args, "Apply these changes?"):
            _say("cancelled; nothing changed")
            return 0
        if grant and package.grant_read(aws, packaged.bucket, ss.accounts, ss.organization_id):
            info(f"bucket policy of {packaged.bucket}: target accounts may read the templates")
        if the_plan.empty:
            _say(f"stack set {name}: no instance changes ({len(desired)} instances up to date)")
            return 0
        ok = ops.apply(cfn, spec, the_plan, _say)
        rows = ops.instances(cfn, name)
    for line in ops.table(rows):
        _say(line)
    if not ok:
        print("cfngen: a stack set operation failed beyond its failure tolerance", file=sys.stderr)
        return 1
    return 0


def run_status(args: argparse.Namespace) -> int:
    from cfngen.stackset import operations as ops
    from cfngen.stackset.status import InstanceStatus

    cfg = load_config(args.config)
    name = args.stack_set_name or cfg.stackset.name or cfg.stack_name
    with _errors():
        cfn = _connect(args, cfg).client("cloudformation")
        current = ops.describe(cfn, name)
        if current is None:
            raise UserError(f"no stack set {name}", 1)
        rows = ops.instances(cfn, name)
    _say(f"stack set {name}: {current.get('Status')}, {len(rows)} instances")
    for line in ops.table(rows):
        _say(line)
    return 0 if all(r.get("Status") == InstanceStatus.CURRENT for r in rows) else 1


def run_destroy(args: argparse.Namespace) -> int:
    from cfngen.stackset import operations as ops
    from cfngen.stackset import preferences

    cfg = load_config(args.config)
    ss = settings(args, cfg)
    name = ss.name or cfg.stack_name
    with _errors():
        cfn = _connect(args, cfg).client("cloudformation")
        if ops.describe(cfn, name) is None:
            _say(f"stack set {name}: does not exist; nothing to destroy")
            return 0
        rows = ops.instances(cfn, name)
        _say(f"stack set {name}: {len(rows)} instances to remove, then the stack set")
        for r in sorted(rows, key=lambda r: (r["Account"], r["Region"])):
            _say(f"  - remove {r['Account']} {r['Region']}")
        if not _confirm(args, "Destroy?"):
            _say("cancelled; nothing changed")
            return 0
        regions = tuple(dict.fromkeys(r["Region"] for r in rows))
        ok = ops.delete_all(cfn, name, preferences.to_api(ss.preferences, regions), _say)
    return 0 if ok else 1


DEPLOY_HELP = "create or update the stack set and add/update/remove instances to match"
STATUS_HELP = "per account and region: instance status and reason"
DESTROY_HELP = "remove every instance, then the stack set"
COMMAND = Command(
    "stackset",
    help="deploy the templates to many accounts and regions through CloudFormation StackSets",
    description="Create/update a stack set and its instances, show their status, destroy.",
    dest="stackset_command",
    metavar="ACTION",
    subcommands=(
        Command(
            "deploy",
            help=DEPLOY_HELP,
            description=DEPLOY_HELP,
            arguments=_deploy_arguments,
            run=run_deploy,
        ),
        Command(
            "status",
            help=STATUS_HELP,
            description=STATUS_HELP,
            arguments=_status_arguments,
            run=run_status,
        ),
        Command(
            "destroy",
            help=DESTROY_HELP,
            description=DESTROY_HELP,
            arguments=_destroy_arguments,
            run=run_destroy,
        ),
    ),
)
