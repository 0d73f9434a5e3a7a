"""`cfngen diagram`: the platform a config builds, drawn from its templates."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from cfngen.commands.common import Command, UserError, add_config_arg, info, load_config
from cfngen.commands.cost import config_templates, kubernetes_objects

FORMATS = ("mermaid", "svg", "png")


def _arguments(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    p.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default="mermaid",
        help="mermaid (text, renders on GitHub), svg or png (need matplotlib: the "
        "[diagram] extra, installed by make venv); default: mermaid",
    )
    p.add_argument(
        "--out",
        "-o",
        metavar="FILE",
        default="-",
        help="file to write (replaced atomically); '-' for stdout, the default "
        "(mermaid and svg only)",
    )
    p.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="replace the mermaid block between the `cfngen diagram` markers in FILE "
        "(how README.md's architecture diagram is kept true: make readme-diagram)",
    )
    p.add_argument(
        "--no-kubernetes",
        action="store_true",
        help="leave out the Kubernetes objects of the rendered manifests",
    )


def run(args: argparse.Namespace) -> int:
    from cfngen.preview import diagram, diagram_mermaid

    cfg = load_config(args.config)
    objects = [] if args.no_kubernetes else kubernetes_objects(cfg)
    d = diagram.build(config_templates(cfg), cfg.stack_name, objects)
    if args.readme is not None:
        return _readme(args.readme, args.config, diagram_mermaid.render(d))
    if args.format == "mermaid":
        data = diagram_mermaid.render(d).encode()
    else:
        from cfngen.preview import diagram_draw

        try:
            data = diagram_draw.draw(d, args.format)
        except diagram_draw.DrawError as exc:
            raise UserError(str(exc)) from None
    if args.out == "-":
        if args.format == "png":
            raise UserError("--format png writes binary: give --out FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    _write(Path(args.out), data)
    info(f"wrote {args.out} ({args.format}, {len(d.nodes)} nodes, {len(d.edges)} arrows)")
    return 0


def _readme(path: Path, config: Path, mermaid: str) -> int:
    from cfngen.preview.diagram_mermaid import MarkerError, embed

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    try:
        new = embed(text, mermaid)
    except MarkerError as exc:
        raise UserError(f"{path}: {exc}") from None
    if new == text:
        info(f"{path}: the diagram of {config} is up to date")
        return 0
    _write(path, new.encode())
    info(f"{path}: diagram of {config} replaced")
    return 0


def _write(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}", exit_code=1) from None


COMMAND = Command(
    "diagram",
    help="draw the architecture a config builds (mermaid, svg or png)",
    description=(
        "Draw the platform from the templates the config generates and the Kubernetes "
        "manifests it renders: the nested stacks as groups, the VPC with its subnets per "
        "AZ and NAT gateways, the load balancer with the services its listeners route to, "
        "the ECS cluster and its Service Connect namespace, the EKS cluster and node "
        "group, the ECR repositories, the IAM roles (the app's Pod Identity role too) and "
        "the Kubernetes Deployment, Service and Ingress; solid arrows carry traffic, "
        "dashed ones are wiring (images, roles, scheduling)."
    ),
    epilog="Exit codes: 0 written, 1 cannot write, 2 bad input.",
    arguments=_arguments,
    run=run,
)
