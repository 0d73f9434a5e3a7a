"""The 2026 platform keys: every bad value named, every accepted combination built lint-clean.

``ecs.services[].deployment_strategy`` (+ ``bake_time_minutes``, ``test_listener_port``,
``lifecycle_hooks``), ``alb.test_ingress_cidrs``, ``ecs.service_connect``,
``eks.auto_mode``, ``kubernetes.pod_identity`` and ``kubernetes.ingress``: a table of
refused values (key path, value, what is allowed), the properties that matter in the
built templates, and hypothesis over the space of accepted combinations, linted by
cfn-lint. What they do once deployed is proven through the APIs in test_platform_2026.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfngen.cli import main
from cfngen.config import ConfigError, loads
from cfngen.lint import lint
from cfngen.stacks import root
from cfngen.stacks.eks_access import effective_addons

IMG = "public.ecr.aws/nginx/nginx"
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:check"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        loads(text)
    return err.value.problems


def templates(text: str) -> dict[str, dict[str, Any]]:
    return {lid: t.to_dict() for lid, t in root.build_children(loads(text)).items()}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def svc(extra: str = "", name: str = "web") -> str:
    return f"{{name: {name}, image: {IMG}{', ' + extra if extra else ''}}}"


def blue_green(extra: str = "") -> str:
    """An ecs section with one blue/green service (plus ``extra`` keys)."""
    keys = "deployment_strategy: blue_green" + (f", {extra}" if extra else "")
    return f"ecs: {{services: [{svc(keys)}]}}"


def statement(fields: str) -> str:
    return f"kubernetes: {{pod_identity: {{policy_statements: [{{{fields}}}]}}}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"ecs: {{services: [{svc('deployment_strategy: canary')}]}}",
            "ecs.services[0].deployment_strategy: 'canary' is not allowed; use one of rolling, "
            "blue_green",
        ),
        (
            blue_green("bake_time_minutes: 1441"),
            "ecs.services[0].bake_time_minutes: 1441 is out of range; use 0-1440",
        ),
        (
            f"ecs: {{services: [{svc('test_listener_port: 8081')}]}}",
            "ecs.services[0].test_listener_port: only used with deployment_strategy: blue_green",
        ),
        (
            blue_green("test_listener_port: 443"),
            "ecs.services[0].test_listener_port: 443 is a production listener port",
        ),
        (
            blue_green("test_listener_port: 70000"),
            "ecs.services[0].test_listener_port: 70000 is not a port; use 1-65535",
        ),
        (
            f"ecs: {{services: [{svc(f'lifecycle_hooks: [{{function_arn: {HOOK}}}]')}]}}",
            "ecs.services[0].lifecycle_hooks: only run with deployment_strategy: blue_green",
        ),
        (
            blue_green("lifecycle_hooks: [{function_arn: my-fn}]"),
            "ecs.services[0].lifecycle_hooks[0].function_arn: 'my-fn' is not a Lambda function ARN",
        ),
        (
            "ecs: {services: ["
            + svc(
                "deployment_strategy: blue_green, lifecycle_hooks: [{function_arn: "
                "'arn:aws:lambda:eu-west-1:123456789012:function:x'}]"
            )
            + "]}",
            "ecs.services[0].lifecycle_hooks[0].function_arn: the function is in eu-west-1; "
            "ECS in us-east-1 invokes hooks of us-east-1 only",
        ),
        (
            blue_green(f"lifecycle_hooks: [{{function_arn: {HOOK}, stages: [BAKE]}}]"),
            "ecs.services[0].lifecycle_hooks[0].stages[0]: 'BAKE' is not allowed; use one of",
        ),
        (
            blue_green(f"lifecycle_hooks: [{{function_arn: {HOOK}, stages: []}}]"),
            "ecs.services[0].lifecycle_hooks[0].stages: the list is empty",
        ),
        (
            blue_green("autoscaling: {min: 1, max: 4, requests_per_target: 50}"),
            "ecs.services[0].autoscaling.requests_per_target: counts requests of one target group",
        ),
        (
            "ecs: {services: ["
            + svc("deployment_strategy: blue_green")
            + ", "
            + svc("path_patterns: [/api/*], priority: 50000", "api")
            + "]}",
            "ecs.services[1].priority: 50000 is taken by the catch-all rule",
        ),
        (
            "alb: {test_ingress_cidrs: [10.0.0.0/33]}\n"
            f"ecs: {{services: [{svc('deployment_strategy: blue_green')}]}}",
            "alb.test_ingress_cidrs[0]: '10.0.0.0/33' is not a valid network CIDR",
        ),
        (
            "ecs: {service_connect: {namespace: 'bad name'}}",
            "ecs.service_connect.namespace: 'bad name' is not a Cloud Map namespace name",
        ),
        ("ecs: {service_connect: {}}", "ecs.service_connect.namespace: required key is missing"),
        (
            "eks: {auto_mode: true, addons: [{name: kube-proxy}]}",
            "eks.addons[0].name: kube-proxy runs built into every EKS Auto Mode node",
        ),
        (
            "kubernetes: {ingress: {enabled: true}}",
            "kubernetes.ingress.enabled: true needs eks.auto_mode: true",
        ),
        (
            "eks: {auto_mode: true}\nkubernetes: {ingress: {enabled: true, scheme: internal}}",
            "kubernetes.ingress.scheme: internal puts the load balancer in private subnets",
        ),
        (
            "eks: {auto_mode: true}\nkubernetes: {ingress: {enabled: true, host: 'a b'}}",
            "kubernetes.ingress.host: 'a b' is not a host name",
        ),
        (
            "kubernetes: {pod_identity: {}}",
            "kubernetes.pod_identity: the role would have no permissions",
        ),
        (
            "kubernetes: {pod_identity: {managed_policy_arns: [ReadOnlyAccess]}}",
            "kubernetes.pod_identity.managed_policy_arns[0]: 'ReadOnlyAccess' is not a managed "
            "policy ARN",
        ),
        (
            "kubernetes: {pod_identity: {managed_policy_arns: "
            "['arn:aws:iam::aws:policy/AdministratorAccess']}}",
            "kubernetes.pod_identity.managed_policy_arns[0]: AdministratorAccess gives the pods "
            "every permission",
        ),
        (
            "kubernetes: {pod_identity: {managed_policy_arns: ["
            + ", ".join(f"'arn:aws:iam::aws:policy/P{i}'" for i in range(11))
            + "]}}",
            "kubernetes.pod_identity.managed_policy_arns: 11 policies; IAM attaches at most 10",
        ),
        (
            statement("actions: ['*'], resources: ['*']"),
            "kubernetes.pod_identity.policy_statements[0].actions[0]: '*' allows every action",
        ),
        (
            statement("actions: [s3 get], resources: ['*']"),
            "kubernetes.pod_identity.policy_statements[0].actions[0]: 's3 get' is not an IAM",
        ),
        (
            statement("actions: [s3:GetObject], resources: [bucket]"),
            "kubernetes.pod_identity.policy_statements[0].resources[0]: 'bucket' is neither '*' "
            "nor an ARN",
        ),
        (
            statement("actions: [s3:GetObject]"),
            "kubernetes.pod_identity.policy_statements[0].resources: required key is missing",
        ),
        (
            "kubernetes: {pod_identity: {policy_statements: [{actions: [s3:GetObject], "
            "resources: ['*'], conditions: {StringEqualz: {aws:SourceVpc: vpc-1}}}]}}",
            "kubernetes.pod_identity.policy_statements[0].conditions.StringEqualz: not an IAM "
            "condition operator",
        ),
        (
            "kubernetes: {pod_identity: {policy_statements: [{actions: [s3:GetObject], "
            "resources: ['*'], sid: A}, {actions: [s3:PutObject], resources: ['*'], sid: A}]}}",
            "kubernetes.pod_identity.policy_statements[1].sid: 'A' is also the sid of statement 0",
        ),
        (
            "kubernetes: {pod_identity: {policy_statements: [{actions: [s3:GetObject], resources: ["
            + ", ".join(f"'arn:aws:s3:::bucket-{i:04d}/*'" for i in range(400))
            + "]}]}}",
            "kubernetes.pod_identity.policy_statements: the inline policy is",
        ),
    ],
)
def test_bad_values_are_named(text: str, expected: str) -> None:
    found = problems(text)
    assert any(p.startswith(expected) for p in found), found


LOCATED = """\
ecs:
  service_connect: {namespace: 'bad name'}
  services:
    - name: web
      image: public.ecr.aws/nginx/nginx
      deployment_strategy: blue_green
      bake_time_minutes: 2000
