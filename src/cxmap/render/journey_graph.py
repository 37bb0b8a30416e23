"""The report's own drawings: the journey graph, finding markers, and the measured curve without a map.

The journey graph shows where customers really go next: touchpoints left to right in the journey's order,
arrows above for moves forward, below for moves back, loops for repeats, each as wide as it is common.
Without a map, the measured curve is drawn like the map's emotion lane (same zones, scale and markers),
one column per touchpoint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

from cxmap.analytics.findings import CurvePoint
from cxmap.render import theme
from cxmap.render.emotion import emotion_path
from cxmap.render.icons import icon
from cxmap.render.layout import EmotionPoint, EmotionScale, segments
from cxmap.render.svgkit import el, join, label, lines, num, rect, svg_document, title
from cxmap.render.text import wrap

MarkerKind = Literal["hot-spot", "problem", "problem-severe", "purple-cow", "unconfirmed"]

# Chip colours per finding: (fill, border, text); every text/fill pair meets WCAG AA.
MARKER_HUES: dict[MarkerKind, theme.Hue] = {
    "hot-spot": theme.HOT_SPOT,
    "problem": theme.Hue("#d97706", "#fffbeb", "#78350f"),
    "problem-severe": theme.PROBLEM,
    "purple-cow": theme.PURPLE_COW,
    "unconfirmed": theme.Hue("#64748b", "#f8fafc", "#334155"),
}
MARKER_ICONS: dict[MarkerKind, str] = {
    "hot-spot": "flame",
    "problem": "alert",
    "problem-severe": "alert",
    "purple-cow": "star",
    "unconfirmed": "diamond",
}


@dataclass(frozen=True)
class Marker:
    """A finding where it sits on the journey: a chip that links to the finding's section."""

    key: str  # the step id (with a map) or the touchpoint id (without)
    kind: MarkerKind
    text: str
    href: str
    tip: str


@dataclass(frozen=True)
class GraphNode:
    id: str
    name: str
    customers: int = 0
    emotion: float | None = None


# The journey graph
NODE_W, NODE_H, PITCH, PAD = 132.0, 92.0, 184.0, 24.0
ARROW = 8.0
FORWARD, BACKWARD, BACKWARD_INK = "#64748b", "#d97706", "#92400e"


def _rise(span: int) -> float:
    """How far an arc over ``span`` columns climbs: longer jumps climb higher, but not without bound."""
    return 34.0 + 40.0 * math.log2(max(span, 1))


def _arrow(x: float, y: float, towards: str, colour: str) -> Markup:
    tips = {
        "right": f"M{num(x)} {num(y)}l{-ARROW} -5v10z",
        "down": f"M{num(x)} {num(y)}l-5 {-ARROW}h10z",
        "up": f"M{num(x)} {num(y)}l-5 {ARROW}h10z",
    }
    return el("path", {"d": tips[towards], "fill": colour})


