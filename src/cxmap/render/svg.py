"""The journey map as one standalone SVG document: stages, step columns, lanes, the emotion line.

Each step column is a ``<g data-step="STEP_ID">`` and each lane a ``<g data-lane="KEY">`` holding one
``<g data-cell="STEP_ID">`` per step; emotion points carry ``data-when`` (before, during, after, or
measured for an overlay) and ``data-grade``. Tests, the web app and the browser tests rely on these names.
"""

from __future__ import annotations

from markupsafe import Markup

from cxmap.model.map import Map
from cxmap.render import theme
from cxmap.render.emotion import emotion_defs, emotion_lane, emotion_path
from cxmap.render.icons import icon
from cxmap.render.items import draw_item
from cxmap.render.layout import (
    CELL_PAD,
    LABEL_WIDTH,
    MARGIN,
    STAGE_HEIGHT,
    STEP_HEADER_HEIGHT,
    Lane,
    Layout,
    Overlay,
    build_layout,
)
from cxmap.render.legend import legend as draw_legend
from cxmap.render.rings import render_stakeholders_svg
from cxmap.render.svgkit import el, join, label, lines, pill, pill_width, rect, svg_document, title

__all__ = [
    "emotion_path",
    "render_lane_labels_svg",
    "render_legend_svg",
    "render_stakeholders_svg",
    "render_svg",
    "svg_document",
]


def _header(m: Map, layout: Layout) -> Markup:
    head = layout.header
    if head is None:
        return Markup("")
    y = head.y + 4
    parts = [lines(head.title, MARGIN, y, fill=theme.INK)]
    y += head.title.height + 10
    chip = theme.KIND_CHIPS[m.kind]
    parts.append(pill(chip.label, MARGIN, y, fill=chip.fill, ink=chip.text, size=11, height=20))
    facts = [f"Version {m.version}" if m.version else "", f"Persona: {m.persona.name}" if m.persona else ""]
    facts.append(f"{len(m.steps)} steps in {len(m.stages)} stages")
    x = MARGIN + pill_width(chip.label, 11) + 12
    parts.append(label("  \u00b7  ".join(f for f in facts if f), x, y + 14.5, 12.5, fill=theme.INK_SOFT))
    if head.outcome:
        parts.append(lines(head.outcome, MARGIN, y + 30, fill=theme.INK_SOFT))
    return el("g", {"data-part": "header"}, *parts)


def _stages(layout: Layout) -> Markup:
    bands = []
    for band in layout.stages:
        hue = theme.stage_hue(band.index)
        y = layout.stage_y
        count = f"{band.steps} step" + ("s" if band.steps > 1 else "")
        parts = [
            rect(band.x + 3, y, band.width - 6, STAGE_HEIGHT - 8, rx=8, fill=hue.strong),
            lines(
                band.title,
                band.x + 3 + CELL_PAD + 4,
                y + (STAGE_HEIGHT - 8 - band.title.height) / 2,
                fill="#ffffff",
            ),
        ]
        if band.title.width + 90 < band.width:
            parts.append(
                label(count, band.x + band.width - 3 - CELL_PAD - 4, y + 22, 11.5, fill="#ffffff", anchor="end")
            )
        bands.append(el("g", {"data-stage": band.stage_id}, title(band.title.full), *parts))
    return el("g", {"data-part": "stages"}, *bands)


