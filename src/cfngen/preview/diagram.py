"""The platform as built, as a graph: nested stacks as groups, resources as nodes, arrows.

Drawn from the templates (and the rendered Kubernetes objects), never from a hand-kept
picture: subnets are grouped by the AZ their ``AvailabilityZone`` resolves to, public or
private by where their route table's default route goes, a load balancer's arrows follow
listeners and listener rules to target groups and on to the services registered in
them, images and roles follow ``Ref``/``GetAtt`` across the nested stacks. Renderers
(:mod:`cfngen.preview.diagram_mermaid`, :mod:`cfngen.preview.diagram_draw`) only draw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfngen.preview.cost_rules import service_name
from cfngen.preview.templates import ROOT, Resource, ResourceRef, TemplateSet

USERS = "users"
TRAFFIC, WIRING = "traffic", "wiring"


@dataclass(frozen=True)
class Node:
    id: str
    label: str  # lines separated by "\n"
    kind: str  # users, lb, service, cluster, nodes, nat, subnet, gateway, repo, role, k8s,
    # namespace


@dataclass
class Group:
    id: str
    label: str
    nodes: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    kind: str = "stack"  # stack, vpc, az, cluster

    def walk(self) -> list[Group]:
        return [self, *(g for child in self.groups for g in child.walk())]


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str
    style: str  # traffic | wiring


@dataclass
class Diagram:
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # nodes outside every group

    def add(self, node: Node, group: Group | None) -> str:
        if node.id not in self.nodes:
            self.nodes[node.id] = node
            (group.nodes if group else self.loose).append(node.id)
        return node.id

    def link(self, src: str, dst: str, label: str = "", style: str = TRAFFIC) -> None:
        edge = Edge(src, dst, label, style)
        if src in self.nodes and dst in self.nodes and edge not in self.edges:
            self.edges.append(edge)


def node_id(res: Resource) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", f"{res.stack}_{res.logical_id}")


def build(ts: TemplateSet, title: str, manifests: Sequence[Mapping[str, Any]] = ()) -> Diagram:
    d = Diagram(title)
    d.add(Node(USERS, "End users\n(internet)", "users"), None)
    stacks = {
        path: Group(f"stack_{re.sub(r'[^A-Za-z0-9]', '_', path)}", f"{ts.label(path)} stack")
        for path in ts.stacks
        if path != ROOT
    }
    for path, group in stacks.items():
        parent = ts.stacks[path].parent
        (stacks[parent].groups if parent in stacks else d.groups).append(group)
    _network(ts, d, stacks)
    _repositories(ts, d, stacks)
    _roles(ts, d, stacks)
    _load_balancers(ts, d, stacks)
    _ecs(ts, d, stacks)
    _eks(ts, d, stacks)
    _kubernetes(ts, d, stacks, manifests)
    _drop_empty(d)
    return d


def _group(stacks: Mapping[str, Group], res: Resource) -> Group | None:
    return stacks.get(res.stack)


# --------------------------------------------------------------------------- network


def _network(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    for vpc in ts.resources("AWS::EC2::VPC"):
        cidr = ts.resolve(vpc.stack, vpc.properties.get("CidrBlock"))
        vgroup = Group(f"vpc_{node_id(vpc)}", f"VPC {cidr or ''}".strip(), kind="vpc")
        parent = _group(stacks, vpc)
        (parent.groups if parent else d.groups).append(vgroup)
        zones: dict[str, Group] = {}
        routes = _default_routes(ts)
        subnets = []
        for subnet in ts.resources("AWS::EC2::Subnet"):
            if _ref_id(ts, subnet, "VpcId") != vpc.logical_id:
                continue
            target = routes.get((subnet.stack, subnet.logical_id))
            kind = "public" if target == "igw" else "private" if target else "isolated"
            subnets.append((kind != "public", subnet.logical_id, kind, subnet))
        for _, _, kind, subnet in sorted(subnets, key=lambda item: item[:2]):
            az = str(ts.resolve(subnet.stack, subnet.properties.get("AvailabilityZone")) or "AZ")
            zone = zones.setdefault(az, Group(f"{vgroup.id}_{_slug(az)}", az, kind="az"))
            cidr = ts.resolve(subnet.stack, subnet.properties.get("CidrBlock"))
            d.add(Node(node_id(subnet), f"{kind} subnet\n{cidr}", "subnet"), zone)
        for nat in ts.resources("AWS::EC2::NatGateway"):
            home = ts.resources_in(nat.stack, nat.properties.get("SubnetId"))
            if not home:
                continue
            az = str(ts.resolve(home[0].stack, home[0].properties.get("AvailabilityZone")))
            home_zone = zones.get(az)
            if home_zone is None:
                continue
            nid = d.add(Node(node_id(nat), "NAT gateway\n(in the public subnet)", "nat"), home_zone)
            for (stack, lid), target in routes.items():
                if target == nat.logical_id:
                    d.link(re.sub(r"[^A-Za-z0-9]", "_", f"{stack}_{lid}"), nid, "egress")
        vgroup.groups.extend(zones[k] for k in sorted(zones))
        for igw in ts.resources("AWS::EC2::InternetGateway"):
            d.add(
                Node(node_id(igw), "Internet gateway\n(public subnets' 0.0.0.0/0)", "gateway"),
                vgroup,
            )


def placement(ts: TemplateSet, res: Resource, subnets: Any) -> str:
    """``public subnets`` / ``private subnets``: where a load balancer, task or node sits."""
    routes = _default_routes(ts)
    kinds = set()
    for subnet in ts.resources_in(res.stack, subnets):
        target = routes.get((subnet.stack, subnet.logical_id))
        kinds.add("public" if target == "igw" else "private" if target else "isolated")
    return f"{' + '.join(sorted(kinds))} subnets" if kinds else ""


def _default_routes(ts: TemplateSet) -> dict[tuple[str, str], str]:
    """(stack, subnet) -> "igw" or the NAT gateway's logical ID its 0.0.0.0/0 goes to."""
    table_target: dict[tuple[str, str], str] = {}
    for route in ts.resources("AWS::EC2::Route"):
        if route.properties.get("DestinationCidrBlock") != "0.0.0.0/0":
            continue
        table = _ref_id(ts, route, "RouteTableId")
        if route.properties.get("GatewayId") is not None and table:
            table_target[(route.stack, table)] = "igw"
        nat = _ref_id(ts, route, "NatGatewayId")
        if nat and table:
            table_target[(route.stack, table)] = nat
    out: dict[tuple[str, str], str] = {}
    for assoc in ts.resources("AWS::EC2::SubnetRouteTableAssociation"):
        table, subnet = _ref_id(ts, assoc, "RouteTableId"), _ref_id(ts, assoc, "SubnetId")
        if table and subnet and (assoc.stack, table) in table_target:
            out[(assoc.stack, subnet)] = table_target[(assoc.stack, table)]
    return out