def _edge(edge: Mapping[str, Any], a: float, b: float, top: float, width: float, name: Mapping[str, str]) -> Markup:
    """One edge from the node left at ``a`` to the node left at ``b``; returns the drawing."""
    bottom, mid = top + NODE_H, top + NODE_H / 2
    count, hours = int(edge["count"]), edge.get("median_hours")
    when = f", median {hours / 24:.1f} days later" if isinstance(hours, int | float) else ""
    tip = f"{name[edge['from']]} \u2192 {name[edge['to']]}: {count:,} times, {int(edge['customers']):,} customers{when}"
    span = round(abs(b - a) / PITCH)
    stroke = {"fill": "none", "stroke-width": width, "stroke-linecap": "round"}
    if a == b:  # a repeat: a loop under the node
        cx = a + NODE_W / 2
        d = f"M{num(cx - 14)} {num(bottom)}C{num(cx - 40)} {num(bottom + 52)} {num(cx + 40)} {num(bottom + 52)} "
        d += f"{num(cx + 14)} {num(bottom + ARROW)}"
        parts = [
            el("path", {"d": d, "stroke": BACKWARD, "opacity": 0.6, **stroke}),
            _arrow(cx + 14, bottom, "up", BACKWARD),
            label(f"{count:,}", cx, bottom + 54, 11, fill=BACKWARD_INK, bold=True, anchor="middle", halo=True),
        ]
    elif b > a and span == 1:  # the next touchpoint: a straight arrow
        x1, x2 = a + NODE_W, b
        parts = [
            el("path", {"d": f"M{num(x1)} {num(mid)}H{num(x2 - ARROW)}", "stroke": FORWARD, "opacity": 0.6, **stroke}),
            _arrow(x2, mid, "right", FORWARD),
            label(
                f"{count:,}",
                (x1 + x2) / 2,
                mid - width / 2 - 5,
                11,
                fill=theme.INK_SOFT,
                bold=True,
                anchor="middle",
                halo=True,
            ),
        ]
    else:  # an arc: above when forward, below when back to an earlier touchpoint
        up = b > a
        x1, x2 = a + NODE_W / 2 + (18 if up else -18), b + NODE_W / 2 + (-18 if up else 18)
        y0, sign = (top, -1) if up else (bottom, 1)
        h = _rise(span) * sign
        end = y0 + (-ARROW if up else ARROW)
        d = f"M{num(x1)} {num(y0)}C{num(x1)} {num(y0 + h)} {num(x2)} {num(y0 + h)} {num(x2)} {num(end)}"
        colour, ink = (FORWARD, theme.INK_SOFT) if up else (BACKWARD, BACKWARD_INK)
        parts = [
            el("path", {"d": d, "stroke": colour, "opacity": 0.6, **stroke}),
            _arrow(x2, y0, "down" if up else "up", colour),
            label(
                f"{count:,}",
                (x1 + x2) / 2,
                y0 + 0.75 * h + (-5 if up else 14),
                11,
                fill=ink,
                bold=True,
                anchor="middle",
                halo=True,
            ),
        ]
    attrs = {"data-edge": f"{edge['from']}>{edge['to']}", "data-count": count}
    return el("g", attrs, title(tip), *parts)


def _node(node: GraphNode, x: float, y: float) -> Markup:
    stripe = theme.grade_colour(node.emotion) if node.emotion is not None else theme.LINE_STRONG
    name = wrap(node.name, NODE_W - 20, 12, bold=True, max_lines=3)
    feeling = f"emotion {node.emotion:.1f}" if node.emotion is not None else "no scores"
    tip = f"{node.name}: {node.customers:,} customers, {feeling}"
    return el(
        "g",
        {"data-node": node.id},
        title(tip),
        rect(x, y, NODE_W, NODE_H, rx=10, fill=theme.PAPER, stroke=theme.LINE_STRONG, stroke_width=1.2),
        rect(x, y, NODE_W, 6, rx=3, fill=stripe),
        lines(name, x + 10, y + 13, fill=theme.INK),
        label(f"{node.customers:,} customers", x + 10, y + NODE_H - 24, 11, fill=theme.MUTED),
        label(feeling, x + 10, y + NODE_H - 10, 11, fill=theme.MUTED),
    )


def journey_graph_svg(edges: Sequence[Mapping[str, Any]], nodes: Sequence[GraphNode], top: int = 25) -> str:
    """The ``top`` most common directly-follows edges between touchpoints, nodes in the order of ``nodes``
    (touchpoints missing from it follow, by name)."""
    strongest = sorted(edges, key=lambda e: (-int(e["count"]), str(e["from"]), str(e["to"])))[:top]
    known = {n.id: n for n in nodes}
    used = {str(e["from"]) for e in strongest} | {str(e["to"]) for e in strongest}
    extra = sorted((GraphNode(t, t) for t in used - known.keys()), key=lambda n: n.name)
    placed = [n for n in nodes if n.id in used] + extra
    column = {n.id: i for i, n in enumerate(placed)}
    heaviest = max((int(e["count"]) for e in strongest), default=1) or 1
    spans = [column[str(e["to"])] - column[str(e["from"])] for e in strongest]
    above = max([_rise(s) * 0.75 + 22 for s in spans if s > 1] + [10.0])
    below = max([_rise(-s) * 0.75 + 24 for s in spans if s < 0] + [60.0 if 0 in spans else 10.0])
    node_top = PAD + above
    name = {n.id: n.name for n in placed}
    drawn = [
        _edge(
            e,
            PAD + column[str(e["from"])] * PITCH,
            PAD + column[str(e["to"])] * PITCH,
            node_top,
            1.5 + 9.0 * int(e["count"]) / heaviest,
            name,
        )
        for e in strongest
    ]
    boxes = [_node(n, PAD + i * PITCH, node_top) for i, n in enumerate(placed)]
    width = 2 * PAD + max(len(placed), 1) * PITCH - (PITCH - NODE_W)
    height = node_top + NODE_H + below + PAD
    description = f"The {len(strongest)} most common moves between {len(placed)} touchpoints."
    return svg_document(
        width,
        height,
        "Journey graph",
        description,
        el("rect", {"width": "100%", "height": "100%", "fill": theme.PAPER}),
        el("g", {"data-part": "edges"}, *drawn),
        el("g", {"data-part": "nodes"}, *boxes),
    )


