"""`cfngen watch`: follow what runs on the platform's top-level stacks until it ends.

After Ctrl-C or a lost endpoint the operations a deploy or destroy started go on in
CloudFormation; watching again follows every top-level stack of the platform that is
busy: the root, and the service groups of a split platform (those the config generates
and those left from an earlier split), several at once, each in its own thread with its
own clients. It ends with one line per stack followed; exit 1 (with each failure's root
cause) if any ended in a failed state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from cfngen.config import Config
from cfngen.deploy import topology
from cfngen.deploy.parallel import in_parallel, own_aws
from cfngen.deploy.session import Aws, DeployError
from cfngen.deploy.stack import describe
from cfngen.deploy.status import in_progress, succeeded
from cfngen.deploy.watch import Printer, Stopped, root_cause, wait_until_idle


def watch(aws: Aws, cfg: Config, printer: Printer) -> int:
    """Follow every busy top-level stack to its end; 0 when all succeeded, else DeployError."""
    cfn = aws.client("cloudformation")
    root = describe(cfn, cfg.stack_name)
    stacks = ([root] if root else []) + topology.live_groups(cfn, cfg)
    if not stacks:
        raise DeployError(f"stack {cfg.stack_name} does not exist")
    busy = [s for s in stacks if in_progress(s["StackStatus"])]
    if not busy:
        for s in stacks:
            printer.say(f"stack {s['StackName']} is {s['StackStatus']}: nothing running")
        return 0 if all(succeeded(s["StackStatus"]) for s in stacks) else 1
    if len(busy) == 1:
        finals = {busy[0]["StackName"]: wait_until_idle(cfn, busy[0]["StackId"], printer)}
    else:
        finals = _at_once(aws, cfg, busy, printer)
    for name, final in finals.items():
        printer.say(f"stack {name}: {printer.paint(final)}")
    failed = [s for s in busy if not succeeded(finals[s["StackName"]])]
    if not failed:
        return 0
    raise DeployError("\n".join(_ended(cfn, s, finals[s["StackName"]]) for s in failed))


def _at_once(aws: Aws, cfg: Config, busy: list[dict[str, Any]], printer: Printer) -> dict[str, str]:
    """Follow several stacks, one thread each; their event lines are labelled as a
    deploy labels them (``root``, ``services-01/EcsServices03``)."""
    names = {topology.key_of(cfg, str(s["StackName"])): str(s["StackName"]) for s in busy}
    printer.say(f"following {len(busy)} top-level stacks at once: {', '.join(names.values())}")
    finals: dict[str, str] = {}
    jobs = [(key, _follow(aws, s, finals)) for key, s in zip(names, busy, strict=True)]
    try:
        results = in_parallel(jobs, printer, threading.Lock())
    except Stopped as exc:  # name the stacks, not the labels of their lines
        raise exc.naming(exc.running_as(names)) from None
    for key, (_, err) in results.items():
        if err:
            finals.setdefault(names[key], f"not followed: {err}")
    return {str(s["StackName"]): finals[str(s["StackName"])] for s in busy}


def _follow(
    aws: Aws, stack: Mapping[str, Any], finals: dict[str, str]
) -> Callable[[Printer], None]:
    """A thread's work: wait for one stack with clients of its own."""
    own = own_aws(aws)

    def job(printer: Printer) -> None:
        try:
            cfn = own.client("cloudformation")
            finals[str(stack["StackName"])] = wait_until_idle(cfn, stack["StackId"], printer)
        finally:
            own.close()

    return job


def _ended(cfn: Any, stack: Mapping[str, Any], final: str) -> str:
    """``stack X ended in ROLLBACK_COMPLETE; cause: ...``."""
    since = stack.get("LastUpdatedTime") or stack["CreationTime"]
    cause = root_cause(cfn, stack["StackId"], since)
    return f"stack {stack['StackName']} ended in {final}" + (f"; cause: {cause}" if cause else "")