def _columns(layout: Layout) -> Markup:
    groups = []
    for column in layout.columns:
        hue = theme.stage_hue(column.stage_index)
        y = layout.step_y
        parts = [
            rect(column.x + 3, y, column.width - 6, STEP_HEADER_HEIGHT - 6, rx=6, fill=hue.soft),
            label(f"Step {column.index + 1}", column.x + CELL_PAD + 4, y + 16.5, 11.5, fill=hue.ink, bold=True),
        ]
        if column.hot_spot:
            height = layout.body_bottom - y + 4
            parts.insert(
                0,
                rect(
                    column.x + 1.5,
                    y - 3,
                    column.width - 3,
                    height,
                    rx=10,
                    fill=theme.HOT_SPOT.soft,
                    stroke=theme.HOT_SPOT.strong,
                    stroke_width=2.5,
                ),
            )
            parts.append(icon("flame", column.x + column.width - CELL_PAD - 18, y + 3, 16, theme.HOT_SPOT.strong))
        elif column.moment_of_truth:
            parts.append(icon("diamond", column.x + column.width - CELL_PAD - 16, y + 5, 12, theme.MOMENT.strong))
        attrs = {
            "data-step": column.step_id,
            "id": f"cx-step-{column.step_id}",
            "data-index": column.index,
            "data-stage": column.stage_id,
            "data-hot-spot": "true" if column.hot_spot else None,
            "data-moment-of-truth": "true" if column.moment_of_truth else None,
        }
        groups.append(el("g", attrs, *parts))
    return el("g", {"data-part": "columns"}, *groups)


def _lane_row(layout: Layout, lane: Lane, order: int) -> Markup:
    """Every other lane is tinted, and a rule separates lanes."""
    right = layout.width - MARGIN
    tint = {"fill": theme.PANEL, "fill-opacity": 0.7} if order % 2 else {"fill": "none"}
    return join(
        [
            el("rect", {"x": MARGIN, "y": lane.y, "width": right - MARGIN, "height": lane.height, **tint}),
            el("line", {"x1": MARGIN, "x2": right, "y1": lane.y, "y2": lane.y, "stroke": theme.LINE_STRONG}),
        ]
    )


def _lane_label(layout: Layout, lane: Lane, order: int) -> Markup:
    """The label panel on the left: the lane's number, name and hint (and the emotion scale's ticks)."""
    x = MARGIN + CELL_PAD
    parts = [
        rect(MARGIN, lane.y + 0.5, LABEL_WIDTH, lane.height - 0.5, fill=theme.PANEL),
        el("circle", {"cx": x + 9, "cy": lane.y + 21, "r": 10, "fill": theme.LINE}),
        label(str(order + 1), x + 9, lane.y + 25, 11, fill=theme.INK_SOFT, bold=True, anchor="middle"),
        lines(lane.label, x + 26, lane.y + 12, fill=theme.INK),
        lines(lane.hint, x + 26, lane.y + 14 + lane.label.height, fill=theme.MUTED),
    ]
    if lane.key == "emotion":
        left, scale = MARGIN + LABEL_WIDTH, layout.scale
        parts += [
            label(str(g), left - 10, scale.y(g) + 4, 11, fill=theme.MUTED, bold=True, anchor="end") for g in (0, 5, 10)
        ]
        parts.append(icon("smile", left - 44, scale.y(10) - 8, 16, theme.POSITIVE, stroke=1.8))
        parts.append(icon("frown", left - 44, scale.y(0) - 8, 16, theme.NEGATIVE, stroke=1.8))
    return join(parts)


def _lanes(m: Map, layout: Layout) -> Markup:
    groups = []
    for order, lane in enumerate(layout.lanes):
        body: list[Markup] = [_lane_row(layout, lane, order), _lane_label(layout, lane, order)]
        if lane.key == "emotion":
            body.append(emotion_lane(layout))
        else:
            for cell in lane.cells:
                tips = [_tooltip(m, item.ref) if item.kind == "touchpoint" else None for item in cell.items]
                drawn = [draw_item(item, tip) for item, tip in zip(cell.items, tips, strict=True)]
                body.append(el("g", {"data-cell": cell.step_id}, *drawn))
        attrs = {"data-lane": lane.key, "id": f"cx-lane-{lane.key}", "data-order": order + 1}
        groups.append(el("g", attrs, *body))
    return el("g", {"data-part": "lanes"}, *groups)


def _tooltip(m: Map, touchpoint_id: str | None) -> str | None:
    """A touchpoint's hover text: its name, channel, owner and who delivers it."""
    if touchpoint_id is None:
        return None
    t = m.touchpoint(touchpoint_id)
    facts = [t.channel or "", theme.OWNER_STYLES[t.owner].label.lower(), t.delivered_by or ""]
    return f"{t.name} ({', '.join(f for f in facts if f)})"