# Markers and the measured curve without a map
MARGIN, LABEL_W, COL_W, HEAD_H = 24.0, 200.0, 168.0, 64.0
PLOT_TOP_PAD, PLOT_H, PLOT_BOTTOM_PAD = 34.0, 150.0, 26.0
CHIP_H, CHIP_GAP = 30.0, 8.0


def chip(marker: Marker, x: float, y: float, width: float) -> tuple[Markup, float]:
    """A finding marker drawn as a linked chip with its icon (for the curve without a map), and its height."""
    hue = MARKER_HUES[marker.kind]
    text = wrap(marker.text, width - 38, 11.5, bold=True, max_lines=2)
    height = CHIP_H + text.height - text.line_height
    drawn = el(
        "a",
        {"href": marker.href, "class": f"cx-mk cx-mk-{marker.kind}", "data-marker": marker.kind},
        title(marker.tip),
        rect(x, y, width, height, rx=min(CHIP_H / 2, 10), fill=hue.soft, stroke=hue.strong, stroke_width=1.4),
        icon(MARKER_ICONS[marker.kind], x + 9, y + 7, 16, hue.strong, stroke=1.8),
        lines(text, x + 30, y + 7.5, fill=hue.ink),
    )
    return drawn, height


def _chips(found: Sequence[Marker], x: float, y: float, width: float) -> tuple[list[Markup], float]:
    """Chips stacked from ``y`` down; returns them and the height they take."""
    drawn, top = [], y
    for marker in found:
        markup, height = chip(marker, x, top, width)
        drawn.append(markup)
        top += height + CHIP_GAP
    return drawn, top - y


def _curve_labels(scale: EmotionScale, plot_top: float, chips_top: float, chips_h: float) -> Markup:
    x = MARGIN + 10
    left = MARGIN + LABEL_W
    parts = [
        rect(MARGIN, MARGIN, LABEL_W, chips_top + chips_h - MARGIN, fill=theme.PANEL),
        label("TOUCHPOINTS", x, MARGIN + 24, 11, fill=theme.MUTED, bold=True),
        label("Emotion, measured", x, plot_top + 20, 13, fill=theme.INK, bold=True),
        label("0 awful \u00b7 10 delighted", x, plot_top + 37, 11, fill=theme.MUTED),
        label("Findings", x, chips_top + 20, 13, fill=theme.INK, bold=True),
        label("Click a marker for details", x, chips_top + 37, 11, fill=theme.MUTED),
        icon("smile", left - 44, scale.y(10) - 8, 16, theme.POSITIVE, stroke=1.8),
        icon("frown", left - 44, scale.y(0) - 8, 16, theme.NEGATIVE, stroke=1.8),
    ]
    parts += [
        label(str(g), left - 10, scale.y(g) + 4, 11, fill=theme.MUTED, bold=True, anchor="end") for g in (0, 5, 10)
    ]
    return join(parts)


def _curve_point(p: CurvePoint, x: float, scale: EmotionScale) -> Markup:
    assert p.measured is not None
    y = scale.y(min(10.0, max(0.0, p.measured)))
    parts: list[Markup] = []
    lo, hi = p.measured_ci
    if lo is not None and hi is not None:
        y1, y2 = scale.y(max(0.0, lo)), scale.y(min(10.0, hi))
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(x)} {num(y1)}V{num(y2)}M{num(x - 5)} {num(y1)}h10M{num(x - 5)} {num(y2)}h10",
                    "stroke": theme.MEASURED_LINE,
                    "stroke-width": 1.5,
                },
            )
        )
    interval = f" (interval {lo:.1f} to {hi:.1f})" if lo is not None and hi is not None else ""
    tip = f"{p.label}: {p.measured:.1f} / 10{interval}, {p.customers:,} customers"
    parts += [
        el(
            "path",
            {
                "d": f"M{num(x)} {num(y - 7)}l7 7-7 7-7-7z",
                "fill": theme.MEASURED_LINE,
                "stroke": "#ffffff",
                "stroke-width": 1.5,
                "data-when": "measured",
                "data-grade": round(p.measured, 2),
                "data-step-point": p.touchpoint or p.label,
            },
            title(tip),
        ),
        label(f"{p.measured:.1f}", x + 10, y - 9, 12, fill=theme.INK, bold=True, halo=True),
    ]
    if p.extreme:
        label_y = y + 24 if p.extreme == "valley" else y - 24
        parts.append(label(p.extreme, x, label_y, 10.5, fill=theme.MUTED, anchor="middle", halo=True))
    return join(parts)


