"""`cfngen init`: a starter config from flags or a terminal, valid and lint-clean, never clobbering.

The flag space is covered with hypothesis (each generated config validates, generates,
says what the flags said, and is linted by cfn-lint, in batches to share its start-up);
the terminal is a real pseudo-terminal; "no terminal" is a stdin pipe left open, which
a prompt would block on.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfngen.cli import main
from cfngen.config import Config, load
from cfngen.lint import lint_files
from cfngen.render import render
from conftest import GUARD, ROOT

CFNGEN = str(Path(sys.executable).parent / "cfngen")
PROMPT_END = b"]: "


def _init(*args: str, cwd: Path, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CFNGEN, "init", *args], cwd=cwd, stdin=stdin, capture_output=True, text=True, timeout=GUARD
    )


# --------------------------------------------------------------------------- flags


def test_flags_write_a_config_that_validates_and_generates(tmp_path: Path) -> None:
    result = _init(
        "--name", "shop", "--region", "eu-west-1", "--services", "web:nginx,api:app",
        "--private", "--https", "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123",
        "--no-eks", cwd=tmp_path, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = tmp_path / "config" / "shop.yaml"  # the default place
    assert result.stderr.startswith(f"wrote {Path('config/shop.yaml')}: shop-dev in eu-west-1")
    cfg = load(path)
    assert [(s.name, s.image, s.tag) for s in cfg.ecs.services] == [
        ("web", "nginx", "0.1.0"),
        ("api", "app", "0.1.0"),
    ]
    assert [r.name for r in cfg.ecr.repositories] == ["nginx", "app"]
    assert cfg.ecs.services[0].is_routed is False and cfg.ecs.services[1].path_patterns
    assert cfg.network.private_subnets and cfg.alb.certificate_arn.endswith("abc-123")
    assert cfg.eks.enabled is False
    text = path.read_text()
    assert text.count("#") > 10  # it explains itself
    validated = subprocess.run(
        [CFNGEN, "validate", "--config", str(path)], capture_output=True, text=True, timeout=GUARD
    )
    assert validated.returncode == 0
    assert "2 ECS services, no EKS" in validated.stderr


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("name: keep\n")
    result = _init("--out", str(out), cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr == f"cfngen: {out} exists; pass --force to replace it\n"
    assert out.read_text() == "name: keep\n"
    forced = _init("--out", str(out), "--force", "--name", "new", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert load(out).name == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temporary left behind


def test_bad_flags_name_the_flag_and_write_nothing(tmp_path: Path) -> None:
    result = _init(
        "--name", "Shop!", "--services", "web:a:,x", "--azs", "9",
        "--https", "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        cwd=tmp_path, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "cfngen: init: no config written, 4 problems:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "--services", "--name", "--azs", "--https",
    ]  # fmt: skip
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("web", [("web", "web", "0.1.0")]),
        ("web:app:1.2.3", [("web", "app", "1.2.3")]),
        (
            "a:docker.io/library/nginx:1.27, b:reg.example.com:5000/x/y@sha256:" + "a" * 64,
            [("a", "docker.io/library/nginx:1.27", "latest"),  # a URI carries its own tag,
             ("b", "reg.example.com:5000/x/y@sha256:" + "a" * 64, "latest")],
        ),
    ],
)  # fmt: skip
def test_services_syntax(tmp_path: Path, spec: str, expected: list[tuple[str, str, str]]) -> None:
    result = _init("--services", spec, "--out", "c.yaml", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    cfg = load(tmp_path / "c.yaml")
    assert [(s.name, s.image, s.tag) for s in cfg.ecs.services] == expected


@pytest.mark.parametrize("spec", ["", ",", "web,", ":app", "web:", "web:app:"])
def test_services_that_cannot_be_read(tmp_path: Path, spec: str) -> None:
    result = _init("--services", spec, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr.splitlines()[1].startswith("  --services: ")
    assert list(tmp_path.iterdir()) == []


def test_the_ecs_only_example_is_what_init_writes(tmp_path: Path) -> None:
    """config/ecs-only.yaml says which init command wrote it; that command still does."""
    example = (ROOT / "config" / "ecs-only.yaml").read_text().split("\n", 2)
    result = _init(
        "--name", "shop",
        "--services", "web:public.ecr.aws/nginx/nginx-unprivileged:1.29-alpine,api:api",
        "--no-eks", "--out", "c.yaml", cwd=tmp_path, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "c.yaml").read_text() == example[2]


def test_no_flags_write_the_seed(tmp_path: Path) -> None:
    """init's defaults are the seed: the same templates as an empty config (and default.yaml)."""
    result = _init("--out", "c.yaml", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    seed = render(load(ROOT / "config" / "default.yaml")).files
    assert render(load(tmp_path / "c.yaml")).files == seed


# --------------------------------------------------------------------------- no terminal


def test_without_a_terminal_it_never_asks(tmp_path: Path) -> None:
    """stdin is an open pipe nobody writes to: a prompt would block until the timeout."""
    read, write = os.pipe()
    try:
        result = _init("--name", "ci", cwd=tmp_path, stdin=read)
    finally:
        os.close(read)
        os.close(write)
    assert result.returncode == 0, result.stderr
    assert "]: " not in result.stdout + result.stderr
    cfg = load(tmp_path / "config" / "ci.yaml")
    assert (cfg.region, cfg.eks.enabled, cfg.az_count()) == ("us-east-1", True, 2)


# --------------------------------------------------------------------------- terminal


class Terminal:
    """cfngen init on a pseudo-terminal: read up to each prompt, then type an answer."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [CFNGEN, "init", *args], cwd=cwd, stdin=slave, stdout=slave, stderr=slave
        )
        os.close(slave)
        self.screen = b""

    def _read(self) -> bytes:
        ready, _, _ = select.select([self.master], [], [], GUARD)
        assert ready, f"no output; screen so far:\n{self.screen.decode()}"
        try:
            return os.read(self.master, 4096)
        except OSError:  # the child closed the terminal
            return b""

    def prompt(self) -> str:
        """Everything up to the next question's prompt (which must come)."""
        start = len(self.screen)
        while not self.screen[start:].endswith(PROMPT_END):
            chunk = self._read()
            assert chunk, f"ended before a prompt:\n{self.screen.decode()}"
            self.screen += chunk
        return self.screen[start:].decode()

    def type(self, answer: str) -> None:
        os.write(self.master, answer.encode() + b"\n")

    def finish(self) -> tuple[int, str]:
        start = len(self.screen)
        while chunk := self._read():
            self.screen += chunk
        code = self.proc.wait(timeout=GUARD)
        os.close(self.master)
        return code, self.screen[start:].decode()


@contextmanager
def terminal(args: list[str], cwd: Path) -> Iterator[Terminal]:
    term = Terminal(args, cwd)
    try:
        yield term
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
            term.proc.wait()


def test_on_a_terminal_it_asks_what_no_flag_answered(tmp_path: Path) -> None:
    with terminal(["--region", "eu-west-1", "--no-eks"], tmp_path) as term:
        assert term.prompt().endswith("Name (prefix of every stack and resource) [cfngen]: ")
        term.type("Bad!")
        asked = term.prompt()
        assert "name: 'Bad!' is not allowed" in asked and asked.endswith("[cfngen]: ")
        term.type("shop")
        assert term.prompt().endswith("Environment [dev]: ")
        term.type("")  # the default
        assert "Services" in term.prompt()  # the region came from a flag: not asked
        term.type("web:public.ecr.aws/nginx/nginx:stable,api")
        assert "Availability zones (2-6) [2]: " in term.prompt()
        term.type("x")
        assert "'x': give a number" in term.prompt()
        term.type("3")
        assert "Private subnets" in term.prompt()
        term.type("y")
        assert "certificate ARN" in term.prompt()
        term.type("arn:aws:acm:us-east-1:123456789012:certificate/abc")  # wrong region
        assert "needs a certificate from eu-west-1" in term.prompt()
        term.type("arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        code, rest = term.finish()  # --no-eks answered the last question
    assert code == 0, rest
    assert "wrote config/shop.yaml: shop-dev in eu-west-1, 3 AZs, 2 ECS services" in rest
    cfg = load(tmp_path / "config" / "shop.yaml")
    assert [s.name for s in cfg.ecs.services] == ["web", "api"]
    assert (cfg.az_count(), bool(cfg.network.private_subnets), cfg.eks.enabled) == (3, True, False)
    assert cfg.alb.certificate_arn.startswith("arn:aws:acm:eu-west-1:")


def test_input_ending_at_a_prompt_writes_nothing(tmp_path: Path) -> None:
    with terminal([], tmp_path) as term:
        term.prompt()
        os.write(term.master, b"\x04")  # Ctrl-D: end of input
        code, rest = term.finish()
    assert code == 1
    assert "input ended before every question was answered; no config written" in rest
    assert list(tmp_path.iterdir()) == []


def test_no_input_asks_nothing_even_on_a_terminal(tmp_path: Path) -> None:
    with terminal(["--no-input", "--name", "quiet"], tmp_path) as term:
        code, rest = term.finish()
    assert code == 0, rest
    assert PROMPT_END.decode() not in rest
    assert load(tmp_path / "config" / "quiet.yaml").name == "quiet"


def test_a_bad_flag_stops_before_any_question(tmp_path: Path) -> None:
    with terminal(["--azs", "1"], tmp_path) as term:
        code, rest = term.finish()
    assert code == 2
    assert "--azs: network.availability_zones: 1 is not allowed" in rest and "]: " not in rest


# --------------------------------------------------------------------------- the flag space

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
URIS = [
    "public.ecr.aws/nginx/nginx:stable",
    "docker.io/library/httpd:2.4",
    "ghcr.io/acme/api",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app@sha256:" + "0" * 64,
]
NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
SERVICE = st.tuples(
    st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True),
    st.one_of(
        st.sampled_from(URIS),
        st.from_regex(r"[a-z][a-z0-9]{0,7}(:[0-9]\.[0-9]{1,2})?", fullmatch=True),
        st.just(""),  # NAME alone: a repository named like the service
    ),
)


@st.composite
def flag_sets(draw: st.DrawFn) -> list[str]:
    region = draw(st.sampled_from(REGIONS))
    services = draw(st.lists(SERVICE, min_size=1, max_size=4, unique_by=lambda s: s[0]))
    flags = [
        "--name", draw(NAMES), "--environment", draw(st.sampled_from(["dev", "prod", "qa1"])),
        "--region", region,
        "--services", ",".join(f"{n}:{i}" if i else n for n, i in services),
        "--azs", str(draw(st.integers(2, 6 if region == "us-east-1" else 3))),
        "--eks" if draw(st.booleans()) else "--no-eks",
    ]  # fmt: skip
    if draw(st.booleans()):
        flags.append("--private")
    if draw(st.booleans()):
        flags += ["--https", f"arn:aws:acm:{region}:123456789012:certificate/{draw(NAMES)}"]
    return flags


def _flag(flags: list[str], name: str) -> str:
    return flags[flags.index(name) + 1]


def _says_what_the_flags_said(cfg: Config, flags: list[str]) -> None:
    assert (cfg.name, cfg.environment, cfg.region) == (
        _flag(flags, "--name"), _flag(flags, "--environment"), _flag(flags, "--region"),
    )  # fmt: skip
    services = _flag(flags, "--services").split(",")
    assert [s.name for s in cfg.ecs.services] == [s.split(":")[0] for s in services]
    assert cfg.az_count() == int(_flag(flags, "--azs"))
    assert bool(cfg.network.private_subnets) == ("--private" in flags)
    assert cfg.alb.certificate_arn == (_flag(flags, "--https") if "--https" in flags else "")
    assert cfg.eks.enabled == ("--eks" in flags)


@settings(
    max_examples=int(os.environ.get("CFNGEN_INIT_EXAMPLES", "6")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(flag_sets(), min_size=1, max_size=5))
def test_every_flag_combination_validates_and_lints_clean(batch: list[list[str]]) -> None:
    """init exits 0, the config says what the flags said, and cfn-lint finds nothing."""
    with TemporaryDirectory(prefix="cfngen-init-") as tmp:
        templates: list[str] = []
        for i, flags in enumerate(batch):
            path = Path(tmp) / f"c{i}.yaml"
            assert main(["init", *flags, "--out", str(path), "--no-input"]) == 0
            cfg = load(path)
            _says_what_the_flags_said(cfg, flags)
            for name, data in render(cfg, ["yaml"]).files.items():
                target = Path(tmp) / f"t{i}" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                if "/" not in name:
                    templates.append(str(target))
        regions = sorted({_flag(flags, "--region") for flags in batch})
        findings = lint_files([Path(t) for t in templates], regions)
        assert [str(f) for f in findings] == []


def test_the_2026_hints_give_a_valid_platform_when_uncommented(tmp_path: Path) -> None:
    """Blue/green, Service Connect, Auto Mode and Pod Identity are one uncommented line each."""
    from cfngen.config import loads, notes

    result = _init("--out", "c.yaml", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "c.yaml").read_text()
    for hint in ("service_connect:", "deployment_strategy:", "auto_mode:", "pod_identity:"):
        (line,) = [x for x in text.splitlines() if x.lstrip().startswith(f"# {hint}")]
        text = text.replace(line, line.replace("# ", "", 1).split("   (")[0])
    cfg = loads(text.replace("[...]", "[arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]"))
    assert cfg.ecs.service_connect is not None and cfg.ecs.service_connect.namespace
    assert cfg.ecs.services[0].deployment_strategy == "blue_green"
    assert cfg.eks.auto_mode and cfg.kubernetes.pod_identity is not None
    assert not [n for n in notes(cfg) if "unused" in n]  # the written node group is the default
    assert render(cfg).files
