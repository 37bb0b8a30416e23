"""Drawing one placed :class:`~cxmap.render.layout.Item` (a touchpoint card, a clue, an idea...) as SVG.

The layout has already decided every box and wrapped every text; this module only chooses shapes and
colours, so the legend can reuse the same markers and the map and its legend never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from cxmap.render import theme
from cxmap.render.icons import icon
from cxmap.render.layout import Item
from cxmap.render.svgkit import el, join, lines, pill, rect, title

PILL_HEIGHT = 16.0
_NOTE_HUES: dict[str, tuple[theme.Hue, str]] = {
    "problem": (theme.PROBLEM, "alert"),
    "purple-cow": (theme.PURPLE_COW, "star"),
    "idea": (theme.IDEA, "bulb"),
}
_MOMENT_HUES: dict[str, tuple[theme.Hue, str]] = {
    "moment": (theme.MOMENT, "diamond"),
    "hot-spot": (theme.HOT_SPOT, "flame"),
    "purchase": (theme.PURCHASE, "tag"),
}
_TONES: dict[str, theme.Hue] = {
    "good": theme.PURCHASE,
    "bad": theme.HOT_SPOT,
    "neutral": theme.Hue("#475569", "#f8fafc", "#1e293b"),
}


def clue_marker(kind: str, x: float, y: float, size: float = 9.0) -> Markup:
    """The clue kind's marker in a ``size`` square at (x, y): square, diamond or circle."""
    style = theme.CLUE_STYLES[kind]
    half = size / 2
    if style.shape == "circle":
        return el("circle", {"cx": x + half, "cy": y + half, "r": half, "fill": style.colour})
    if style.shape == "diamond":
        d = f"M{x + half} {y}L{x + size} {y + half}L{x + half} {y + size}L{x} {y + half}Z"
        return el("path", {"d": d, "fill": style.colour})
    return el(
        "rect",
        {"x": x + 0.5, "y": y + 0.5, "width": size - 1, "height": size - 1, "rx": 1.5, "fill": style.colour},
    )


def _box(
    item: Item,
    *,
    fill: str,
    stroke: str | None = None,
    width: float = 1.0,
    dashed: bool = False,
    radius: float = 8.0,
) -> Markup:
    return rect(
        item.x,
        item.y,
        item.width,
        item.height,
        rx=radius,
        fill=fill,
        stroke=stroke,
        stroke_width=width if stroke else None,
        stroke_dasharray="4 3" if dashed else None,
    )


def _first_line_middle(item: Item) -> float:
    return item.text_y + item.text.line_height / 2


def _action(item: Item) -> Markup:
    parts = [lines(item.text, item.text_x, item.text_y, fill=theme.INK)]
    if item.sub:
        parts.append(lines(item.sub, item.text_x, item.sub_y, fill=theme.MUTED, italic=True))
    return join(parts)


def _touchpoint(item: Item) -> Markup:
    style = theme.OWNER_STYLES[item.tag or "us"]
    cx, cy = item.x + 19, item.y + 19
    return join(
        [
            _box(item, fill=style.card_fill, stroke=style.border, width=1.3, dashed=style.dashed),
            el("circle", {"cx": cx, "cy": cy, "r": 12, "fill": style.tint}),
            icon(item.icon or "dot", cx - 7.5, cy - 7.5, 15, style.accent, stroke=1.7),
            lines(item.text, item.text_x, item.text_y, fill=theme.INK),
            pill(
                style.label,
                item.text_x,
                item.bottom - 8 - PILL_HEIGHT,
                fill=style.badge_fill,
                ink=style.badge_text,
                stroke=style.border if style.dashed else None,
            ),
        ]
    )


def _moment(item: Item) -> Markup:
    hue, glyph = _MOMENT_HUES[item.kind]
    strong = item.kind == "hot-spot"
    middle = _first_line_middle(item)
    parts = [
        _box(
            item,
            fill=hue.soft,
            stroke=hue.strong,
            width=2.0 if strong else 1.2,
            radius=min(14, item.height / 2),
        ),
        icon(glyph, item.x + 8, middle - 8, 16, hue.strong, stroke=1.8),
        lines(item.text, item.text_x, item.text_y, fill=hue.ink),
    ]
    if item.sub:
        parts.append(lines(item.sub, item.text_x, item.sub_y, fill=hue.ink))
    return join(parts)


def _listed(glyph: str) -> Callable[[Item], Markup]:
    """Front-stage and back-stage entries: a small grey icon, the text, and a muted second line."""

    def draw(item: Item) -> Markup:
        parts = [
            icon(glyph, item.x, _first_line_middle(item) - 7, 14, theme.MUTED, stroke=1.8),
            lines(item.text, item.text_x, item.text_y, fill=theme.INK),
        ]
        if item.sub:
            parts.append(lines(item.sub, item.text_x, item.sub_y, fill=theme.MUTED))
        return join(parts)

    return draw


def _clue(item: Item) -> Markup:
    marker = clue_marker(item.tag or "tangible", item.x + 1, _first_line_middle(item) - 4.5)
    return join([marker, lines(item.text, item.text_x, item.text_y, fill=theme.INK_SOFT)])


def _note(item: Item) -> Markup:
    hue, glyph = _NOTE_HUES[item.kind]
    parts = [
        _box(item, fill=hue.soft, radius=6),
        el(
            "rect",
            {"x": item.x, "y": item.y, "width": 3.5, "height": item.height, "rx": 1.5, "fill": hue.strong},
        ),
        icon(glyph, item.x + 9, _first_line_middle(item) - 7, 14, hue.strong, stroke=1.8),
        lines(item.text, item.text_x, item.text_y, fill=hue.ink),
    ]
    if item.kind == "idea":
        chip = theme.STATUS_CHIPS[item.tag or "proposed"]
        parts.append(pill(chip.label, item.text_x, item.bottom - 8 - PILL_HEIGHT, fill=chip.fill, ink=chip.text))
    return join(parts)


def _overlay(item: Item) -> Markup:
    hue = _TONES.get(item.tag or "neutral", _TONES["neutral"])
    return join(
        [
            _box(
                item,
                fill=hue.soft,
                stroke=theme.MEASURED_LINE,
                width=1.2,
                dashed=True,
                radius=min(14, item.height / 2),
            ),
            icon("diamond", item.x + 8, _first_line_middle(item) - 6, 12, theme.MEASURED_LINE),
            lines(item.text, item.text_x, item.text_y, fill=hue.ink),
        ]
    )


_DRAW: dict[str, Callable[[Item], Markup]] = {
    "action": _action,
    "touchpoint": _touchpoint,
    "moment": _moment,
    "hot-spot": _moment,
    "purchase": _moment,
    "frontstage": _listed("in-person"),
    "backstage": _listed("server"),
    "clue": _clue,
    "problem": _note,
    "purple-cow": _note,
    "idea": _note,
    "overlay": _overlay,
}


def draw_item(item: Item, tooltip: str | None = None) -> Markup:
    """The item in its own group; its full text becomes a tooltip when the box had to cut it."""
    tip = tooltip or (item.text.full if item.text.truncated or (item.sub and item.sub.truncated) else None)
    if tip and item.sub and item.sub.truncated:
        tip = f"{tip}\n{item.sub.full}"
    attrs = {"data-item": item.kind, "data-ref": item.ref, "data-tag": item.tag}
    return el("g", attrs, *([title(tip)] if tip else []), _DRAW[item.kind](item))
