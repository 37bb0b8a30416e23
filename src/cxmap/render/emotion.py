"""The emotional journey lane: zones, gridlines, the designed line and its points, and an overlay line.

The line goes through each graded step's ``during`` grade; before/after grades are smaller points in the
same column, joined to it by a dotted trail; a step without a grade breaks the line.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from markupsafe import Markup

from cxmap.render import theme
from cxmap.render.layout import LABEL_WIDTH, MARGIN, EmotionPoint, Layout
from cxmap.render.svgkit import el, join, label, num, rect, title


def emotion_path(points: Sequence[EmotionPoint]) -> str:
    """A smooth path through the points that never overshoots them (monotone cubic, Fritsch-Carlson).

    Peaks and valleys stay exactly at their grades, so the curve never shows a feeling nobody recorded.
    """
    xs, ys = [p.x for p in points], [p.y for p in points]
    path = f"M{num(xs[0])} {num(ys[0])}"
    if len(points) < 2:
        return path
    slopes = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)]
    tangents = [
        slopes[0],
        *((a + b) / 2 if a * b > 0 else 0.0 for a, b in itertools.pairwise(slopes)),
        slopes[-1],
    ]
    for i, slope in enumerate(slopes):
        if slope == 0:
            tangents[i] = tangents[i + 1] = 0.0
            continue
        a, b = tangents[i] / slope, tangents[i + 1] / slope
        if a * a + b * b > 9:
            scale = 3 / math.hypot(a, b)
            tangents[i], tangents[i + 1] = scale * a * slope, scale * b * slope
    for i in range(len(xs) - 1):
        h = (xs[i + 1] - xs[i]) / 3
        c1 = f"{num(xs[i] + h)} {num(ys[i] + tangents[i] * h)}"
        c2 = f"{num(xs[i + 1] - h)} {num(ys[i + 1] - tangents[i + 1] * h)}"
        path += f"C{c1} {c2} {num(xs[i + 1])} {num(ys[i + 1])}"
    return path


def _grade_text(grade: float) -> str:
    return f"{grade:g}" if grade == round(grade, 1) else f"{grade:.1f}"


def _emotion_grid(layout: Layout) -> Markup:
    """Tinted zones for good (7 and up) and bad (3 and below) feelings, and gridlines at 0, 5 and 10."""
    left, right = MARGIN + LABEL_WIDTH, layout.width - MARGIN
    scale = layout.scale
    zones = [(10, 7, "#f0fdf4"), (3, 0, "#fef2f2")]
    parts = [
        rect(left, scale.y(high), right - left, scale.y(low) - scale.y(high), fill=fill) for high, low, fill in zones
    ]
    for grade in (0, 5, 10):
        y = scale.y(grade)
        parts.append(
            el(
                "line",
                {
                    "x1": left,
                    "x2": right,
                    "y1": y,
                    "y2": y,
                    "stroke": theme.LINE_STRONG,
                    "stroke-dasharray": "4 4" if grade == 5 else None,
                },
            )
        )
    return join(parts)


def _mood_id(layout: Layout) -> str:
    """The area gradient spans this map's emotion lane; maps with the lane elsewhere get another id."""
    return f"cx-mood-{round(layout.scale.top)}-{round(layout.scale.bottom)}"


def _designed_line(layout: Layout) -> Markup:
    parts = []
    bottom = num(layout.scale.bottom)
    for segment in layout.emotion.segments:
        path = emotion_path(segment)
        if len(segment) > 1:
            area = f"{path}L{num(segment[-1].x)} {bottom}L{num(segment[0].x)} {bottom}Z"
            parts.append(el("path", {"d": area, "fill": f"url(#{_mood_id(layout)})", "opacity": 0.2}))
        parts.append(
            el(
                "path",
                {
                    "d": path,
                    "fill": "none",
                    "stroke": theme.EMOTION_LINE,
                    "stroke-width": 3,
                    "stroke-linecap": "round",
                    "stroke-linejoin": "round",
                },
            )
        )
    return el("g", {"data-emotion-line": "designed"}, *parts)


