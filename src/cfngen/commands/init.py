"""`cfngen init`: write a commented starter config, from flags or by asking on a terminal.

Flags answer the questions for CI; on a terminal (stdin and stdout both), whatever no
flag answered is asked, each answer checked by the config rules before the next
question. Without a terminal nothing is ever asked: defaults stand in. The file is
written only when the whole config validates, never over an existing file without
--force, and atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from cfngen import __version__
from cfngen.commands.aws_command import interactive
from cfngen.commands.common import FILE, Command, UserError, completes, info, plural
from cfngen.starter import (
    MAX_AZS,
    MIN_AZS,
    AnswerError,
    Answers,
    format_services,
    parse_services,
    problems,
    starter_yaml,
)

T = TypeVar("T")
EXIT_FAILED = 1

# Which config keys each question fills in (a key, or a section ending in "."): a problem
# whose key path is one of them is that answer's.
KEYS = {
    "name": ("name",),
    "environment": ("environment",),
    "region": ("region",),
    "services": ("ecs.", "ecr."),
    "azs": ("network.",),
    "certificate_arn": ("alb.certificate_arn",),
}
FLAGS = {
    "name": "--name",
    "environment": "--environment",
    "region": "--region",
    "services": "--services",
    "azs": "--azs",
    "certificate_arn": "--https",
}


def _arguments(p: argparse.ArgumentParser) -> None:
    d = Answers()
    p.add_argument("--name", help=f"prefix of every stack and named resource (default: {d.name})")
    p.add_argument("--environment", help=f"environment name (default: {d.environment})")
    p.add_argument("--region", help=f"AWS region (default: {d.region})")
    p.add_argument(
        "--services",
        metavar="NAME[:IMAGE],...",
        help="ECS services, comma-separated. IMAGE with a '/' is a full image URI "
        "(registry/path[:tag|@sha256:digest]); without, an ECR repository the config "
        "creates, REPOSITORY[:TAG] (tag default 0.1.0); NAME alone uses a repository named "
        f"like the service. The first service takes the requests no other's path matches; "
        f"each other one gets /NAME and /NAME/*. Default: {format_services(d.services)}",
    )
    p.add_argument(
        "--azs",
        type=int,
        metavar="N",
        help=f"availability zones, {MIN_AZS}-{MAX_AZS} (default: {d.azs})",
    )
    p.add_argument(
        "--private",
        action="store_true",
        default=None,
        help="private subnets for the tasks and nodes, with a NAT gateway per AZ "
        "(default: public subnets only)",
    )
    p.add_argument(
        "--https",
        metavar="CERT_ARN",
        dest="certificate_arn",
        help="ACM certificate ARN (same region): HTTPS on 443, port 80 redirects "
        "(default: HTTP only)",
    )
    p.add_argument(
        "--eks",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="an EKS cluster with a managed node group beside ECS (default: --eks)",
    )
    out = p.add_argument(
        "--out",
        "-o",
        type=Path,
        metavar="FILE",
        help="where to write the config (default: config/<name>.yaml)",
    )
    completes(out, FILE)
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument(
        "--no-input",
        action="store_true",
        help="ask nothing, even on a terminal: what no flag gives takes its default",
    )


def _given(args: argparse.Namespace) -> set[str]:
    """The questions a flag answered."""
    return {q.key for q in QUESTIONS if getattr(args, q.key) is not None}


def _flag_answers(args: argparse.Namespace) -> tuple[Answers, list[str]]:
    """The defaults with whatever the flags say, and the flags that cannot be read."""
    given: dict[str, Any] = {k: getattr(args, k) for k in _given(args) if k != "services"}
    unreadable = []
    if args.services is not None:
        try:
            given["services"] = parse_services(args.services)
        except AnswerError as exc:
            unreadable.append(f"{FLAGS['services']}: {exc}")
    return replace(Answers(), **given), unreadable


def _owner(problem: str) -> str | None:
    """The question a config problem is about (its key path leads the message)."""
    path = problem.split(":", 1)[0]
    for question, keys in KEYS.items():
        if any(path == k or (k.endswith(".") and path.startswith(k)) for k in keys):
            return question
    return None


def _report(found: list[str], unreadable: Sequence[str] = ()) -> UserError:
    """One line per problem, each led by the flag whose answer it is about."""
    lines = [f"  {u}" for u in unreadable]
    for problem in found:
        owner = _owner(problem)
        lines.append(f"  {FLAGS[owner]}: {problem}" if owner else f"  {problem}")
    count = plural(len(lines), "problem")
    return UserError(f"init: no config written, {count}:\n" + "\n".join(lines))


def _ask_until_valid(
    prompt: str,
    default: T,
    shown: str,
    read: Callable[[str], T],
    check: Callable[[T], list[str]],
) -> T:
    """Ask until the answer reads and the config rules accept it; empty takes the default."""
    while True:
        try:
            text = input(f"{prompt} [{shown}]: ").strip()
        except EOFError:
            raise UserError(
                "init: input ended before every question was answered; no config written",
                EXIT_FAILED,
            ) from None
        try:
            value = read(text) if text else default
        except (AnswerError, ValueError) as exc:
            print(f"  {exc}")
            continue
        found = check(value)
        if not found:
            return value
        for problem in found:
            print(f"  {problem}")


def _count(text: str) -> int:
    if not text.isdigit():
        raise AnswerError(f"{text!r}: give a number")
    return int(text)


def _yes_no(text: str) -> bool:
    if text.lower() in ("y", "yes"):
        return True
    if text.lower() in ("n", "no"):
        return False
    raise AnswerError(f"{text!r}: answer y or n")


@dataclass(frozen=True)
class Question:
    """One thing `init` asks: which answer it fills, how to read and show it."""

    key: str
    prompt: str
    read: Callable[[str], Any]
    show: Callable[[Any], str] = str


def _yes_no_shown(value: bool) -> str:
    return "y" if value else "n"


QUESTIONS = (
    Question("name", "Name (prefix of every stack and resource)", str),
    Question("environment", "Environment", str),
    Question("region", "AWS region", str),
    Question("services", "Services, NAME[:IMAGE] separated by commas", parse_services,
             format_services),
    Question("azs", f"Availability zones ({MIN_AZS}-{MAX_AZS})", _count),
    Question("private", "Private subnets and NAT gateways for the tasks and nodes? (y/n)",
             _yes_no, _yes_no_shown),
    Question("certificate_arn", "HTTPS: ACM certificate ARN (empty: HTTP only)", str),
    Question("eks", "An EKS cluster as well? (y/n)", _yes_no, _yes_no_shown),
)  # fmt: skip


def _with(answers: Answers, key: str, value: Any) -> Answers:
    return replace(answers, **{key: value})


def _problems_of(answers: Answers, keys: set[str]) -> list[str]:
    """What the rules say about the answers to ``keys``, with the others as they stand."""
    return [p for p in problems(starter_yaml(answers, __version__)) if _owner(p) in keys]


def _interview(answers: Answers, given: set[str]) -> Answers:
    """Ask, in order, every question no flag answered; each answer is checked at once.

    An answer must also suit what the flags said (a certificate in the chosen region),
    since those cannot be asked again.
    """
    for q in QUESTIONS:
        if q.key not in given:
            answers = _with(answers, q.key, _ask(q, answers, given))
    return answers


def _ask(q: Question, answers: Answers, given: set[str]) -> Any:
    def check(value: Any) -> list[str]:
        return _problems_of(_with(answers, q.key, value), {q.key, *given})

    default = getattr(answers, q.key)
    return _ask_until_valid(q.prompt, default, q.show(default), q.read, check)


def _write(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise UserError(f"{path} exists; pass --force to replace it")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name with --out")
    tmp = path.with_name(f".{path.name}.cfngen-init.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror}", EXIT_FAILED) from None


def _summary(a: Answers) -> str:
    parts = [
        f"{a.name}-{a.environment} in {a.region}",
        plural(a.azs, "AZ"),
        plural(len(a.services), "ECS service"),
        "private subnets" if a.private else "public subnets",
        "HTTPS" if a.certificate_arn else "HTTP",
        "EKS" if a.eks else "no EKS",
    ]
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    (answers, unreadable), given = _flag_answers(args), _given(args)
    if interactive() and not args.no_input:
        found = _problems_of(answers, given)  # bad flags first: they are not asked again
        if found or unreadable:
            raise _report(found, unreadable)
        answers = _interview(answers, given)
    text = starter_yaml(answers, __version__)
    found = problems(text)
    if found or unreadable:
        raise _report(found, unreadable)
    path = args.out or Path("config") / f"{answers.name}.yaml"
    _write(path, text, args.force)
    info(f"wrote {path}: {_summary(answers)}")
    info(f"next: cfngen validate --config {path}")
    info(f"      cfngen generate --config {path} --out build/{answers.name}")
    return 0


COMMAND = Command(
    "init",
    help="write a commented starter config (asks on a terminal; flags for CI)",
    description=(
        "Write a starter config that validates and generates lint-clean templates, with "
        "comments on what each part does. Flags answer the questions; on a terminal the "
        "others are asked (--no-input: never). Without a terminal nothing is asked and "
        "defaults stand in. An existing file is replaced only with --force."
    ),
    epilog="Exit codes: 0 written, 1 cannot write, 2 bad answer or the file exists.",
    arguments=_arguments,
    run=run,
)