eks:
  auto_mode: true
  addons: [{name: kube-proxy}]
kubernetes:
  pod_identity:
    policy_statements:
      - {actions: ['*'], resources: [bucket]}
  ingress: {enabled: true, scheme: internal}
"""


def test_the_cli_points_at_each_bad_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """file:line:col of the value itself, exit 2, nothing written, for every new key at once."""
    config = tmp_path / "c.yaml"
    config.write_text(LOCATED)
    out = tmp_path / "out"
    for command in (["validate"], ["generate", "-o", str(out)]):
        assert main([*command, "-c", str(config)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        located = [line.strip().split(": ", 2)[:2] for line in err.splitlines()[1:]]
        assert sorted(located) == sorted(
            [
                [f"{config}:7:26", "ecs.services[0].bake_time_minutes"],
                [f"{config}:2:32", "ecs.service_connect.namespace"],
                [f"{config}:10:19", "eks.addons[0].name"],
                [f"{config}:15:36", "kubernetes.ingress.scheme"],
                [f"{config}:14:20", "kubernetes.pod_identity.policy_statements[0].actions[0]"],
                [f"{config}:14:38", "kubernetes.pod_identity.policy_statements[0].resources[0]"],
            ]
        ), err
    assert not out.exists()


def test_service_connect_peer_ports_count_against_the_group_quota() -> None:
    many = ", ".join(svc(f"container_port: {8000 + i}", f"s{i}") for i in range(12))
    rules = ", ".join(f"{{cidr: 10.{i}.0.0/16, port: 5432}}" for i in range(50))
    text = (
        "ecs: {service_connect: {namespace: shop.internal}, services: ["
        + many.replace("{name: s0, ", f"{{name: s0, egress: [{rules}], ", 1)
        + "]}"
    )
    found = problems(text)
    assert any(
        p.startswith("ecs.services[0].egress: 's0' needs 64 outbound rules (3 defaults, 50 "
                     "listed, 11 Service Connect peer ports)")
        for p in found
    ), found  # fmt: skip


def test_blue_green_default_service_routes_through_a_catch_all_rule() -> None:
    t = templates(
        "ecs: {services: ["
        + svc("deployment_strategy: blue_green")
        + ", "
        + svc("path_patterns: [/api/*]", "api")
        + "]}"
    )["EcsAlb"]
    listener = t["Resources"]["HttpListener"]["Properties"]
    assert listener["DefaultActions"][0]["Type"] == "fixed-response"  # the rule takes the traffic
    rule = t["Resources"]["WebListenerRule"]["Properties"]
    assert rule["Priority"] == 50000
    assert rule["Conditions"][0]["PathPatternConfig"]["Values"] == ["/*"]
    forward = rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
    assert [g["Weight"] for g in forward] == [100, 0]
    assert forward[1]["TargetGroupArn"] == {"Ref": "WebAlternateTargetGroup"}
    api = t["Resources"]["ApiListenerRule"]["Properties"]  # rolling: a plain forward, unchanged
    assert api["Actions"] == [{"TargetGroupArn": {"Ref": "ApiTargetGroup"}, "Type": "forward"}]
    test = t["Resources"]["TestListener8080"]["Properties"]
    assert (test["Port"], test["Protocol"]) == (8080, "HTTP")
    service = t["Resources"]["WebService"]["Properties"]
    assert service["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
    assert service["DeploymentConfiguration"]["BakeTimeInMinutes"] == 15  # ECS's own default


def test_https_test_listeners_use_the_production_certificate() -> None:
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    t = templates(
        f"alb: {{certificate_arn: '{cert}'}}\n"
        f"ecs: {{services: [{svc('deployment_strategy: blue_green')}]}}"
    )["EcsAlb"]
    test = t["Resources"]["TestListener8443"]["Properties"]
    assert (test["Protocol"], test["Certificates"]) == ("HTTPS", [{"CertificateArn": cert}])
    ingress = t["Resources"]["LoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {(r["FromPort"], r["CidrIp"]) for r in ingress if r["FromPort"] == 8443} == {
        (8443, "10.0.0.0/16")  # the VPC by default, not the internet
    }


def test_rolling_services_are_unchanged_by_the_new_keys() -> None:
    """The seed's ecs-alb stack has no alternate group, test listener or Cloud Map."""
    t = templates("")["EcsAlb"]
    kinds = {r["Type"] for r in t["Resources"].values()}
    assert "AWS::ServiceDiscovery::HttpNamespace" not in kinds
    assert not [k for k in t["Resources"] if "Alternate" in k or k.startswith("TestListener")]
    service = t["Resources"]["WebService"]["Properties"]
    assert "Strategy" not in service["DeploymentConfiguration"]
    assert "ServiceConnectConfiguration" not in service


