"""Small inline SVG charts for the pages: a monthly trend, and emotion lines over time.

Built with :mod:`cxmap.render.svgkit`, which escapes every text on the way in, so a touchpoint name or a
comment in a tooltip stays text. The SVGs scale to their container (viewBox, width 100%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from cxmap.render import theme
from cxmap.render.svgkit import SVG_NS, el, join, label, title
from cxmap.service.types import TouchpointStats

MEAN_LINE = "#6d28d9"
BAND_BAD, BAND_GOOD = "#fef2f2", "#f0fdf4"
SERIES_COLOURS = ("#1d4ed8", "#be185d", "#0f766e", "#b45309", "#6d28d9", "#0e7490", "#4d7c0f", "#475569")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tone(emotion: float | None) -> str:
    """bad (<= 4), good (>= 7) or neutral: the bands of account experience and of the grade chips."""
    if emotion is None:
        return "none"
    return "bad" if emotion <= 4 else "good" if emotion >= 7 else "neutral"


def dot_colour(emotion: float) -> str:
    return {"bad": theme.NEGATIVE, "good": theme.POSITIVE}.get(tone(emotion), theme.NEUTRAL)


@dataclass
class Frame:
    """A plot area with emotion 0-10 upwards and anything along x, in a viewBox of width x height."""

    width: float
    height: float
    left: float = 44.0
    right: float = 36.0
    top: float = 14.0
    bottom: float = 30.0

    def y(self, emotion: float) -> float:
        return self.top + (10 - emotion) / 10 * (self.height - self.top - self.bottom)

    def x(self, share: float) -> float:
        return self.left + share * (self.width - self.left - self.right)

    def grid(self) -> Markup:
        """Bad and good bands, grid lines at 0, 5 and 10, and their labels."""
        x0, x1 = self.x(0), self.x(1)
        parts = [
            el("rect", {"x": x0, "y": self.y(4), "width": x1 - x0, "height": self.y(0) - self.y(4), "fill": BAND_BAD}),
            el(
                "rect",
                {"x": x0, "y": self.y(10), "width": x1 - x0, "height": self.y(7) - self.y(10), "fill": BAND_GOOD},
            ),
        ]
        for grade in (0, 5, 10):
            y = self.y(grade)
            parts.append(el("line", {"x1": x0, "x2": x1, "y1": y, "y2": y, "stroke": theme.LINE_STRONG}))
            parts.append(label(str(grade), x0 - 8, y + 4, 11, fill=theme.MUTED, anchor="end"))
        return join(parts)

    def svg(self, name: str, *body: Markup) -> Markup:
        attrs = {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {self.width:g} {self.height:g}",
            "width": "100%",
            "role": "img",
            "aria-label": name,
            "font-family": theme.FONT_STACK,
            "class": "chart",
        }
        return el("svg", attrs, *body)


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(points))


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def trend_svg(months: Sequence[TouchpointStats], width: float = 1200, height: float = 250) -> Markup:
    """Mean emotion per month with its interval (a band), and the number of scored events as thin bars."""
    frame = Frame(width, height, bottom=44)
    scored = [m for m in months if m.emotion_mean is not None]
    if not scored:
        return Markup("")
    n = len(months)
    step = 1 / max(n - 1, 1)
    xs = {m.period: frame.x(i * step if n > 1 else 0.5) for i, m in enumerate(months)}
    most = max(m.scored_events for m in months) or 1
    bars, dots, upper, lower = [], [], [], []
    bar_w = max(2.0, min(18.0, (frame.width - frame.left - frame.right) / max(n, 1) * 0.5))
    base = height - 22
    for m in months:
        x = xs[m.period]
        h = 16 * m.scored_events / most
        bars.append(el("rect", {"x": x - bar_w / 2, "y": base - h, "width": bar_w, "height": h, "fill": "#cbd5e1"}))
    for m in scored:
        x, mean = xs[m.period], float(m.emotion_mean or 0)
        lo, hi = m.emotion_ci
        if lo is not None and hi is not None:
            lower.append((x, frame.y(max(0.0, lo))))
            upper.append((x, frame.y(min(10.0, hi))))
        tip = f"{month_label(date.fromisoformat(m.period))}: mean {mean:.1f}/10 from {m.scored_events:,} scored events"
        dots.append(el("circle", {"cx": x, "cy": frame.y(mean), "r": 4, "fill": MEAN_LINE}, title(tip)))
    line = [(xs[m.period], frame.y(float(m.emotion_mean or 0))) for m in scored]
    band = _path([*upper, *reversed(lower)]) + " Z" if len(upper) > 1 else ""
    every = max(1, round(n / 8))
    ticks = [
        label(
            month_label(date.fromisoformat(m.period)), xs[m.period], height - 6, 11, fill=theme.MUTED, anchor="middle"
        )
        for i, m in enumerate(months)
        if i % every == 0
    ]
    return frame.svg(
        "Mean emotion per month",
        frame.grid(),
        el("path", {"d": band, "fill": "#ddd6fe", "opacity": 0.7}) if band else Markup(""),
        join(bars),
        el("path", {"d": _path(line), "fill": "none", "stroke": MEAN_LINE, "stroke-width": 2.5}),
        join(dots),
        join(ticks),
    )


@dataclass
class Series:
    """One person's scored moments: (when, emotion, what happened) in time order."""

    name: str
    points: list[tuple[datetime, float, str]] = field(default_factory=list)
    colour: str = MEAN_LINE


def _ticks(lo: datetime, hi: datetime, frame: Frame, span: float) -> Markup:
    """Month (or year) labels along the time axis."""
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    every = max(1, -(-months // 8))
    parts = []
    y, m = lo.year, lo.month
    for i in range(months + 1):
        at = datetime(y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1, 1)
        if at < lo or at > hi or i % every:
            continue
        x = frame.x((at - lo).total_seconds() / span)
        parts.append(el("line", {"x1": x, "x2": x, "y1": frame.y(0), "y2": frame.y(0) + 5, "stroke": theme.MUTED}))
        parts.append(label(month_label(at.date()), x, frame.height - 8, 11, fill=theme.MUTED, anchor="middle"))
    return join(parts)


def emotion_svg(series: Sequence[Series], width: float = 1200, height: float = 250) -> Markup:
    """Emotion over time, one line per series; a dot per scored moment with its grade's colour and a tooltip."""
    everything = [p for s in series for p in s.points]
    if not everything:
        return Markup("")
    frame = Frame(width, height)
    lo, hi = min(p[0] for p in everything), max(p[0] for p in everything)
    span = max((hi - lo).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        return frame.x((at - lo).total_seconds() / span) if hi > lo else frame.x(0.5)

    lines, dots = [], []
    by_grade = len(series) == 1  # one person: dots take their grade's colour; several: their person's
    for s in series:
        coords = [(x(at), frame.y(e)) for at, e, _ in s.points]
        if len(coords) > 1:
            lines.append(el("path", {"d": _path(coords), "fill": "none", "stroke": s.colour, "stroke-width": 2.2}))
        for (at, emotion, what), (cx, cy) in zip(s.points, coords, strict=True):
            tip = f"{s.name}, {at:%Y-%m-%d}: {emotion:.1f}/10 at {what}"
            fill = dot_colour(emotion) if by_grade else s.colour
            dot = {"cx": cx, "cy": cy, "r": 5, "fill": fill, "stroke": "#ffffff", "stroke-width": 1.5}
            dots.append(el("circle", dot, title(tip)))
    return frame.svg("Emotion over time", frame.grid(), _ticks(lo, hi, frame, span), join(lines), join(dots))
