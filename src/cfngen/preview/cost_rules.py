"""What each resource type costs per month, read from its properties (on-demand, Linux).

One function per kind of resource; each yields :class:`Charge` objects. Counts come from
properties (``DesiredCount``, ``ScalingConfig``, the subnets a load balancer spans after
following nested-stack parameters), never from cfngen's logical IDs, so sharded or
renamed stacks are priced the same way. Types with no charge of their own (VPC, subnets,
roles, security groups, listeners, the ECS cluster) are simply not priced.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cfngen.preview.cost_model import HOURLY, MONTHLY, PER_GB, Charge, Context
from cfngen.preview.templates import Resource

EKS_DEFAULT_INSTANCE = "t3.medium"  # what EKS launches when a node group names no type
EKS_DEFAULT_DISK_GB = 20
FARGATE, FARGATE_SPOT = "FARGATE", "FARGATE_SPOT"


def template_charges(ctx: Context) -> Iterator[Charge]:
    if ctx.usage.internet_egress_gb > 0:
        yield Charge(
            "usage",
            "Data transfer out to the internet",
            ctx.usage.internet_egress_gb,
            "GB",
            ctx.prices["data_transfer_out_gb"],
            PER_GB,
            "assumed internet_egress_gb (first 10 TB tier)",
            usage_based=True,
        )
    yield from _nat_gateways(ctx)
    yield from _elastic_ips(ctx)
    yield from _load_balancers(ctx)
    yield from _ecs_services(ctx)
    yield from _eks_clusters(ctx)
    yield from _node_groups(ctx)
    yield from _flat(ctx, "AWS::KMS::Key", "KMS keys", "keys", "kms_key_month", 1.0, _KMS_NOTE)
    yield from _flow_logs(ctx)
    yield from _flat(
        ctx,
        "AWS::S3::Bucket",
        "S3 storage",
        "GB",
        "s3_standard_gb_month",
        ctx.usage.s3_gb_per_bucket,
        "assumed s3_gb_per_bucket per bucket",
        usage_based=True,
    )
    yield from _flat(
        ctx,
        "AWS::ECR::Repository",
        "ECR image storage",
        "GB",
        "ecr_storage_gb_month",
        ctx.usage.ecr_gb_per_repository,
        "assumed ecr_gb_per_repository per repository",
        usage_based=True,
    )


_KMS_NOTE = "each automatic rotation adds $1/month for the first two rotations"


def _stack(ctx: Context, res: Resource) -> str:
    return ctx.templates.label(res.stack)


def _flat(
    ctx: Context,
    rtype: str,
    item: str,
    unit: str,
    price_key: str,
    per_resource: float,
    note: str,
    usage_based: bool = False,
) -> Iterator[Charge]:
    per = PER_GB if unit == "GB" and not price_key.endswith("month") else MONTHLY
    for res in ctx.templates.resources(rtype):
        if per_resource > 0:
            yield Charge(
                _stack(ctx, res),
                item,
                per_resource,
                unit,
                ctx.prices[price_key],
                per,
                note,
                usage_based,
            )


def _nat_gateways(ctx: Context) -> Iterator[Charge]:
    gb = ctx.usage.nat_gb_per_gateway
    for res in ctx.templates.resources("AWS::EC2::NatGateway"):
        stack = _stack(ctx, res)
        yield Charge(stack, "NAT gateways", 1, "gateways", ctx.prices["nat_gateway_hour"], HOURLY)
        if gb > 0:
            yield Charge(
                stack,
                "NAT data processing",
                gb,
                "GB",
                ctx.prices["nat_gateway_gb"],
                PER_GB,
                "assumed nat_gb_per_gateway per gateway",
                usage_based=True,
            )


def _elastic_ips(ctx: Context) -> Iterator[Charge]:
    """Every Elastic IP is a public IPv4 address; name the NAT gateways' ones as such."""
    nat_eips = {
        (r.stack, ref.logical_id)
        for nat in ctx.templates.resources("AWS::EC2::NatGateway")
        for r, ref in [(nat, ctx.templates.resolve(nat.stack, nat.properties.get("AllocationId")))]
        if getattr(ref, "logical_id", None)
    }
    for res in ctx.templates.resources("AWS::EC2::EIP"):
        owner = "NAT gateways" if (res.stack, res.logical_id) in nat_eips else "Elastic IPs"
        yield _ipv4(ctx, _stack(ctx, res), owner, 1)