def _ref_id(ts: TemplateSet, res: Resource, prop: str) -> str | None:
    value = ts.resolve(res.stack, res.properties.get(prop))
    return value.logical_id if isinstance(value, ResourceRef) else None


# --------------------------------------------------------------------------- ALB + ECS


def _load_balancers(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    for lb in ts.resources("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        kind = "ALB" if lb.properties.get("Type", "application") == "application" else "NLB"
        scheme = str(lb.properties.get("Scheme", "internet-facing"))
        subnets = ts.resolve(lb.stack, lb.properties.get("Subnets"))
        zones = f", {len(subnets)} AZs" if isinstance(subnets, list) else ""
        where = placement(ts, lb, lb.properties.get("Subnets"))
        label = f"{kind} {scheme}\n{where}{zones}"
        lid = d.add(Node(node_id(lb), label, "lb"), _group(stacks, lb))
        if scheme == "internet-facing":
            ports = [
                f"{li.properties.get('Protocol', '')} {li.properties.get('Port', '')}".strip()
                for li in _listeners(ts, lb)
            ]
            d.link(USERS, lid, ", ".join(ports))


def _listeners(ts: TemplateSet, lb: Resource) -> list[Resource]:
    return [
        li
        for li in ts.resources("AWS::ElasticLoadBalancingV2::Listener")
        if li.stack == lb.stack and _ref_id(ts, li, "LoadBalancerArn") == lb.logical_id
    ]


def _routes_to(ts: TemplateSet, lb: Resource) -> dict[str, list[str]]:
    """Target group logical ID -> what sends traffic to it ("default", "/api/*", host).

    With more than one listener forwarding (a blue/green test listener) each label names
    its listener's port. A weighted forward counts every group it names.
    """
    found: list[tuple[str, Resource, str]] = []  # (target group, listener, what)
    listeners = {li.logical_id: li for li in _listeners(ts, lb)}
    for li in listeners.values():
        for action in li.properties.get("DefaultActions") or []:
            found += [(tg, li, "default") for tg in _action_targets(ts, li, action)]
    for rule in ts.resources("AWS::ElasticLoadBalancingV2::ListenerRule"):
        owner = listeners.get(_ref_id(ts, rule, "ListenerArn") or "")
        if owner is None:
            continue
        conditions: list[str] = []
        for cond in rule.properties.get("Conditions") or []:
            for key in ("PathPatternConfig", "HostHeaderConfig"):
                conditions += [str(v) for v in (cond.get(key) or {}).get("Values") or []]
        for action in rule.properties.get("Actions") or []:
            what = " ".join(conditions) or "rule"
            found += [(tg, owner, what) for tg in _action_targets(ts, rule, action)]
    several = len({li.logical_id for _, li, _ in found}) > 1
    out: dict[str, list[str]] = {}
    for tg, li, what in found:
        label = f"{what} on :{li.properties.get('Port', '?')}" if several else what
        if label not in out.setdefault(tg, []):
            out[tg].append(label)
    return out


def _action_targets(ts: TemplateSet, owner: Resource, action: Mapping[str, Any]) -> list[str]:
    if action.get("Type") != "forward":
        return []
    weighted = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    values = [action.get("TargetGroupArn")] + [g.get("TargetGroupArn") for g in weighted]
    refs = [ts.resolve(owner.stack, v) for v in values if v is not None]
    return list(dict.fromkeys(r.logical_id for r in refs if isinstance(r, ResourceRef)))


def _ecs(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    clusters: dict[tuple[str, str], Group] = {}
    for cluster in ts.resources("AWS::ECS::Cluster"):
        name = ts.resolve(cluster.stack, cluster.properties.get("ClusterName")) or ""
        group = Group(f"ecs_{node_id(cluster)}", f"ECS cluster {name}".strip(), kind="cluster")
        parent = _group(stacks, cluster)
        (parent.groups if parent else d.groups).append(group)
        clusters[(cluster.stack, cluster.logical_id)] = group
    routes = {
        (lb.stack, tg): (node_id(lb), labels)
        for lb in ts.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
        for tg, labels in _routes_to(ts, lb).items()
    }
    for svc in ts.resources("AWS::ECS::Service"):
        tds = ts.resources_in(svc.stack, svc.properties.get("TaskDefinition"))
        td = tds[0] if tds else None
        count = svc.properties.get("DesiredCount", 1)
        size = ""
        cpu, mem = (_units(td.properties.get(k)) if td else None for k in ("Cpu", "Memory"))
        if td is not None and cpu is not None and mem is not None:
            fargate = "FARGATE" in (td.properties.get("RequiresCompatibilities") or [])
            kind = "Fargate tasks" if fargate else "tasks"
            size = f"\n{count} {kind}, {cpu / 1024:g} vCPU / {mem / 1024:g} GB"
        network = (svc.properties.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
        where = placement(ts, svc, (network or {}).get("Subnets"))
        size += f"\nin {where}" if where else ""
        cluster_id = _ref_id(ts, svc, "Cluster")
        home = clusters.get((svc.stack, cluster_id or "")) or _group(stacks, svc)
        sid = d.add(
            Node(node_id(svc), f"ECS service {service_name(svc, td)}{size}", "service"), home
        )
        _service_connect(ts, d, stacks, svc, sid)
        for lb in svc.properties.get("LoadBalancers") or []:
            tg = ts.resolve(svc.stack, lb.get("TargetGroupArn"))
            if isinstance(tg, ResourceRef) and (tg.stack, tg.logical_id) in routes:
                src, labels = routes[(tg.stack, tg.logical_id)]
                d.link(src, sid, ", ".join(labels))
        if td is not None:
            _images(ts, d, td, sid)
            for prop in ("ExecutionRoleArn", "TaskRoleArn"):
                _role_link(ts, d, td, prop, sid)


def _service_connect(
    ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group], svc: Resource, sid: str
) -> None:
    """A Service Connect service publishes its aliases in its Cloud Map namespace."""
    connect = svc.properties.get("ServiceConnectConfiguration") or {}
    if connect.get("Enabled") is not True:
        return
    for ns in ts.resources_in(svc.stack, connect.get("Namespace")):
        name = ts.resolve(ns.stack, ns.properties.get("Name")) or ns.logical_id
        label = f"Cloud Map namespace\n{name}\n(Service Connect)"
        nid = d.add(Node(node_id(ns), label, "namespace"), _group(stacks, ns))
        aliases = [
            f"{a.get('DnsName', published.get('PortName', ''))}:{a.get('Port', '')}"
            for published in connect.get("Services") or []
            for a in published.get("ClientAliases") or []
        ]
        d.link(sid, nid, ", ".join(aliases) or "client", WIRING)


def _units(value: Any) -> float | None:
    """Task CPU units / MiB: a number or a numeric string; None when not given."""
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _images(ts: TemplateSet, d: Diagram, td: Resource, target: str) -> None:
    for container in td.properties.get("ContainerDefinitions") or []:
        for repo in ts.resources_in(td.stack, container.get("Image")):
            if repo.type == "AWS::ECR::Repository":
                d.link(node_id(repo), target, "images", WIRING)


def _role_link(ts: TemplateSet, d: Diagram, res: Resource, prop: str, target: str) -> None:
    for role in ts.resources_in(res.stack, res.properties.get(prop)):
        if role.type == "AWS::IAM::Role":
            d.link(node_id(role), target, "role", WIRING)


# --------------------------------------------------------------------------- EKS


def _eks(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    for cluster in ts.resources("AWS::EKS::Cluster"):
        version = cluster.properties.get("Version", "")
        access = cluster.properties.get("ResourcesVpcConfig") or {}
        endpoint = "public + private" if access.get("EndpointPublicAccess", True) else "private"
        label = f"EKS cluster {version}\nAPI endpoint: {endpoint}"
        if (cluster.properties.get("ComputeConfig") or {}).get("Enabled") is True:
            label += "\nAuto Mode (EKS-managed nodes)"
        cid = d.add(Node(node_id(cluster), label, "cluster"), _group(stacks, cluster))
        _role_link(ts, d, cluster, "RoleArn", cid)
    for ng in ts.resources("AWS::EKS::Nodegroup"):
        scaling = ng.properties.get("ScalingConfig") or {}
        types = ",".join(str(t) for t in ng.properties.get("InstanceTypes") or ["default"])
        where = placement(ts, ng, ng.properties.get("Subnets"))
        label = (
            f"managed node group\n{scaling.get('DesiredSize', '?')} x {types} "
            f"({scaling.get('MinSize', '?')}-{scaling.get('MaxSize', '?')})"
            + (f"\nin {where}" if where else "")
        )
        nid = d.add(Node(node_id(ng), label, "nodes"), _group(stacks, ng))
        for cluster in ts.resources_in(ng.stack, ng.properties.get("ClusterName")):
            d.link(nid, node_id(cluster), "joins", WIRING)
        _role_link(ts, d, ng, "NodeRole", nid)


def _repositories(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    for repo in ts.resources("AWS::ECR::Repository"):
        name = ts.resolve(repo.stack, repo.properties.get("RepositoryName")) or repo.logical_id
        d.add(Node(node_id(repo), f"ECR repository\n{name}", "repo"), _group(stacks, repo))


ROLE_USERS = (
    ("AWS::ECS::TaskDefinition", ("ExecutionRoleArn", "TaskRoleArn")),
    ("AWS::EKS::Cluster", ("RoleArn",)),
    ("AWS::EKS::Nodegroup", ("NodeRole",)),
)


def _roles(ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group]) -> None:
    """The roles the workloads run as (helper roles of custom resources stay out)."""
    for rtype, props in ROLE_USERS:
        for res in ts.resources(rtype):
            for prop in props:
                for role in ts.resources_in(res.stack, res.properties.get(prop)):
                    if role.type == "AWS::IAM::Role":
                        label = f"IAM role\n{role.logical_id}"
                        d.add(Node(node_id(role), label, "role"), _group(stacks, role))


# --------------------------------------------------------------------------- Kubernetes


def _kubernetes(
    ts: TemplateSet,
    d: Diagram,
    stacks: Mapping[str, Group],
    manifests: Sequence[Mapping[str, Any]],
) -> None:
    if not manifests:
        return
    group = Group("k8s", "Kubernetes objects (cfngen manifests)", kind="stack")
    d.groups.append(group)
    nodegroups = [node_id(ng) for ng in ts.resources("AWS::EKS::Nodegroup")]
    repos = {
        str(ts.resolve(r.stack, r.properties.get("RepositoryName")) or ""): node_id(r)
        for r in ts.resources("AWS::ECR::Repository")
    }
    deployments = [o for o in manifests if o.get("kind") == "Deployment"]
    services = [o for o in manifests if o.get("kind") == "Service"]
    workloads: dict[str, Mapping[str, Any]] = {}
    for obj in services:  # first: traffic comes in through them
        spec = obj.get("spec") or {}
        name = str((obj.get("metadata") or {}).get("name", ""))
        lb = spec.get("type") == "LoadBalancer"
        label = f"Service {name}\n{'type LoadBalancer (NLB)' if lb else spec.get('type', '')}"
        sid = d.add(Node(f"k8s_svc_{_slug(name)}", label.strip(), "k8s"), group)
        if lb:
            d.link(USERS, sid, ", ".join(f"TCP {p.get('port')}" for p in spec.get("ports") or []))
    for obj in deployments:
        meta = obj.get("metadata") or {}
        name, ns = str(meta.get("name", "")), meta.get("namespace", "default")
        wid = d.add(Node(f"k8s_deploy_{_slug(name)}", f"Deployment {ns}/{name}", "k8s"), group)
        template = (obj.get("spec") or {}).get("template") or {}
        workloads[wid] = (template.get("metadata") or {}).get("labels") or {}
        for ng in nodegroups:
            d.link(wid, ng, "runs on", WIRING)
        account = (template.get("spec") or {}).get("serviceAccountName") or "default"
        _pod_identity(ts, d, stacks, str(ns), str(account), wid)
        for c in (template.get("spec") or {}).get("containers") or []:
            for repo, rid in repos.items():
                if repo and f"/{repo}:" in str(c.get("image", "")) + ":":
                    d.link(rid, wid, "images", WIRING)
    for obj in services:
        name = str((obj.get("metadata") or {}).get("name", ""))
        selector = (obj.get("spec") or {}).get("selector") or {}
        for wid, labels in workloads.items():
            if selector and all(labels.get(k) == v for k, v in selector.items()):
                d.link(f"k8s_svc_{_slug(name)}", wid, "pods")
    _ingresses(d, group, manifests)


def _pod_identity(
    ts: TemplateSet, d: Diagram, stacks: Mapping[str, Group], ns: str, account: str, wid: str
) -> None:
    """The IAM role an EKS Pod Identity association gives the workload's service account."""
    for assoc in ts.resources("AWS::EKS::PodIdentityAssociation"):
        props = assoc.properties
        if (props.get("Namespace"), props.get("ServiceAccount")) != (ns, account):
            continue
        for role in ts.resources_in(assoc.stack, props.get("RoleArn")):
            if role.type == "AWS::IAM::Role":
                label = f"IAM role\n{role.logical_id}"
                rid = d.add(Node(node_id(role), label, "role"), _group(stacks, role))
                d.link(rid, wid, f"Pod Identity ({account})", WIRING)


ALB_CONTROLLERS = {"eks.amazonaws.com/alb": "ALB (EKS Auto Mode)", "ingress.k8s.aws/alb": "ALB"}


def _ingresses(d: Diagram, group: Group, manifests: Sequence[Mapping[str, Any]]) -> None:
    """An Ingress: its load balancer's listener, and the Services its rules send to."""

    def named(kind: str) -> dict[str, Mapping[str, Any]]:
        return {
            str((o.get("metadata") or {}).get("name", "")): o.get("spec") or {}
            for o in manifests
            if o.get("kind") == kind
        }

    classes, params = named("IngressClass"), named("IngressClassParams")
    for name, spec in named("Ingress").items():
        cls = classes.get(str(spec.get("ingressClassName", ""))) or {}
        what = ALB_CONTROLLERS.get(str(cls.get("controller", "")), "")
        param = params.get(str((cls.get("parameters") or {}).get("name", ""))) or {}
        iid = d.add(Node(f"k8s_ing_{_slug(name)}", f"Ingress {name}\n{what}".strip(), "k8s"), group)
        if param.get("scheme") == "internet-facing":
            https = bool(param.get("certificateARNs"))
            d.link(USERS, iid, "HTTPS 443" if https else "HTTP 80")
        for rule in spec.get("rules") or []:
            host = rule.get("host", "")
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = ((path.get("backend") or {}).get("service") or {}).get("name")
                where = f"{host}{path.get('path', '')}" or "default"
                d.link(iid, f"k8s_svc_{_slug(str(backend))}", where)


def _drop_empty(d: Diagram) -> None:
    def keep(g: Group) -> bool:
        g.groups = [c for c in g.groups if keep(c)]
        return bool(g.nodes or g.groups)

    d.groups = [g for g in d.groups if keep(g)]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"
