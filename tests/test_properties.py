"""Properties over the whole config space, with configs drawn by :mod:`strategies`.

For every valid config a user could write: ``validate`` accepts it, ``generate`` exits 0,
every template is inside CloudFormation's and the ALB's quotas (measured here from the
written files, independently of cfngen.stacks.quotas), keeps the security guarantees of
issue 11 (:func:`assert_secure`), cfn-lint reports nothing (on a
sample: it is slow), and a second run writes the same bytes. For every invalid variant:
exit 2, a message naming the key path at ``file:line:col``, no traceback, the output
folder untouched. Random edits either build cleanly or are refused that way.

``make test`` runs the ``ci`` profile (fixed seed, few examples); ``make fuzz`` the
``fuzz`` profile (hundreds, random seed). See tests/conftest.py.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutations
from cfngen.cli import main
from cfngen.config import load
from cfngen.lint import lint_files
from cfngen.naming import logical_id
from conftest import GUARD, ROOT, tree
from strategies import configs, covered

QUOTAS = {"Resources": 500, "Parameters": 200, "Outputs": 200}
TEMPLATE_BYTES = 1_000_000
LOCATED = re.compile(r"^  \S+?:\d+:\d+: \S")
PROFILE = settings().max_examples


def cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(list(args))
    return code, err.getvalue()


def _write(folder: Path, text: bytes) -> Path:
    path = folder / "config.yaml"
    path.write_bytes(text)
    return path


def _templates(out: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}


def assert_within_quotas(out: Path) -> None:
    """CloudFormation's and the ALB's quotas, measured on the files as written."""
    templates = _templates(out)
    for path in [*out.glob("*.json"), *out.glob("*.yaml")]:
        assert path.stat().st_size <= TEMPLATE_BYTES, path.name
    stack_tags = {"cfngen:managed-by"}  # the deployer's, on the root stack
    for res in templates["root"]["Resources"].values():
        stack_tags |= {t["Key"] for t in res["Properties"].get("Tags", [])}
    for name, data in templates.items():
        for section, limit in QUOTAS.items():
            assert len(data.get(section, {})) <= limit, (name, section)
        assert len(data.get("Description", "").encode()) <= 1024, name
        rules: dict[str, int] = {}
        for lid, res in data["Resources"].items():
            assert len(lid) <= 255
            props = res.get("Properties", {})
            own = {t["Key"] for t in props.get("Tags", []) if isinstance(t, dict)}
            assert len(stack_tags | own) <= 50, (name, lid)
            if res["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule":
                listener = props["ListenerArn"]["Ref"]
                rules[listener] = rules.get(listener, 0) + 1
                values = [
                    v for c in props["Conditions"] for k, cfg in c.items()
                    if k.endswith("Config") for v in cfg["Values"]
                ]  # fmt: skip
                assert len(values) <= 5, lid
        assert all(count <= 100 for count in rules.values()), rules
        groups = [r for r in data["Resources"].values() if r["Type"].endswith("::TargetGroup")]
        assert len(groups) <= 100


def _policy_arns(resource: dict[str, Any]) -> str:
    return json.dumps(resource.get("Properties", {}).get("ManagedPolicyArns", []))


def assert_secure(out: Path, config: Path) -> None:
    """What issue 11 guarantees, in every config (the rehearsal tests show it through the APIs
    for the examples): every security group declares its egress, the load balancer's only to
    task groups, allow-all egress only where a service's ``egress`` asks for it; no role
    attaches the CNI's or the read-all ECR managed policy; every key refuses grants that are
    not for AWS resources; with ``ecs.log_encryption: kms`` every log group has the key."""
    cfg = load(config)
    asked = {
        f"{logical_id(svc.name)}TaskSecurityGroup"
        for svc in cfg.ecs.services
        if any(r.protocol == "all" and r.cidr == "0.0.0.0/0" for r in svc.egress)
    }
    for name, data in _templates(out).items():
        for lid, res in data["Resources"].items():
            props = res.get("Properties", {})
            if res["Type"] == "AWS::EC2::SecurityGroup":
                egress = props["SecurityGroupEgress"]
                assert egress, (name, lid)
                if lid.endswith("LoadBalancerSecurityGroup"):
                    # Sharded: one rule for no traffic; each service's stack adds its own.
                    assert all(
                        set(r) >= {"DestinationSecurityGroupId"}
                        or r.get("CidrIp") == "255.255.255.255/32"
                        for r in egress
                    )
            if res["Type"] == "AWS::EC2::SecurityGroupEgress":
                assert "DestinationSecurityGroupId" in props, (name, lid)
                open_all = any(
                    str(r["IpProtocol"]) == "-1" and r.get("CidrIp") == "0.0.0.0/0" for r in egress
                )
                assert open_all == (lid in asked), (name, lid)
            if res["Type"] == "AWS::IAM::Role":
                arns = _policy_arns(res)
                assert "AmazonEKS_CNI_Policy" not in arns and "RegistryReadOnly" not in arns, lid
            if res["Type"] == "AWS::KMS::Key":
                statements = props["KeyPolicy"]["Statement"]
                assert any(s.get("Sid") == "GrantsOnlyForAwsResources" for s in statements), lid
            if res["Type"] == "AWS::Logs::LogGroup" and cfg.ecs.log_encryption == "kms":
                assert "KmsKeyId" in props, (name, lid)


def lint(out: Path, region: str) -> list[str]:
    """cfn-lint in-process on every template (the root follows its children: E3043), through
    cfngen's linter, which loads cfn-lint's rules once per process."""
    findings = lint_files(sorted(out.glob("*.json")), [region])
    return [f"{f.rule} {Path(f.file).name}: {f.message}" for f in findings]


@given(data=configs())
def test_a_valid_config_validates_generates_fits_and_is_deterministic(data: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = _write(Path(tmp), mutations.dump(data))
        code, err = cli("validate", "-c", str(config))
        assert code == 0, err
        first, second = Path(tmp) / "a", Path(tmp) / "b"
        for out in (first, second):
            code, err = cli("generate", "-q", "-c", str(config), "-o", str(out))
            assert code == 0, err
        assert tree(first) == tree(second)
        assert_within_quotas(first)
        assert_secure(first, config)


@settings(max_examples=max(2, PROFILE // 10))
@given(data=configs(max_services=3))
def test_a_valid_config_lints_clean(data: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = _write(Path(tmp), mutations.dump(data))
        out = Path(tmp) / "out"
        code, err = cli("generate", "-q", "--format", "json", "-c", str(config), "-o", str(out))
        assert code == 0, err
        assert lint(out, load(config).region) == []


def _refused_cleanly(config: Path, out: Path, before: dict[str, bytes]) -> str:
    code, err = cli("generate", "-c", str(config), "-o", str(out))
    assert code == 2, err
    assert "Traceback" not in err
    assert tree(out) == before  # the output folder is untouched
    problems = err.splitlines()[1:]
    assert problems and all(LOCATED.match(line) for line in problems), err
    return err


def _names(err: str, path: str) -> bool:
    """Some problem names ``path`` or a value inside it (``path[0]`` when a list's item has
    the wrong type), or names its leaf under one of its ancestors."""
    leaf = re.split(r"[.\[]", path)[-1].rstrip("]")
    for line in err.splitlines()[1:]:
        shown = line.split(": ", 2)[1].removesuffix(" (default)")
        if shown == path or shown.startswith((path + "[", path + ".")):
            return True
        if path.startswith(shown) and leaf in line:
            return True
    return False


def test_a_count_turned_into_a_list_is_refused_naming_the_item(tmp_path: Path) -> None:
    """``availability_zones`` takes a count or a list of names: ``[2]`` is the right shape with
    an item of the wrong type, so the problem names the item (found by ``make fuzz``)."""
    config = _write(tmp_path, b"network:\n  availability_zones:\n  - 2\n")
    out = tmp_path / "out"
    out.mkdir()
    err = _refused_cleanly(config, out, tree(out))
    assert _names(err, "network.availability_zones"), err
    assert "network.availability_zones[0]: 2 was read as a number" in err, err


@given(st.data())
def test_an_invalid_variant_exits_2_naming_the_key(data: st.DataObject) -> None:
    mutant = data.draw(mutations.invalid(data.draw(configs())))
    with tempfile.TemporaryDirectory() as tmp:
        config = _write(Path(tmp), mutant.text)
        out = Path(tmp) / "out"
        out.mkdir()
        (out / "root.json").write_text("{}\n")
        err = _refused_cleanly(config, out, tree(out))
        if mutant.path:
            assert _names(err, mutant.path), (mutant.kind, mutant.path, err)
        assert mutant.fragment in err, (mutant.kind, err)


@given(st.data())
def test_a_random_edit_builds_clean_or_is_refused_cleanly(data: st.DataObject) -> None:
    original = data.draw(configs())
    text = data.draw(mutations.random(original))
    with tempfile.TemporaryDirectory() as tmp:
        config = _write(Path(tmp), text)
        out = Path(tmp) / "out"
        out.mkdir()
        (out / "root.json").write_text("{}\n")
        before = tree(out)
        valid, _ = cli("validate", "-c", str(config))
        if valid != 0:
            _refused_cleanly(config, out, before)
            return
        code, err = cli("generate", "-q", "-c", str(config), "-o", str(out))
        assert code == 0, err
        assert_within_quotas(out)
        if data.draw(st.integers(0, 9)) == 0:  # cfn-lint is slow: one accepted edit in ten
            assert lint(out, load(config).region) == []


SUBPROCESS_CASES = {
    "wrong type": b"ecs:\n  services:\n    - {name: web, image: app, cpu: [256]}\n",
    "not UTF-8": b"name: shop\ntags: {owner: Jos\xe9}\n",
    "duplicate key": b"name: a\nname: b\n",
    "alias bomb": b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + b"".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n".encode()
        for n, p in zip("bcdefg", "abcdef", strict=True)
    ),
    "huge string": b"name: " + b"a" * 10000 + b"\n",
    "unknown key": b"network: {flow_log: true}\n",
}


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=list(SUBPROCESS_CASES))
def test_the_real_entry_point_refuses_without_a_traceback(case: str, tmp_path: Path) -> None:
    config = _write(tmp_path, SUBPROCESS_CASES[case])
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-c", str(config), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and f"{config}:" in result.stderr
    assert not out.exists()


def test_strategies_cover_the_schema() -> None:
    """Every config key is drawn by the strategies (or left to its default with a reason):
    a key added to the schema fails here until the strategies draw it."""
    assert covered() == []
