"""A :class:`Diagram` as an SVG or PNG picture, drawn with matplotlib (``cfngen[diagram]``).

The layout is cfngen's own and deterministic: groups are boxes holding their nodes in a
column and their sub-groups below (AZs side by side inside a VPC); top-level groups go
into three columns: the network, the workloads, and what only supplies others (image
repositories, roles). Users stand on the left. Arrows are drawn last, solid for traffic,
dashed for wiring. matplotlib bundles its font (DejaVu Sans) and renders text as paths,
so the same diagram gives the same picture on every machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from cfngen.preview.diagram import TRAFFIC, USERS, WIRING, Diagram, Group

PAD, HEADER, GAP, LINE, FONT = 12.0, 24.0, 36.0, 13.0, 8.0
COLOURS = {
    "users": ("#ffffff", "#333333"),
    "lb": ("#f3e8ff", "#7c3aed"),
    "service": ("#fff4e5", "#d97706"),
    "cluster": ("#e0f2fe", "#0369a1"),
    "nodes": ("#e0f2fe", "#0369a1"),
    "k8s": ("#dbeafe", "#1d4ed8"),
    "nat": ("#dcfce7", "#15803d"),
    "gateway": ("#dcfce7", "#15803d"),
    "subnet": ("#f0fdf4", "#22c55e"),
    "repo": ("#fef9c3", "#a16207"),
    "role": ("#f5f5f5", "#737373"),
    "namespace": ("#ecfeff", "#0e7490"),
}
GROUP_COLOURS = {"stack": "#fafafa", "vpc": "#f0fdf4", "az": "#ffffff", "cluster": "#fffbeb"}


class DrawError(Exception):
    """matplotlib is missing: install the diagram extra."""


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


def node_size(label: str) -> tuple[float, float]:
    lines = label.split("\n")
    return max(150.0, 6.0 * max(len(x) for x in lines) + 20), 12 + LINE * len(lines)


class Layout:
    """Positions (top-left origin, pixels) of every node and group box."""

    def __init__(self, d: Diagram) -> None:
        self.d = d
        self.nodes: dict[str, Box] = {}
        self.groups: list[tuple[Group, Box, int]] = []
        self.width, self.height = self._place()

    @staticmethod
    def _side(g: Group) -> bool:
        """Nodes left of the sub-groups (an ALB beside its services), not above them."""
        return g.kind != "vpc" and bool(g.nodes) and bool(g.groups)

    def _size(self, g: Group) -> tuple[float, float]:
        sizes = [node_size(self.d.nodes[n].label) for n in g.nodes]
        w = max([s[0] for s in sizes], default=0.0)
        h = sum(s[1] for s in sizes) + GAP / 3 * max(len(sizes) - 1, 0)
        kids = [self._size(c) for c in g.groups]
        row = bool(g.groups) and all(c.kind == "az" for c in g.groups)
        if kids:
            kw = sum(k[0] for k in kids) + PAD * (len(kids) - 1) if row else max(k[0] for k in kids)
            kh = max(k[1] for k in kids) if row else sum(k[1] for k in kids) + PAD * (len(kids) - 1)
            if self._side(g):
                w, h = w + GAP * 1.5 + kw, max(h, kh)
            else:
                w, h = max(w, kw), h + (PAD if sizes else 0) + kh
        label_w = 7.0 * len(g.label) + 2 * PAD
        return max(w + 2 * PAD, label_w), h + HEADER + PAD

    def _put(self, g: Group, x: float, y: float, depth: int) -> tuple[float, float]:
        w, h = self._size(g)
        self.groups.append((g, Box(x, y, w, h), depth))
        side = self._side(g)
        column = max((node_size(self.d.nodes[n].label)[0] for n in g.nodes), default=0.0)
        cy = y + HEADER
        for n in g.nodes:
            nw, nh = node_size(self.d.nodes[n].label)
            left = x + PAD + (column - nw) / 2 if side else x + (w - nw) / 2
            self.nodes[n] = Box(left, cy, nw, nh)
            cy += nh + GAP / 3
        inner_x, inner_w = x, w
        if side:
            cy = y + HEADER
            inner_x, inner_w = x + column + GAP * 1.5, w - column - GAP * 1.5
        elif g.nodes:
            cy += PAD - GAP / 3
        row = bool(g.groups) and all(c.kind == "az" for c in g.groups)
        cx = inner_x + PAD
        for child in g.groups:
            cw, ch = self._size(child)
            if row:
                self._put(child, cx, cy, depth + 1)
                cx += cw + PAD
            else:
                self._put(child, inner_x + (inner_w - cw) / 2, cy, depth + 1)
                cy += ch + PAD
        return w, h

    def _column(self, g: Group) -> int:
        """Workloads next to the users, then what supplies them, then the network."""
        if any(c.kind == "vpc" for c in g.walk()):
            return 2
        ids = {n for grp in g.walk() for n in grp.nodes}
        supplies = [e for e in self.d.edges if e.src in ids and e.dst not in ids]
        takes = [e for e in self.d.edges if e.dst in ids and e.src not in ids]
        if supplies and all(e.style == WIRING for e in supplies) and not takes:
            return 1
        return 0

    def _place(self) -> tuple[float, float]:
        columns: list[list[Group]] = [[], [], []]
        for g in self.d.groups:
            columns[self._column(g)].append(g)
        x = PAD
        top = PAD + 28  # room for the title
        heights = []
        users = [n for n in self.d.loose]
        for n in users:
            nw, nh = node_size(self.d.nodes[n].label)
            self.nodes[n] = Box(x, 0, nw, nh)  # y set once the columns are known
        x += max((self.nodes[n].w for n in users), default=0) + GAP * 2
        for col in columns:
            if not col:
                continue
            y, widest = top, 0.0
            for g in col:
                w, h = self._put(g, x, y, 0)
                y += h + GAP
                widest = max(widest, w)
            heights.append(y)
            x += widest + GAP * 2
        height = max(heights, default=PAD * 2)
        for i, n in enumerate(users):
            box = self.nodes[n]
            box.y = height / 2 - box.h / 2 + i * (box.h + GAP)
        return x - GAP, height


def _matplotlib() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise DrawError(
            "svg and png need matplotlib: pip install 'cfngen[diagram]' (or make venv); "
            "--format mermaid needs nothing"
        ) from None
    return plt


def draw(d: Diagram, fmt: str) -> bytes:
    """SVG or PNG bytes of the diagram."""
    plt = _matplotlib()
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    layout = Layout(d)
    width, height = layout.width, layout.height + 30
    with plt.rc_context({"svg.hashsalt": "cfngen", "font.family": "DejaVu Sans"}):
        fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        ax.text(PAD, PAD, d.title, fontsize=FONT + 3, weight="bold", va="top")
        for g, box, depth in layout.groups:
            ax.add_patch(
                FancyBboxPatch(
                    (box.x, box.y),
                    box.w,
                    box.h,
                    boxstyle="round,pad=0,rounding_size=8",
                    facecolor=GROUP_COLOURS.get(g.kind, "#fafafa"),
                    edgecolor="#9ca3af",
                    linewidth=0.8,
                    linestyle="-" if depth else "--",
                    zorder=1 + depth,
                )
            )
            ax.text(
                box.x + PAD,
                box.y + 15,
                g.label,
                fontsize=FONT + (1 if depth == 0 else 0),
                weight="bold" if depth == 0 else "normal",
                color="#374151",
                zorder=10,
            )
        patches: dict[str, Any] = {}
        for nid, box in layout.nodes.items():
            node = d.nodes[nid]
            fill, edge = COLOURS.get(node.kind, ("#ffffff", "#6b7280"))
            patch = FancyBboxPatch(
                (box.x, box.y),
                box.w,
                box.h,
                boxstyle="round,pad=0,rounding_size=6",
                facecolor=fill,
                edgecolor=edge,
                linewidth=1.2,
                zorder=20,
            )
            ax.add_patch(patch)
            patches[nid] = patch
            ax.text(
                *box.centre,
                node.label,
                fontsize=FONT,
                ha="center",
                va="center",
                linespacing=1.35,
                zorder=21,
            )
        for e in d.edges:
            a, b = layout.nodes[e.src], layout.nodes[e.dst]
            traffic = e.style == TRAFFIC
            arrow = FancyArrowPatch(
                a.centre,
                b.centre,
                patchA=patches[e.src],
                patchB=patches[e.dst],
                arrowstyle="-|>",
                mutation_scale=10,
                connectionstyle="arc3,rad=0.08",
                color="#111827" if traffic else "#6b7280",
                linewidth=1.3 if traffic else 0.9,
                linestyle="-" if traffic else (0, (4, 3)),
                zorder=30,
            )
            ax.add_patch(arrow)
            if e.label:  # nearer the target: long arrows from the users cross other boxes
                t = 0.75 if e.src == USERS else 0.5
                mx = a.centre[0] + (b.centre[0] - a.centre[0]) * t
                my = a.centre[1] + (b.centre[1] - a.centre[1]) * t
                ax.text(
                    mx,
                    my,
                    e.label,
                    fontsize=FONT - 1,
                    ha="center",
                    va="center",
                    color="#111827" if traffic else "#4b5563",
                    zorder=31,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
                )
        out = io.BytesIO()
        if fmt == "svg":
            fig.savefig(out, format="svg", metadata={"Date": None})
        else:
            fig.savefig(out, format="png", dpi=150, metadata={"Software": None})
        plt.close(fig)
    return out.getvalue()


__all__ = ["USERS", "DrawError", "Layout", "draw"]