def _grid(layout: Layout) -> Markup:
    """Column separators: faint between steps, stronger between stages."""
    parts = []
    for column in layout.columns[1:]:
        strong = layout.columns[column.index - 1].stage_index != column.stage_index
        parts.append(
            el(
                "line",
                {
                    "x1": column.x,
                    "x2": column.x,
                    "y1": layout.body_top,
                    "y2": layout.body_bottom,
                    "stroke": theme.LINE_STRONG if strong else theme.LINE,
                    "stroke-width": 1.5 if strong else 1,
                },
            )
        )
    bottom = layout.body_bottom
    parts.append(
        el(
            "line",
            {
                "x1": MARGIN,
                "x2": layout.width - MARGIN,
                "y1": bottom,
                "y2": bottom,
                "stroke": theme.LINE_STRONG,
            },
        )
    )
    return el("g", {"data-part": "grid"}, *parts)


def _corner(layout: Layout) -> Markup:
    """Names for the two header rows, in the label column above the lanes."""
    x = MARGIN + CELL_PAD
    return join(
        label(text, x, y, 11, fill=theme.MUTED, bold=True)
        for text, y in (("STAGES", layout.stage_y + 22), ("STEPS", layout.step_y + 16.5))
    )


def render_svg(m: Map, *, header: bool = True, legend: bool = True, overlay: Overlay | None = None) -> str:
    """The journey map as a standalone SVG document (the PNG and the HTML page are made from it).

    ``header`` adds the title, kind and outcome (the HTML page has its own); ``legend`` adds the key
    at the bottom; ``overlay`` draws a second reading (the measured map) over the designed one.
    """
    layout = build_layout(m, header=header, overlay=overlay)
    height = layout.height
    key = Markup("")
    if legend:
        key, used = draw_legend(MARGIN, layout.height - MARGIN + 16, layout.width - 2 * MARGIN, layout.overlay_label)
        height += used + 16
    body = [
        emotion_defs(layout),
        el("rect", {"width": "100%", "height": "100%", "fill": theme.PAPER}),
        _header(m, layout),
        _corner(layout),
        _columns(layout),
        _stages(layout),
        _lanes(m, layout),
        _grid(layout),
        key,
    ]
    persona = f" for {m.persona.name}" if m.persona else ""
    outcome = f" Outcome: {m.outcome}." if m.outcome else ""
    description = f"Customer journey map{persona}: {len(m.steps)} steps in {len(m.stages)} stages.{outcome}"
    return svg_document(layout.width, height, m.title, description, *body, **{"data-map": m.id})


def render_lane_labels_svg(m: Map, *, overlay: Overlay | None = None) -> str:
    """Only the lane labels of ``render_svg(m, header=False)``, same height: the HTML page pins them to the
    left edge of the scrolling map, so a 45-step map still says which lane is which."""
    layout = build_layout(m, header=False, overlay=overlay)
    width = MARGIN + LABEL_WIDTH
    body = [el("rect", {"width": "100%", "height": "100%", "fill": theme.PAPER}), _corner(layout)]
    for order, lane in enumerate(layout.lanes):
        frame = [_lane_row(layout, lane, order), _lane_label(layout, lane, order)]
        body.append(el("g", {"data-lane-label": lane.key}, *frame))
    bottom = layout.body_bottom
    body.append(el("line", {"x1": MARGIN, "x2": width, "y1": bottom, "y2": bottom, "stroke": theme.LINE_STRONG}))
    return svg_document(width, layout.height, "Lanes", "The map's lanes, top to bottom.", *body)


def render_legend_svg(width: float = 1100, *, overlay_label: str | None = None) -> str:
    """The map's key on its own, for pages that show the map in a scrolling box."""
    key, used = draw_legend(0, 0, width, overlay_label)
    return svg_document(width, used, "Legend", "What the map's markers, badges and lines mean.", key)