def test_pod_identity_without_auto_mode_brings_the_agent_even_with_irsa_for_the_cni() -> None:
    text = (
        "eks: {pod_identity: false, oidc_provider: true}\n"
        "kubernetes: {pod_identity: {managed_policy_arns: "
        "['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']}}"
    )
    cfg = loads(text)
    assert [a.name for a in effective_addons(cfg)] == ["vpc-cni", "eks-pod-identity-agent"]
    eks = templates(text)["Eks"]
    (assoc,) = resources(eks, "AWS::EKS::PodIdentityAssociation").values()
    assert assoc["Properties"]["ServiceAccount"] == "app"
    assert assoc["Properties"]["RoleArn"] == {"Fn::GetAtt": ["EksAppRole", "Arn"]}
    # the agent may be pinned by listing it now, since the app needs it
    loads(text.replace("oidc_provider: true", "oidc_provider: true, addons: "
                       "[{name: eks-pod-identity-agent, version: v1.3.4-eksbuild.1}]"))  # fmt: skip


def test_auto_mode_cluster_has_all_three_capabilities_and_no_node_group() -> None:
    t = templates("eks: {auto_mode: true}")
    eks, iam = t["Eks"], t["Iam"]
    cluster = eks["Resources"]["Cluster"]["Properties"]
    assert cluster["ComputeConfig"]["Enabled"] is True
    assert cluster["ComputeConfig"]["NodePools"] == ["general-purpose", "system"]
    assert cluster["StorageConfig"] == {"BlockStorage": {"Enabled": True}}
    assert cluster["KubernetesNetworkConfig"] == {"ElasticLoadBalancing": {"Enabled": True}}
    assert cluster["BootstrapSelfManagedAddons"] is False
    assert not resources(eks, "AWS::EKS::Nodegroup")
    assert not resources(eks, "AWS::EKS::Addon")
    assert "EksNodeGroupName" not in eks["Outputs"]
    assert "EksVpcCniRole" not in iam["Resources"]


