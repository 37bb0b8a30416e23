"""The stakeholder map: rings of influence around the customer.

Ring 0 is the customer at the centre (its stakeholders, e.g. the champion and the users, are listed inside
the centre disc); each further ring is a band. A crowded ring grows so that its labels keep their room,
and every stakeholder carries what we give and what they give as a hover tooltip (``<title>``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from cxmap.model.map import Map
from cxmap.model.schema import Stakeholder
from cxmap.render import theme
from cxmap.render.svgkit import el, label, lines, rect, svg_document, title
from cxmap.render.text import TextBlock, wrap

RING_STEP = 96.0  # width of one ring's band
SLOT = 150.0  # arc length each stakeholder needs on its ring
LABEL_WIDTH = 130.0
MARGIN = 16.0
CHIP_HEIGHT = 22.0
CHIP_ROOM = 170.0  # widest ring-0 name inside the centre disc
BANDS = ("#dbe4ff", "#e6ecff", "#eff3ff", "#f5f7ff", "#fafbff")
NODE = "#4338ca"


@dataclass(frozen=True)
class Node:
    """A stakeholder placed on its ring."""

    stakeholder: Stakeholder
    x: float
    y: float
    name: TextBlock
    anchor: str  # start | middle | end: the label points away from the centre
    label_x: float
    label_y: float  # top of the label's first line


@dataclass(frozen=True)
class Rings:
    width: float
    height: float
    cx: float
    cy: float
    disc: float  # radius of the customer disc
    outer: tuple[float, ...]  # outer radius of rings 1..n
    persona: TextBlock
    inner: tuple[Stakeholder, ...]  # ring 0
    chips: tuple[TextBlock, ...]  # their names
    nodes: tuple[Node, ...]


def _node(stakeholder: Stakeholder, angle: float, radius: float, cx: float, cy: float) -> Node:
    """A stakeholder at ``angle`` on a circle, its label on the outer side of its dot."""
    name = wrap(stakeholder.name, LABEL_WIDTH, 11.5, bold=True, max_lines=2)
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = cx + radius * cos, cy + radius * sin
    if abs(cos) >= 0.35:
        anchor, lx, ly = ("start", x + 14, y) if cos > 0 else ("end", x - 14, y)
        ly -= name.height / 2
    else:
        anchor, lx = "middle", x
        ly = y + 13 if sin > 0 else y - 13 - name.height
    return Node(stakeholder, x, y, name, anchor, lx, ly)


def place_rings(m: Map) -> Rings:
    """Radii grow ring by ring; a ring with many stakeholders is pushed out until they fit around it."""
    persona = wrap(m.persona.name if m.persona else "The customer", 150, 14, bold=True, max_lines=2)
    inner = tuple(s for s in m.stakeholders if s.ring == 0)
    chips = tuple(wrap(s.name, CHIP_ROOM, 11, max_lines=1) for s in inner)
    content = persona.height + 20 + len(inner) * (CHIP_HEIGHT + 6)
    widest = max([persona.width, *(c.width + 20 for c in chips)])
    disc = max(86.0, content / 2 + 26, math.hypot(widest / 2, content / 2) + 10)
    last = max((s.ring for s in m.stakeholders), default=0)
    outer: list[float] = []
    for ring in range(1, last + 1):
        count = sum(1 for s in m.stakeholders if s.ring == ring)
        previous = outer[-1] if outer else disc
        outer.append(max(previous + RING_STEP, count * SLOT / (2 * math.pi) + RING_STEP / 2))
    radius = outer[-1] if outer else disc
    angles = []
    for ring, edge in enumerate(outer, start=1):
        here = [s for s in m.stakeholders if s.ring == ring]
        for i, stakeholder in enumerate(here):
            angle = math.radians(-90 + (i + 0.5) * 360 / len(here) + ring * 23)
            angles.append((stakeholder, angle, edge - RING_STEP / 2))
    # Place around (0, 0) first to learn how far the labels reach, then move everything into the canvas.
    left, top, right, bottom = _bounds([_node(*a, 0, 0) for a in angles], radius)
    cx, cy = MARGIN - left, MARGIN - top
    nodes = tuple(_node(*a, cx, cy) for a in angles)
    width, height = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN
    return Rings(width, height, cx, cy, disc, tuple(outer), persona, inner, chips, nodes)


def _bounds(nodes: list[Node], radius: float) -> tuple[float, float, float, float]:
    """The box around the rings and every label, relative to the centre."""
    left, top, right, bottom = -radius, -radius, radius, radius
    for n in nodes:
        width = n.name.width
        start = {"start": n.label_x, "end": n.label_x - width, "middle": n.label_x - width / 2}[n.anchor]
        left, right = min(left, start), max(right, start + width)
        top, bottom = min(top, n.label_y), max(bottom, n.label_y + n.name.height)
    return left, top, right, bottom


def _tip(s: Stakeholder, m: Map) -> str:
    """Hover text: what flows both ways, and which back stage the stakeholder influences."""
    parts = [f"{s.name} (ring {s.ring})"]
    if s.we_give:
        parts.append(f"We give: {s.we_give}")
    if s.they_give:
        parts.append(f"They give: {s.they_give}")
    influenced = [b.name for b in m.backstage if s.id in b.influenced_by]
    if influenced:
        parts.append(f"Influences: {', '.join(influenced)}")
    return "\n".join(parts)


def _attrs(s: Stakeholder) -> dict[str, str | float | int | None]:
    return {
        "data-stakeholder": s.id,
        "data-ring": s.ring,
        "data-we-give": s.we_give,
        "data-they-give": s.they_give,
    }


def _bands(r: Rings) -> list[Markup]:
    parts = []
    for ring in range(len(r.outer), 0, -1):
        radius = r.outer[ring - 1]
        fill = BANDS[min(ring - 1, len(BANDS) - 1)]
        parts.append(
            el(
                "circle",
                {
                    "cx": r.cx,
                    "cy": r.cy,
                    "r": radius,
                    "fill": fill,
                    "stroke": "#c7d2fe",
                    "stroke-width": 1.2,
                    "data-ring-band": ring,
                },
            )
        )
    for ring, radius in enumerate(r.outer, start=1):
        parts.append(
            label(
                f"Ring {ring}",
                r.cx,
                r.cy - radius + 16,
                11,
                fill=theme.MUTED,
                bold=True,
                anchor="middle",
                halo=True,
            )
        )
    return parts


def _centre(r: Rings, m: Map) -> list[Markup]:
    top = r.cy - (r.persona.height + 20 + len(r.inner) * (CHIP_HEIGHT + 6)) / 2
    parts = [
        el("circle", {"cx": r.cx, "cy": r.cy, "r": r.disc, "fill": "#1e3a8a", "data-ring-band": 0}),
        label("CUSTOMER", r.cx, top + 10, 10.5, fill="#bfdbfe", bold=True, anchor="middle"),
        lines(r.persona, r.cx, top + 18, fill="#ffffff", anchor="middle"),
    ]
    y = top + 24 + r.persona.height
    for s, name in zip(r.inner, r.chips, strict=True):
        width = name.width + 20
        chip = [
            title(_tip(s, m)),
            rect(r.cx - width / 2, y, width, CHIP_HEIGHT, rx=CHIP_HEIGHT / 2, fill="#ffffff"),
            label(name.lines[0], r.cx, y + 15, 11, fill="#1e3a8a", anchor="middle"),
        ]
        parts.append(el("g", _attrs(s), *chip))
        y += CHIP_HEIGHT + 6
    return parts


def draw_rings(m: Map) -> tuple[tuple[float, float], Markup]:
    """The rings as one group, and the width and height they need."""
    r = place_rings(m)
    parts = [*_bands(r), *_centre(r, m)]
    for node in r.nodes:
        parts.append(
            el(
                "g",
                _attrs(node.stakeholder),
                title(_tip(node.stakeholder, m)),
                el(
                    "circle",
                    {
                        "cx": node.x,
                        "cy": node.y,
                        "r": 8,
                        "fill": NODE,
                        "stroke": "#ffffff",
                        "stroke-width": 2.5,
                    },
                ),
                lines(node.name, node.label_x, node.label_y, fill=theme.INK, anchor=node.anchor, halo=True),
            )
        )
    return (r.width, r.height), el("g", {"data-part": "stakeholders"}, *parts)


def render_stakeholders_svg(m: Map) -> str:
    """The stakeholder map as a standalone SVG document."""
    (width, height), body = draw_rings(m)
    count = len(m.stakeholders)
    description = f"{count} stakeholders on rings of influence around the customer. Hover one for what flows."
    return svg_document(width, height, f"Stakeholders of {m.title}", description, body, **{"data-map": m.id})
