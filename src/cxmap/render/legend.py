"""The map's key: what each badge, marker, line and icon means, drawn with the map's own markers.

Entries flow left to right and wrap to the width given, so the same key fits under a two-step map, under
a 45-step map and on its own on the HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from cxmap.render import theme
from cxmap.render.icons import CHANNELS, icon
from cxmap.render.items import clue_marker
from cxmap.render.svgkit import el, join, label, pill, pill_width
from cxmap.render.text import text_width

ROW_HEIGHT = 26.0
TEXT_SIZE = 11.5
GAP = 18.0

Symbol = Callable[[float, float], Markup]  # draws at (x, middle of the row)


@dataclass(frozen=True)
class _Entry:
    text: str
    symbol: Symbol | None = None
    symbol_width: float = 16.0
    heading: bool = False

    @property
    def width(self) -> float:
        room = self.symbol_width + 6 if self.symbol else 0
        return room + text_width(self.text, TEXT_SIZE, bold=self.heading) + (10 if self.heading else GAP)


def _glyph(name: str, colour: str) -> Symbol:
    return lambda x, y: icon(name, x, y - 8, 16, colour, stroke=1.8)


def _badge(owner: str) -> _Entry:
    style = theme.OWNER_STYLES[owner]

    def draw(x: float, y: float) -> Markup:
        stroke = style.border if style.dashed else None
        return pill(style.label, x, y - 8, fill=style.badge_fill, ink=style.badge_text, stroke=stroke)

    return _Entry("", draw, pill_width(style.label) - 6)


def _line(colour: str, dash: str | None, width: float) -> Symbol:
    def draw(x: float, y: float) -> Markup:
        d = f"M{x} {y + 4}C{x + 9} {y + 4} {x + 13} {y - 5} {x + 26} {y - 4}"
        return el(
            "path",
            {
                "d": d,
                "fill": "none",
                "stroke": colour,
                "stroke-width": width,
                "stroke-dasharray": dash,
                "stroke-linecap": "round",
            },
        )

    return draw


def _before_after(x: float, y: float) -> Markup:
    circles = [(x + 4, theme.NEUTRAL), (x + 14, theme.POSITIVE), (x + 24, theme.POSITIVE)]
    return join(
        el(
            "circle",
            {
                "cx": cx,
                "cy": y,
                "r": 6 if i == 1 else 3.5,
                "fill": colour if i == 1 else "#ffffff",
                "stroke": "#ffffff" if i == 1 else colour,
                "stroke-width": 2,
            },
        )
        for i, (cx, colour) in enumerate(circles)
    )


def _heading(text: str) -> _Entry:
    return _Entry(text, heading=True)


def _clue(kind: str) -> Symbol:
    return lambda x, y: clue_marker(kind, x + 3, y - 5, 10)


def _entries(overlay_label: str | None) -> list[_Entry]:
    heading = _heading
    found = [heading("Touchpoint owner"), *(_badge(owner) for owner in theme.OWNER_STYLES)]
    found += [
        heading("Moments"),
        _Entry("Moment of truth", _glyph("diamond", theme.MOMENT.strong)),
        _Entry("Hot spot", _glyph("flame", theme.HOT_SPOT.strong)),
        _Entry("Purchase", _glyph("tag", theme.PURCHASE.strong)),
        heading("Emotion"),
        _Entry("During the step", _line(theme.EMOTION_LINE, None, 3), 28),
        _Entry("Before \u00b7 during \u00b7 after", _before_after, 28),
    ]
    if overlay_label:
        found.append(_Entry(overlay_label, _line(theme.MEASURED_LINE, "6 4", 2.5), 28))
    found.append(heading("Clues"))
    for kind, clue in theme.CLUE_STYLES.items():
        found.append(_Entry(f"{clue.label}: {clue.meaning}", _clue(kind)))
    found += [
        heading("Improve"),
        _Entry("Problem area", _glyph("alert", theme.PROBLEM.strong)),
        _Entry("Purple cow", _glyph("star", theme.PURPLE_COW.strong)),
        _Entry("Idea", _glyph("bulb", theme.IDEA.strong)),
        heading("Channels"),
        *(_Entry(name.replace("-", " "), _glyph(name, theme.MUTED)) for name in CHANNELS),
    ]
    return found


def _rows(entries: list[_Entry], width: float) -> list[list[_Entry]]:
    """Flow entries into rows; a heading never ends a row without its first entry."""
    rows: list[list[_Entry]] = [[]]
    used = 0.0
    for i, entry in enumerate(entries):
        need = entry.width + (entries[i + 1].width if entry.heading and i + 1 < len(entries) else 0)
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        if entry.heading and rows[-1]:
            used += 14  # a little air before each group
        rows[-1].append(entry)
        used += entry.width
    return rows


def legend(x: float, y: float, width: float, overlay_label: str | None = None) -> tuple[Markup, float]:
    """The key at (x, y) within ``width``; returns the drawing and the height it takes."""
    parts: list[Markup] = []
    rows = _rows(_entries(overlay_label), width)
    for r, row in enumerate(rows):
        middle = y + r * ROW_HEIGHT + ROW_HEIGHT / 2
        left = x
        for entry in row:
            if entry.heading and left > x:
                left += 14
            if entry.symbol:
                parts.append(entry.symbol(left, middle))
                left += entry.symbol_width + 6
            if entry.text:
                colour = theme.MUTED if entry.heading else theme.INK_SOFT
                parts.append(label(entry.text, left, middle + 4, TEXT_SIZE, fill=colour, bold=entry.heading))
            left += entry.width - (entry.symbol_width + 6 if entry.symbol else 0)
    return el("g", {"data-part": "legend"}, *parts), len(rows) * ROW_HEIGHT