def _ipv4(ctx: Context, stack: str, owner: str, count: float, note: str = "") -> Charge:
    return Charge(
        stack,
        f"Public IPv4 ({owner})",
        count,
        "addresses",
        ctx.prices["public_ipv4_hour"],
        HOURLY,
        note,
    )


def _load_balancers(ctx: Context) -> Iterator[Charge]:
    for res in ctx.templates.resources("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        stack = _stack(ctx, res)
        kind = str(res.properties.get("Type", "application"))
        if kind == "application":
            yield from _lb(ctx, stack, "Application Load Balancers", "alb", "LCU", res)
        elif kind == "network":
            yield from _lb(ctx, stack, "Network Load Balancers", "nlb", "NLCU", res)
        else:
            yield Charge(stack, f"{kind} load balancer", 1, "", 0.0, HOURLY, "not priced", False)


def _lb(ctx: Context, stack: str, item: str, key: str, cap: str, res: Resource) -> Iterator[Charge]:
    yield Charge(stack, item, 1, "load balancers", ctx.prices[f"{key}_hour"], HOURLY)
    per_hour = ctx.usage.alb_lcu_per_hour if key == "alb" else ctx.usage.nlb_nlcu_per_hour
    if per_hour > 0:
        yield Charge(
            stack,
            f"{item} capacity units",
            per_hour,
            cap,
            ctx.prices[f"{key}_{cap.lower()}_hour"],
            HOURLY,
            f"assumed {per_hour:g} {cap} per load balancer on average",
            usage_based=True,
        )
    if str(res.properties.get("Scheme", "internet-facing")) == "internet-facing":
        azs = _lb_zones(ctx, res)
        yield _ipv4(ctx, stack, "load balancers", azs, "one per availability zone")


def _lb_zones(ctx: Context, res: Resource) -> int:
    mappings = res.properties.get("SubnetMappings")
    if isinstance(mappings, list) and mappings:
        return len(mappings)
    subnets = ctx.templates.resolve(res.stack, res.properties.get("Subnets"))
    return len(subnets) if isinstance(subnets, list) and subnets else 2


# --------------------------------------------------------------------------- ECS


def _ecs_services(ctx: Context) -> Iterator[Charge]:
    t = ctx.templates
    for svc in t.resources("AWS::ECS::Service"):
        stack = _stack(ctx, svc)
        tasks = _number(svc.properties.get("DesiredCount"), 1.0)
        task_defs = t.resources_in(svc.stack, svc.properties.get("TaskDefinition"))
        td = task_defs[0] if task_defs else None
        name = service_name(svc, td)
        shares = _capacity_shares(ctx, svc, tasks)
        if td is not None and shares:
            vcpu = _number(td.properties.get("Cpu"), 256) / 1024
            gb = _number(td.properties.get("Memory"), 512) / 1024
            rate = vcpu * ctx.prices["fargate_vcpu_hour"] + gb * ctx.prices["fargate_gb_hour"]
            basis = f"{vcpu:g} vCPU + {gb:g} GB per task"
            if shares.get(FARGATE, 0) > 0:
                yield Charge(
                    stack, f"Fargate tasks ({name})", shares[FARGATE], "tasks", rate, HOURLY, basis
                )
            if shares.get(FARGATE_SPOT, 0) > 0:
                spot = rate * (1 - ctx.usage.fargate_spot_discount)
                yield Charge(
                    stack,
                    f"Fargate Spot tasks ({name})",
                    shares[FARGATE_SPOT],
                    "tasks",
                    round(spot, 8),
                    HOURLY,
                    f"{basis}; assumed {ctx.usage.fargate_spot_discount:.0%} below on-demand",
                    usage_based=True,
                )
        network = (svc.properties.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
        if isinstance(network, Mapping) and network.get("AssignPublicIp") == "ENABLED":
            yield _ipv4(ctx, stack, "ECS tasks", tasks, "AssignPublicIp: one per running task")
        if td is not None and _logs_to_cloudwatch(td) and ctx.usage.log_gb_per_service > 0:
            yield Charge(
                stack,
                "Log ingestion (ECS services)",
                ctx.usage.log_gb_per_service,
                "GB",
                ctx.prices["logs_ingestion_gb"],
                PER_GB,
                "assumed log_gb_per_service per service",
                usage_based=True,
            )


def service_name(svc: Resource, td: Resource | None) -> str:
    """ServiceName, else the first container's name, else the logical ID."""
    if isinstance(svc.properties.get("ServiceName"), str):
        return str(svc.properties["ServiceName"])
    containers = td.properties.get("ContainerDefinitions") if td else None
    if isinstance(containers, list) and containers and isinstance(containers[0], Mapping):
        return str(containers[0].get("Name") or svc.logical_id)
    return svc.logical_id


def _capacity_shares(ctx: Context, svc: Resource, tasks: float) -> dict[str, float]:
    """Tasks per Fargate capacity provider: base first, the rest split by weight."""
    props = svc.properties
    if props.get("LaunchType"):
        return {FARGATE: tasks} if props["LaunchType"] == FARGATE else {}
    strategy = props.get("CapacityProviderStrategy")
    if not strategy:
        clusters = ctx.templates.resources_in(svc.stack, props.get("Cluster"))
        cluster = clusters[0].properties if clusters else {}
        strategy = cluster.get("DefaultCapacityProviderStrategy")
    if not isinstance(strategy, list) or not strategy:
        return {FARGATE: tasks}
    shares: dict[str, float] = {}
    remaining = tasks
    for entry in strategy:
        base = min(_number(entry.get("Base"), 0), remaining)
        if base:
            provider = str(entry.get("CapacityProvider"))
            shares[provider] = shares.get(provider, 0) + base
            remaining -= base
    weights = {str(e.get("CapacityProvider")): _number(e.get("Weight"), 0) for e in strategy}
    total = sum(weights.values())
    for provider, weight in weights.items():
        if total > 0 and weight > 0:
            shares[provider] = shares.get(provider, 0) + remaining * weight / total
    return {k: v for k, v in shares.items() if k in (FARGATE, FARGATE_SPOT)}


def _logs_to_cloudwatch(td: Resource) -> bool:
    for container in td.properties.get("ContainerDefinitions") or []:
        log = container.get("LogConfiguration") if isinstance(container, Mapping) else None
        if isinstance(log, Mapping) and log.get("LogDriver") == "awslogs":
            return True
    return False


# --------------------------------------------------------------------------- EKS


def _eks_clusters(ctx: Context) -> Iterator[Charge]:
    for res in ctx.templates.resources("AWS::EKS::Cluster"):
        stack = _stack(ctx, res)
        yield Charge(
            stack, "EKS control plane", 1, "clusters", ctx.prices["eks_cluster_hour"], HOURLY
        )
        if _extended(ctx, res):
            extra = ctx.prices["eks_extended_support_hour"] - ctx.prices["eks_cluster_hour"]
            version = str(res.properties.get("Version"))
            yield Charge(
                stack,
                "EKS extended support",
                1,
                "clusters",
                round(extra, 6),
                HOURLY,
                f"Kubernetes {version} left standard support on "
                f"{ctx.eks_support_end[version].isoformat()}; upgrade to avoid it",
            )
        logging = ((res.properties.get("Logging") or {}).get("ClusterLogging") or {}).get(
            "EnabledTypes"
        )
        if logging and ctx.usage.eks_control_plane_log_gb > 0:
            yield Charge(
                stack,
                "Log ingestion (EKS control plane)",
                ctx.usage.eks_control_plane_log_gb,
                "GB",
                ctx.prices["logs_ingestion_gb"],
                PER_GB,
                "assumed eks_control_plane_log_gb per cluster",
                usage_based=True,
            )


def _extended(ctx: Context, res: Resource) -> bool:
    """In extended support on the estimate's date (and not opted out with STANDARD)."""
    version = str(res.properties.get("Version") or "")
    policy = (res.properties.get("UpgradePolicy") or {}).get("SupportType", "EXTENDED")
    end = ctx.eks_support_end.get(version)
    return policy == "EXTENDED" and end is not None and ctx.as_of > end


def _node_groups(ctx: Context) -> Iterator[Charge]:
    t = ctx.templates
    for ng in t.resources("AWS::EKS::Nodegroup"):
        stack = _stack(ctx, ng)
        scaling = ng.properties.get("ScalingConfig") or {}
        nodes = _number(scaling.get("DesiredSize"), _number(scaling.get("MinSize"), 2))
        template = _launch_template(ctx, ng)
        types = ng.properties.get("InstanceTypes") or [template.get("InstanceType")]
        itype = str(types[0] or EKS_DEFAULT_INSTANCE)
        spot = ng.properties.get("CapacityType") == "SPOT"
        price = ctx.prices.ec2_hour.get(itype)
        label = f"EKS nodes ({itype}{', Spot' if spot else ''})"
        if price is None:
            yield Charge(
                stack,
                label,
                nodes,
                "nodes",
                0.0,
                HOURLY,
                f"{itype} is not in the price table; refresh it",
                estimated=False,
            )
        else:
            note = "first of InstanceTypes (on-demand uses them in order)" if len(types) > 1 else ""
            if spot:
                price = round(price * (1 - ctx.usage.ec2_spot_discount), 6)
                note = f"assumed {ctx.usage.ec2_spot_discount:.0%} below on-demand"
            yield Charge(stack, label, nodes, "nodes", price, HOURLY, note, usage_based=spot)
        size, volume = _node_disk(ng, template)
        key = f"ebs_{volume}_gb_month" if volume in ("gp2", "gp3") else "ebs_gp3_gb_month"
        yield Charge(
            stack,
            f"EKS node volumes ({volume})",
            nodes * size,
            "GB",
            ctx.prices[key],
            MONTHLY,
            f"{size:g} GB per node",
        )
        if _public_subnets(ctx, ng):
            yield _ipv4(ctx, stack, "EKS nodes", nodes, "subnets map a public IP on launch")


def _launch_template(ctx: Context, ng: Resource) -> Mapping[str, Any]:
    spec = ng.properties.get("LaunchTemplate") or {}
    found = ctx.templates.resources_in(ng.stack, spec.get("Id") or spec.get("Name"))
    if found and found[0].type == "AWS::EC2::LaunchTemplate":
        data = found[0].properties.get("LaunchTemplateData")
        return data if isinstance(data, Mapping) else {}
    return {}


def _node_disk(ng: Resource, template: Mapping[str, Any]) -> tuple[float, str]:
    for mapping in template.get("BlockDeviceMappings") or []:
        ebs = mapping.get("Ebs") if isinstance(mapping, Mapping) else None
        if isinstance(ebs, Mapping) and ebs.get("VolumeSize"):
            return _number(ebs.get("VolumeSize"), 20), str(ebs.get("VolumeType") or "gp2")
    # EKS's own launch template: DiskSize GiB; priced as gp2, the dearer of the two.
    return _number(ng.properties.get("DiskSize"), EKS_DEFAULT_DISK_GB), "gp2"


def _public_subnets(ctx: Context, ng: Resource) -> bool:
    subnets = ctx.templates.resources_in(ng.stack, ng.properties.get("Subnets"))
    return any(s.properties.get("MapPublicIpOnLaunch") is True for s in subnets)


# --------------------------------------------------------------------------- logs


def _flow_logs(ctx: Context) -> Iterator[Charge]:
    gb = ctx.usage.flow_log_gb
    for res in ctx.templates.resources("AWS::EC2::FlowLog"):
        destination = res.properties.get("LogDestinationType", "cloud-watch-logs")
        if gb > 0 and destination == "cloud-watch-logs":
            yield Charge(
                _stack(ctx, res),
                "Log ingestion (VPC flow logs)",
                gb,
                "GB",
                ctx.prices["logs_vended_gb"],
                PER_GB,
                "assumed flow_log_gb per flow log (vended-log rate)",
                usage_based=True,
            )


# --------------------------------------------------------------------------- Kubernetes


def kubernetes_charges(ctx: Context, manifests: Sequence[Mapping[str, Any]]) -> list[Charge]:
    """A Service of type LoadBalancer makes AWS create a load balancer outside the stacks."""
    out: list[Charge] = []
    azs = _elb_subnets(ctx) or 2
    for doc in manifests:
        spec = doc.get("spec") or {}
        if doc.get("kind") != "Service" or spec.get("type") != "LoadBalancer":
            continue
        notes = (doc.get("metadata") or {}).get("annotations") or {}
        name = (doc.get("metadata") or {}).get("name", "")
        stack = "kubernetes"
        out.append(
            Charge(
                stack,
                "Network Load Balancers",
                1,
                "load balancers",
                ctx.prices["nlb_hour"],
                HOURLY,
                f"Service {name}",
            )
        )
        if ctx.usage.nlb_nlcu_per_hour > 0:
            out.append(
                Charge(
                    stack,
                    "Network Load Balancers capacity units",
                    ctx.usage.nlb_nlcu_per_hour,
                    "NLCU",
                    ctx.prices["nlb_nlcu_hour"],
                    HOURLY,
                    "assumed nlb_nlcu_per_hour per load balancer",
                    usage_based=True,
                )
            )
        internal = notes.get("service.beta.kubernetes.io/aws-load-balancer-internal") == "true"
        # the in-tree controller's default; a load balancer class (Auto Mode's, the Load
        # Balancer Controller's) makes internal ones unless the annotation says otherwise
        default = "internal" if internal or spec.get("loadBalancerClass") else "internet-facing"
        scheme = notes.get("service.beta.kubernetes.io/aws-load-balancer-scheme", default)
        if scheme == "internet-facing":
            out.append(_ipv4(ctx, stack, "load balancers", azs, "one per public subnet"))
    out += _ingress_albs(ctx, manifests, azs)
    return out


ALB_CONTROLLERS = {"eks.amazonaws.com/alb", "ingress.k8s.aws/alb"}  # Auto Mode's, the LBC's


def _ingress_albs(ctx: Context, manifests: Sequence[Mapping[str, Any]], azs: int) -> list[Charge]:
    """An Ingress of an ALB controller's class gets an ALB (one per group) outside the stacks."""

    def by_kind(kind: str) -> dict[str, Mapping[str, Any]]:
        return {
            str((d.get("metadata") or {}).get("name", "")): d
            for d in manifests
            if d.get("kind") == kind
        }

    classes, params = by_kind("IngressClass"), by_kind("IngressClassParams")
    out: list[Charge] = []
    seen: set[str] = set()
    for name, doc in by_kind("Ingress").items():
        notes = (doc.get("metadata") or {}).get("annotations") or {}
        cls = (doc.get("spec") or {}).get("ingressClassName") or notes.get(
            "kubernetes.io/ingress.class"
        )
        cls_spec = (classes.get(str(cls)) or {}).get("spec") or {}
        if cls_spec.get("controller") not in ALB_CONTROLLERS:
            continue
        ref = cls_spec.get("parameters") or {}
        param = (params.get(str(ref.get("name"))) or {}).get("spec") or {}
        group = (param.get("group") or {}).get("name") or notes.get(
            "alb.ingress.kubernetes.io/group.name"
        )
        if group and group in seen:  # Ingresses of one group share its load balancer
            continue
        seen.add(str(group or f"ingress/{name}"))
        stack = "kubernetes"
        out.append(
            Charge(
                stack,
                "Application Load Balancers",
                1,
                "load balancers",
                ctx.prices["alb_hour"],
                HOURLY,
                f"Ingress {name}",
            )
        )
        if ctx.usage.alb_lcu_per_hour > 0:
            out.append(
                Charge(
                    stack,
                    "Application Load Balancers capacity units",
                    ctx.usage.alb_lcu_per_hour,
                    "LCU",
                    ctx.prices["alb_lcu_hour"],
                    HOURLY,
                    "assumed alb_lcu_per_hour per load balancer",
                    usage_based=True,
                )
            )
        scheme = param.get("scheme") or notes.get("alb.ingress.kubernetes.io/scheme", "internal")
        if scheme == "internet-facing":  # both controllers default to internal
            out.append(_ipv4(ctx, stack, "load balancers", azs, "one per public subnet"))
    return out


def _elb_subnets(ctx: Context) -> int:
    """Subnets tagged for internet-facing load balancers (kubernetes.io/role/elb)."""
    count = 0
    for subnet in ctx.templates.resources("AWS::EC2::Subnet"):
        tags = subnet.properties.get("Tags") or []
        if any(isinstance(t, Mapping) and t.get("Key") == "kubernetes.io/role/elb" for t in tags):
            count += 1
    return count


# --------------------------------------------------------------------------- honesty


def unestimated(ctx: Context) -> list[Charge]:
    """Usage-based charges the estimate leaves at $0, each with its unit price."""
    t, u, p = ctx.templates, ctx.usage, ctx.prices
    out: list[Charge] = []

    def note(item: str, price: float, per: str, how: str) -> None:
        out.append(Charge("usage", item, 0, per, price, per, how, True, estimated=False))

    if t.resources("AWS::EC2::NatGateway") and u.nat_gb_per_gateway == 0:
        note("NAT data processing", p["nat_gateway_gb"], "GB", "set nat_gb_per_gateway")
    for cluster in t.resources("AWS::EKS::Cluster"):
        if (cluster.properties.get("ComputeConfig") or {}).get("Enabled") is True:
            note(
                "EKS Auto Mode nodes",
                0.0,
                "instance-hour",
                "instances EKS launches, plus its per-instance management fee",
            )
    if u.internet_egress_gb == 0:
        note(
            "Data transfer out to the internet",
            p["data_transfer_out_gb"],
            "GB",
            "first 10 TB tier; first 100 GB/month free across the account",
        )
    if t.resources("AWS::Logs::LogGroup", "AWS::EKS::Cluster"):
        note(
            "CloudWatch Logs storage",
            p["logs_storage_gb_month"],
            "GB-month",
            "grows with ingestion and retention",
        )
    for cluster in t.resources("AWS::ECS::Cluster"):
        for setting in cluster.properties.get("ClusterSettings") or []:
            if setting.get("Name") == "containerInsights" and setting.get("Value") != "disabled":
                note(
                    "ECS Container Insights metrics",
                    0.0,
                    "metric",
                    "billed as CloudWatch custom metrics and log ingestion",
                )
    return out


def warnings(ctx: Context) -> Iterator[str]:
    for res in ctx.templates.resources("AWS::EKS::Cluster"):
        version = str(res.properties.get("Version") or "")
        end = ctx.eks_support_end.get(version)
        if end is not None and _extended(ctx, res):
            yield (
                f"EKS {version} is past the end of standard support ({end.isoformat()}) on "
                f"{ctx.as_of.isoformat()}: AWS bills extended support at "
                f"${ctx.prices['eks_extended_support_hour']:g}/h until the cluster is upgraded"
            )


def _number(value: Any, default: float) -> float:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else default
    except (TypeError, ValueError):
        return default