def _emotion_cell(layout: Layout, step_id: str) -> Markup:
    """Before/during/after points of one step: the small ones joined to the big ``during`` dot."""
    points = [p for p in layout.emotion.points if p.step_id == step_id]
    if not points:
        column = layout.column(step_id)
        y = (layout.scale.top + layout.scale.bottom) / 2
        return el(
            "g",
            {"data-cell": step_id},
            label("not graded", column.centre, y, 11, fill=theme.MUTED, anchor="middle", halo=True),
        )
    parts = []
    if len(points) > 1:
        trail = "".join(f"{'M' if i == 0 else 'L'}{num(p.x)} {num(p.y)}" for i, p in enumerate(points))
        parts.append(
            el(
                "path",
                {
                    "d": trail,
                    "fill": "none",
                    "stroke": theme.MUTED,
                    "stroke-width": 1.5,
                    "stroke-dasharray": "2 3",
                },
            )
        )
    for point in points:
        colour = theme.grade_colour(point.grade)
        attrs: dict[str, object] = {
            "data-when": point.when,
            "data-grade": point.grade,
            "cx": point.x,
            "cy": point.y,
        }
        tip = f"{point.when.capitalize()}: {_grade_text(point.grade)} / 10"
        if point.when == "during":
            attrs |= {"r": 7.5, "fill": colour, "stroke": "#ffffff", "stroke-width": 2.5}
            parts.append(el("circle", attrs, title(tip)))
            parts.append(
                label(
                    _grade_text(point.grade),
                    point.x,
                    point.y - 13,
                    12,
                    fill=theme.INK,
                    bold=True,
                    anchor="middle",
                    halo=True,
                )
            )
        else:
            attrs |= {"r": 4.5, "fill": "#ffffff", "stroke": colour, "stroke-width": 2.2}
            parts.append(el("circle", attrs, title(tip)))
    return el("g", {"data-cell": step_id}, *parts)


def _overlay(layout: Layout) -> Markup:
    line = layout.overlay
    if line is None:
        return Markup("")
    parts = [
        el(
            "path",
            {
                "d": emotion_path(s),
                "fill": "none",
                "stroke": theme.MEASURED_LINE,
                "stroke-width": 2.5,
                "stroke-dasharray": "7 5",
                "stroke-linecap": "round",
            },
        )
        for s in line.segments
    ]
    for p in line.points:
        d = f"M{num(p.x)} {num(p.y - 6)}l6 6-6 6-6-6z"
        tip = f"{layout.overlay_label}: {_grade_text(p.grade)} / 10"
        parts.append(
            el(
                "path",
                {
                    "d": d,
                    "fill": theme.MEASURED_LINE,
                    "stroke": "#ffffff",
                    "stroke-width": 1.5,
                    "data-when": p.when,
                    "data-grade": p.grade,
                    "data-step-point": p.step_id,
                },
                title(tip),
            )
        )
    return el("g", {"data-overlay": layout.overlay_label}, *parts)


def emotion_defs(layout: Layout) -> Markup:
    """The gradient under the line: green at grade 10, amber at 5, red at 0."""
    stops = [(0, theme.POSITIVE), (0.5, theme.NEUTRAL), (1, theme.NEGATIVE)]
    where = {
        "x1": 0,
        "x2": 0,
        "y1": layout.scale.top,
        "y2": layout.scale.bottom,
        "gradientUnits": "userSpaceOnUse",
    }
    gradient = el(
        "linearGradient",
        {"id": _mood_id(layout), **where},
        *(el("stop", {"offset": o, "stop-color": c}) for o, c in stops),
    )
    return el("defs", None, gradient)


def emotion_lane(layout: Layout) -> Markup:
    """Everything drawn inside the emotion lane, below its label."""
    cells = [_emotion_cell(layout, cell.step_id) for cell in layout.lane("emotion").cells]
    return join([_emotion_grid(layout), _designed_line(layout), *cells, _overlay(layout)])