def test_ingress_renders_only_on_auto_mode() -> None:
    from cfngen.kube import auto_mode

    assert auto_mode.ingress_objects(loads("")) == []
    assert auto_mode.service_patch(loads("")) == []
    objects = auto_mode.ingress_objects(
        loads(
            "eks: {auto_mode: true}\nkubernetes: {namespace: shop, ingress: {enabled: true, "
            "certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/x'}}"
        )
    )
    kinds = [o["kind"] for o in objects]
    assert kinds == ["IngressClassParams", "IngressClass", "Ingress"]
    assert objects[0]["spec"]["certificateARNs"] == [
        "arn:aws:acm:us-east-1:123456789012:certificate/x"
    ]
    assert "host" not in objects[2]["spec"]["rules"][0]


# --------------------------------------------------------------------------- the space

names = st.sampled_from(["web", "api", "jobs", "admin", "search"])


@st.composite
def platform(draw: st.DrawFn, index: int) -> str:
    """A config using the new keys in any accepted combination."""
    chosen = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    default = draw(st.sampled_from([None, *chosen]))
    services = []
    for i, name in enumerate(chosen):
        fields = [
            f"name: {name}",
            f"image: {IMG}",
            f"container_port: {draw(st.sampled_from([80, 8080, 9000]))}",
        ]
        if name != default:
            fields.append(f"path_patterns: [/{name}/*]")
        if draw(st.booleans()):
            fields.append("deployment_strategy: blue_green")
            if draw(st.booleans()):
                fields.append(f"bake_time_minutes: {draw(st.integers(0, 1440))}")
            if draw(st.booleans()):
                fields.append(f"test_listener_port: {draw(st.sampled_from([8080, 9090, 10443]))}")
            if draw(st.booleans()):
                stages = draw(st.lists(st.sampled_from(["PRE_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT",
                                                        "POST_PRODUCTION_TRAFFIC_SHIFT"]),
                                       min_size=1, max_size=2, unique=True))  # fmt: skip
                hook = f"{{function_arn: '{HOOK}{i}', stages: [{', '.join(stages)}]}}"
                fields.append(f"lifecycle_hooks: [{hook}]")
        services.append("{" + ", ".join(fields) + "}")
    lines = [f"name: p{index}", "ecs:", f"  services: [{', '.join(services)}]"]
    if draw(st.booleans()):
        lines.append("  service_connect: {namespace: p.internal}")
    if draw(st.booleans()):
        lines.append("alb: {certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/c'}")
    auto = draw(st.booleans())
    lines.append(f"eks: {{auto_mode: {str(auto).lower()}}}")
    kube = []
    if draw(st.booleans()):
        kube.append(  # the agent, role and association in every variant
            "pod_identity: {managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']"
            ", policy_statements: [{actions: [sqs:SendMessage], resources: ['*']}]}"
        )
    if auto and draw(st.booleans()):
        kube.append("ingress: {enabled: true}")
    if kube:
        lines.append("kubernetes: {" + ", ".join(kube) + "}")
    return "\n".join(lines) + "\n"