def touchpoint_curve_svg(points: Sequence[CurvePoint], markers: Mapping[str, Sequence[Marker]]) -> str:
    """Measured emotion per touchpoint in the order of ``points``, with findings' markers under each column."""
    left = MARGIN + LABEL_W
    width = 2 * MARGIN + LABEL_W + max(len(points), 1) * COL_W
    plot_top = MARGIN + HEAD_H
    scale = EmotionScale(plot_top + PLOT_TOP_PAD, plot_top + PLOT_TOP_PAD + PLOT_H)
    chips_top = scale.bottom + PLOT_BOTTOM_PAD
    found = [markers.get(p.touchpoint or "", ()) for p in points]
    stacks = [_chips(marks, left + i * COL_W + 10, chips_top + 10, COL_W - 20) for i, marks in enumerate(found)]
    chips_h = max([56.0, *(12 + used for _, used in stacks)])
    right = width - MARGIN
    body = [el("rect", {"width": "100%", "height": "100%", "fill": theme.PAPER})]
    body += [
        rect(left, scale.y(hi), right - left, scale.y(lo) - scale.y(hi), fill=fill)
        for hi, lo, fill in ((10, 7, "#f0fdf4"), (3, 0, "#fef2f2"))
    ]
    body += [
        el(
            "line",
            {
                "x1": left,
                "x2": right,
                "y1": scale.y(g),
                "y2": scale.y(g),
                "stroke": theme.LINE_STRONG,
                "stroke-dasharray": "4 4" if g == 5 else None,
            },
        )
        for g in (0, 5, 10)
    ]
    body.append(_curve_labels(scale, plot_top, chips_top, chips_h))
    line: list[EmotionPoint | None] = []
    columns: list[Markup] = []
    for i, p in enumerate(points):
        x, centre = left + i * COL_W, left + i * COL_W + COL_W / 2
        hue = theme.stage_hue(0)
        name = wrap(p.label, COL_W - 24, 12, bold=True, max_lines=2)
        parts = [
            rect(x + 3, MARGIN, COL_W - 6, HEAD_H - 8, rx=8, fill=hue.soft),
            label(f"{i + 1}", x + 12, MARGIN + 17, 11, fill=hue.ink, bold=True),
            lines(name, x + 12, MARGIN + 22, fill=theme.INK),
        ]
        if i:
            parts.append(
                el("line", {"x1": x, "x2": x, "y1": plot_top, "y2": chips_top + chips_h, "stroke": theme.LINE})
            )
        if p.measured is None:
            line.append(None)
            parts.append(
                label(
                    "no scores",
                    centre,
                    (scale.top + scale.bottom) / 2,
                    11,
                    fill=theme.MUTED,
                    anchor="middle",
                    halo=True,
                )
            )
        else:
            grade = min(10.0, max(0.0, p.measured))
            line.append(EmotionPoint(p.touchpoint or p.label, "measured", grade, centre, scale.y(grade)))
        parts += stacks[i][0]
        columns.append(el("g", {"data-touchpoint": p.touchpoint or p.label}, *parts))
    runs = segments(line)
    paths = [
        el(
            "path",
            {
                "d": emotion_path(run),
                "fill": "none",
                "stroke": theme.MEASURED_LINE,
                "stroke-width": 2.5,
                "stroke-dasharray": "7 5",
                "stroke-linecap": "round",
            },
        )
        for run in runs
        if run
    ]
    dots = [
        _curve_point(p, left + i * COL_W + COL_W / 2, scale) for i, p in enumerate(points) if p.measured is not None
    ]
    body += [*columns, el("g", {"data-overlay": "Measured"}, *paths, *dots)]
    height = chips_top + chips_h + MARGIN
    description = f"Measured emotion at {len(points)} touchpoints, in the order customers typically meet them."
    return svg_document(width, height, "Measured emotional curve", description, *body)