@settings(max_examples=6, deadline=None)
@given(st.tuples(platform(0), platform(1), platform(2)))
def test_accepted_combinations_generate_lint_clean(texts: tuple[str, str, str]) -> None:
    """Three configs per run, linted together (one cfn-lint start-up for all three)."""
    configs = [(f"p{i}", loads(text)) for i, text in enumerate(texts)]
    report = lint(configs, [], [])
    assert [str(f) for f in report.findings] == [], texts


def test_ingress_class_params_are_checked_against_their_schema() -> None:
    """kubernetes-validate has no schema for the CRD: cfngen's own check catches a typo."""
    from cfngen.kube.auto_mode import ingress_objects
    from cfngen.kube.check import custom_problems

    cfg = loads("eks: {auto_mode: true}\nkubernetes: {ingress: {enabled: true}}")
    objects = ingress_objects(cfg)
    assert custom_problems(objects, "ok") == []
    objects[0]["spec"]["schema"] = "internet-facing"  # a typo of "scheme"
    objects[0]["spec"]["scheme"] = "public"
    found = custom_problems(objects, "bad")
    assert any("spec/scheme: 'public' is not one of" in p for p in found), found
    assert any("'schema' was unexpected" in p for p in found), found


def test_wildcards_in_resource_arns_are_accepted_as_iam_does() -> None:
    """Found by the fuzz: IAM takes ``*`` in an ARN's region and account."""
    cfg = loads(statement("actions: [kms:Decrypt], resources: ['arn:aws:kms:*:*:key/*']"))
    assert cfg.kubernetes.pod_identity is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "eks: {auto_mode: true, node_group: {min_size: 2}}",
            ["eks.node_group: unused with eks.auto_mode: true (EKS starts and stops the nodes "
             "for the pods); remove it"],
        ),
        ("eks: {enabled: false, auto_mode: true}",
         ["eks.auto_mode: unused with eks.enabled: false (no cluster)"]),
        (
            "eks: {enabled: false}\nkubernetes: {ingress: {enabled: true}, pod_identity: "
            "{managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']}}",
            ["kubernetes.pod_identity: unused with eks.enabled: false (no cluster)",
             "kubernetes.ingress: unused with eks.enabled: false (no cluster)"],
        ),
        ("eks: {auto_mode: true}", []),
    ],
)  # fmt: skip
def test_keys_the_eks_choice_leaves_unused_are_noted_not_refused(
    text: str, expected: list[str]
) -> None:
    from cfngen.config import validate_eks_workloads

    assert validate_eks_workloads.notes(loads(text)) == expected


def test_the_written_out_seed_switches_to_auto_mode_without_a_note(tmp_path: Path) -> None:
    """config/default.yaml writes the default node group out: Auto Mode on it says nothing."""
    from cfngen.config import load, notes

    seed = (Path(__file__).resolve().parent.parent / "config" / "default.yaml").read_text()
    assert "\neks:\n" in seed
    config = tmp_path / "auto.yaml"
    config.write_text(seed.replace("\neks:\n", "\neks:\n  auto_mode: true\n", 1))
    cfg = load(config)
    assert cfg.eks.auto_mode
    assert not [n for n in notes(cfg) if "node_group" in n]
