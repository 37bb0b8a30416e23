"""The measured-map report: what `cxmap analyze` found, as one self-contained HTML page.

On top, the headline and a short summary (the sentences of :mod:`cxmap.render.summary`); then the map
drawn as usual with the measured emotion over the designed line and a marker wherever a hot spot, problem
area or purple cow sits; then one section per finding, each with its counts, intervals and what customers
said. Every marker links to its finding (``#hot-spot-kickoff-call``). Jinja autoescapes every value; the
SVGs are marked safe only because :mod:`cxmap.render.svgkit` escaped every text inside them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from cxmap.analytics.comparison import EVIDENCE_TEXT
from cxmap.analytics.findings import Findings, TouchpointStats
from cxmap.model.map import Map
from cxmap.render import theme
from cxmap.render.html import LEGEND_WIDTH, _version, environment
from cxmap.render.journey_graph import MARKER_HUES, GraphNode, Marker, journey_graph_svg, touchpoint_curve_svg
from cxmap.render.layout import LABEL_WIDTH, MARGIN, Overlay, OverlayMarker, build_layout
from cxmap.render.summary import grade, headline, outcome_words, pct, points, signed, summary_lines
from cxmap.render.svg import render_lane_labels_svg, render_legend_svg, render_svg
from cxmap.render.svgkit import el, label, title

Evidence = Mapping[str, Sequence[Mapping[str, Any]]]
GRAPH_EDGES = 25
TOP_VARIANTS = 10
COMMENTS = 3
OPEN_EVIDENCE = 3  # the first hot spots show their comments; the others on a click
MEASURED_INK = "#5b21b6"  # violet text for the measured grades: 8:1 on white

SECTIONS = (
    ("summary", "Summary"),
    ("map", "Measured map"),
    ("hot-spots", "Hot spots"),
    ("satisfaction", "Satisfaction"),
    ("moments-of-truth", "Moments of truth"),
    ("problem-areas", "Problem areas"),
    ("purple-cows", "Purple cows"),
    ("recovery", "Recovery"),
    ("contagion", "Contagion"),
    ("conformance", "Conformance"),
    ("journeys", "Journeys"),
    ("how-to-read", "How to read this"),
)
# The summary's sections, by a word of their title in summary_lines, and the section that details each.
_SUMMARY_LINKS = {
    "Hot spots": "hot-spots",
    "by overall satisfaction": "satisfaction",
    "Moments of truth": "moments-of-truth",
    "Problem areas": "problem-areas",
    "Purple cows": "purple-cows",
    "Emotional curve": "map",
    "Service recovery": "recovery",
    "Negative experiences": "contagion",
    "Journeys": "journeys",
    "Not findings": "hot-spots",
    "Moves with overall satisfaction": "hot-spots",
}
NUMBERED = re.compile(r"^\d+\. ")


def anchor(ident: str, prefix: str) -> str:
    """A stable, valid HTML id for a finding: ``anchor("Kickoff Call", "hot-spot")`` is ``hot-spot-kickoff-call``."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", ident.lower()).strip("-")
    return f"{prefix}-{slug or 'x'}"


def _bounds(ci: Sequence[float | None]) -> tuple[float, float] | None:
    lo, hi = (ci[0], ci[1]) if len(ci) == 2 else (None, None)
    return None if lo is None or hi is None else (lo, hi)


def interval(ci: Sequence[float | None]) -> str:
    """A difference's interval, ``[0.41, 0.53]``, as "+41 to +53 points" (the summary's way)."""
    b = _bounds(ci)
    return "n/a" if b is None else f"{signed(b[0])} to {signed(b[1])} points"


def rate_interval(ci: Sequence[float | None]) -> str:
    b = _bounds(ci)
    return "n/a" if b is None else f"{b[0]:.0%} to {b[1]:.0%}"


def grade_interval(ci: Sequence[float | None]) -> str:
    b = _bounds(ci)
    return "n/a" if b is None else f"{b[0]:.1f} to {b[1]:.1f}"


def count(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def share(value: float | None) -> str:
    """A share of customers: whole percents, but one decimal below 1% (0.2%, not 0%)."""
    return pct(value) if value is None or value >= 0.01 else f"{value:.1%}"


def width(value: float | None) -> str:
    """A share 0-1 as a CSS width, for the bars."""
    return "0%" if value is None or math.isnan(value) else f"{max(0.0, min(1.0, value)) * 100:.1f}%"


def _grade_hue(emotion: float) -> theme.Hue:
    """Colours for a comment's grade: red when bad, green when good, amber between (as on the map)."""
    return theme.PROBLEM if emotion <= 3 else theme.PURCHASE if emotion >= 7 else MARKER_HUES["problem"]


class _Report:
    """Lookups the template needs, built once from the findings (and the map, when there is one)."""

    def __init__(self, f: Findings, m: Map | None, evidence: Evidence | None) -> None:
        self.f, self.m, self.evidence = f, m, evidence or {}
        self.stats: dict[str, TouchpointStats] = {t.id: t for t in f.touchpoints}
        self.names = {t.id: t.name for t in f.touchpoints} | ({t.id: t.name for t in m.touchpoints} if m else {})
        placed = m.placed_steps if m else []
        self.steps = {p.step.id: f"Step {p.index + 1} \u00b7 {p.step.action}" for p in placed}
        self.column = {p.step.id: p.index for p in placed}
        self.tested = {c.touchpoint: c for c in f.hot_spot_candidates}

    def name(self, touchpoint: str) -> str:
        return self.names.get(touchpoint, touchpoint)

    def steps_of(self, touchpoint: str) -> list[str]:
        """The map steps a touchpoint sits at, in journey order."""
        found = self.stats[touchpoint].steps if touchpoint in self.stats else []
        if not found and self.m is not None:
            found = [s.id for s in self.m.steps if touchpoint in s.touchpoints]
        return sorted((s for s in found if s in self.column), key=self.column.__getitem__)

    def where(self, touchpoint: str) -> list[tuple[str, str]]:
        """The steps a touchpoint sits at, as (label, link to the step's column on the map)."""
        return [(self.steps[s], f"#cx-step-{s}") for s in self.steps_of(touchpoint)]

    def comments(self, touchpoint: str) -> list[dict[str, Any]]:
        """The first few sample comments at a touchpoint, with their grade's colours."""
        rows = []
        for c in list(self.evidence.get(touchpoint, ()))[:COMMENTS]:
            emotion = c.get("emotion")
            hue = None if emotion is None else _grade_hue(float(emotion))
            at = str(c.get("at") or "")[:10]
            rows.append({"text": str(c.get("comment") or ""), "emotion": emotion, "hue": hue, "at": at})
        return rows

    def facts(self, touchpoint: str) -> str:
        """The touchpoint's measurement in one line: mean emotion with its interval, and its volume."""
        t = self.stats.get(touchpoint)
        if t is None:
            return ""
        return (
            f"Mean emotion {grade(t.emotion_mean)} (interval {grade_interval(t.emotion_ci)}) from "
            f"{t.scored_events:,} scored events; {pct(t.negative_share)} negative, {pct(t.positive_share)} "
            f"delighted; {t.customers:,} customers, {pct(t.reach)} of all"
        )

    def why_unconfirmed(self, touchpoint: str) -> str:
        """Why the data did not confirm a declared moment of truth, in plain words."""
        tested = self.tested.get(touchpoint)
        if touchpoint in (self.f.outcome, self.f.outcome_negative):
            return "This is the outcome itself, so it cannot be tested as a hot spot."
        if tested is None:
            return "No scored experience here before the outcome, so it could not be tested."
        if tested.leverage is None:
            least = self.f.thresholds.get("min_customers", 20)
            return (
                f"Too few customers to compare: {tested.customers_good:,} with a good experience and "
                f"{tested.customers_bad:,} with a bad one (at least {least} each are needed)."
            )
        if tested.moves_with_satisfaction:
            return (
                f"It moves with overall satisfaction: {points(tested.leverage)} raw, but "
                f"{points(tested.leverage_adjusted)} holding the experience elsewhere fixed (interval "
                f"{interval(tested.leverage_adjusted_ci)}), so improving it alone is not expected to move "
                f"{self.f.outcome}."
            )
        return (
            f"The difference in {self.f.outcome} after a good and a bad experience, holding the experience "
            f"elsewhere fixed, {points(tested.leverage_adjusted)} (interval {interval(tested.leverage_adjusted_ci)}; "
            f"raw {points(tested.leverage)}), is not clearly above zero."
        )

    def _findings(self) -> list[tuple[str, Marker]]:
        """(touchpoint, marker) for every finding that sits at a touchpoint; keys are set by ``markers``."""
        f, found = self.f, []
        for s in f.hot_spots:
            text = f"Hot spot {points(s.leverage_adjusted).replace('points', 'pts')}"
            tip = f"Hot spot: {s.name}, {f.outcome} {pct(s.outcome_rate_good)} after a good experience against "
            tip += f"{pct(s.outcome_rate_bad)} after a bad one"
            found.append((s.touchpoint, Marker("", "hot-spot", text, f"#{anchor(s.touchpoint, 'hot-spot')}", tip)))
        for p in f.problem_areas:
            severe = p.emotion_mean is not None and p.emotion_mean <= 3
            text = f"Problem {pct(p.negative_share)} negative"
            tip = f"Problem area: {p.name}, mean {grade(p.emotion_mean)}, {p.customers:,} customers hurt"
            href = f"#{anchor(p.touchpoint, 'problem')}"
            found.append((p.touchpoint, Marker("", "problem-severe" if severe else "problem", text, href, tip)))
        for c in f.purple_cows:
            text = f"Purple cow {pct(c.positive_share)} wow"
            tip = f"Purple cow: {c.name}, mean {grade(c.emotion_mean)}, {c.customers:,} customers delighted"
            found.append((c.touchpoint, Marker("", "purple-cow", text, f"#{anchor(c.touchpoint, 'purple-cow')}", tip)))
        for t in f.moments_of_truth_unconfirmed:
            tip = f"Declared a moment of truth, not confirmed by the data: {self.name(t)}"
            found.append((t, Marker("", "unconfirmed", "Not confirmed", f"#{anchor(t, 'moment')}", tip)))
        return found

    def markers(self) -> list[Marker]:
        """Every finding where it sits: on a map at each of its steps, else at its touchpoint on the curve;
        in column order (the order the map draws them in)."""
        curve = {c.touchpoint: c.index for c in self.f.curve if c.touchpoint}
        placed: list[tuple[int, Marker]] = []
        for touchpoint, m in self._findings():
            if self.m is None:
                keys = [(curve[touchpoint], touchpoint)] if touchpoint in curve else []
            else:
                keys = [(self.column[s], s) for s in self.steps_of(touchpoint)]
            placed += [(order, Marker(key, m.kind, m.text, m.href, m.tip)) for order, key in keys]
        return [marker for _, marker in sorted(placed, key=lambda pair: pair[0])]

    def graph(self) -> str:
        """The journey graph, touchpoints in journey order (on a map: at the middle of their steps)."""
        if self.m is not None:
            at: dict[str, list[int]] = {}
            for step in self.m.steps:
                for t in step.touchpoints:
                    at.setdefault(t, []).append(self.column[step.id])
            order = sorted(at, key=lambda t: sum(at[t]) / len(at[t]))
        else:
            order = [p.touchpoint for p in self.f.curve if p.touchpoint]
        order += sorted(self.stats, key=lambda t: -self.stats[t].customers)
        nodes = []
        for t in dict.fromkeys(order):
            stats = self.stats.get(t)
            nodes.append(
                GraphNode(t, self.name(t), stats.customers if stats else 0, stats.emotion_mean if stats else None)
            )
        return journey_graph_svg(self.f.plain("journeys").get("dfg", []), nodes, GRAPH_EDGES)


def _group_end(svg: str, start: int) -> int:
    """The index just after the ``</g>`` that closes the group opening at ``start``."""
    depth, pos = 0, start
    for match in re.compile(r"<g\b[^>]*?(/?)>|</g>").finditer(svg, start):
        if match.group(0) == "</g>":
            depth -= 1
        elif not match.group(1):
            depth += 1
        pos = match.end()
        if depth == 0:
            break
    return pos


def link_markers(svg: str, markers: Sequence[Marker]) -> str:
    """Wrap the map's overlay chips (drawn in the order of ``markers``) in links to their findings."""
    out, pos = [], 0
    for marker in markers:
        start = svg.find('<g data-item="overlay"', pos)
        if start < 0:
            break
        end = _group_end(svg, start)
        attrs = {"href": marker.href, "class": f"cx-mk cx-mk-{marker.kind}", "data-marker": marker.kind}
        out += [svg[pos:start], str(el("a", attrs, title(marker.tip), Markup(svg[start:end])))]
        pos = end
    return "".join(out) + svg[pos:]


def measured_grades(svg: str, m: Map, overlay: Overlay) -> str:
    """The map with each measured grade written under its diamond (the designed grades sit above their dots)."""
    line = build_layout(m, header=False, overlay=overlay).overlay
    marks = [
        label(f"{p.grade:.1f}", p.x, p.y + 20, 11.5, fill=MEASURED_INK, bold=True, anchor="middle", halo=True)
        for p in (line.points if line else ())
    ]
    end = svg.rindex("</svg>")
    return svg[:end] + str(el("g", {"data-part": "measured-grades"}, *marks)) + svg[end:]


def _summary(f: Findings) -> list[dict[str, Any]]:
    """The terminal summary's sections (title and first rows), each linked to the section that details it."""
    sections: list[dict[str, Any]] = []
    for line in summary_lines(f)[3:]:  # after the scope line and the headline
        if line.startswith("  ") and sections:
            sections[-1]["rows"].append(line.strip())
        elif line and not line.startswith("Details:"):
            name = line.rstrip(":")
            link = next((a for key, a in _SUMMARY_LINKS.items() if key in name), None)
            sections.append({"title": name[:1].upper() + name[1:], "link": link, "rows": []})
    top = headline(f).partition(" is ")[2]
    for s in sections:
        # the headline already says the first hot spot; the others lose their terminal numbering
        rows = [NUMBERED.sub("", r) for r in s["rows"] if not (f.hot_spots and top in r)]
        keep = 1 if s["link"] == "hot-spots" else 2  # hot-spot sentences are long
        s["more"], s["rows"] = len(rows) > keep, rows[:keep]
    return [s for s in sections if s["rows"]]


def _map_part(r: _Report, markers: list[Marker]) -> dict[str, Any]:
    """The drawn map with the measured overlay and linked markers; without a map, the measured curve."""
    f, m = r.f, r.m
    if m is None:
        by_key: dict[str, list[Marker]] = {}
        for marker in markers:
            by_key.setdefault(marker.key, []).append(marker)
        return {"curve_svg": Markup(touchpoint_curve_svg(f.curve, by_key))}
    measured = {c.step: c.measured for c in f.curve if c.step and c.measured is not None}
    overlay = Overlay("Measured", measured, [OverlayMarker(mk.key, mk.text, "bad") for mk in markers])
    svg = link_markers(render_svg(m, header=False, legend=False, overlay=overlay), markers)
    return {
        "map_svg": Markup(measured_grades(svg, m, overlay)),
        "labels_svg": Markup(render_lane_labels_svg(m, overlay=overlay)),
        "legend_svg": Markup(render_legend_svg(LEGEND_WIDTH, overlay_label="Measured")),
        "pin_width": math.ceil(MARGIN + LABEL_WIDTH),
        "gaps": sorted((c for c in f.curve if c.gap is not None), key=lambda c: -abs(c.gap or 0))[:5],
    }


def _context(f: Findings, m: Map | None, evidence: Evidence | None) -> dict[str, Any]:
    r = _Report(f, m, evidence)
    markers = r.markers()
    journeys, conformance = f.plain("journeys"), f.plain("conformance")
    hot = {s.touchpoint for s in f.hot_spots}
    pairs = f.plain("contagion")
    contagion = [c for c in pairs if c["significant"]]
    scope = [f"{f.customers:,} customers", f"{f.events:,} events"]
    scope += [f"from {f.since}"] * bool(f.since) + [f"until {f.until}"] * bool(f.until)
    kpis = [
        ("Customers", f"{f.customers:,}"),
        ("Events", f"{f.events:,}"),
        ("Hot spots", str(len(f.hot_spots))),
        ("Problem areas", str(len(f.problem_areas))),
        ("Purple cows", str(len(f.purple_cows))),
        ("Distinct journeys", count(journeys.get("variant_count"))),
    ]
    context = {
        "f": f,
        "m": m,
        "r": r,
        "title": m.title if m else Path(f.workspace).name or f.workspace,
        "workspace": Path(f.workspace).name or f.workspace,
        "scope": scope,
        "level": f"{f.thresholds.get('confidence', 0.95):.0%}",
        "headline": headline(f),
        "summary": _summary(f),
        "kpis": kpis,
        "sections": SECTIONS,
        "markers": markers,
        "hues": MARKER_HUES,
        "tested": [c for c in f.hot_spot_candidates if c.touchpoint not in hot and not c.moves_with_satisfaction],
        "recovery": f.plain("recovery"),
        "contagion": contagion[:12],
        "contagion_clear": len(contagion),
        "contagion_compared": sum(1 for c in pairs if c["evidence"] == "enough"),
        "conformance": conformance,
        "deviations": [d for d in conformance.get("deviations", []) if d.get("significant")][:6],
        "deviations_held": [d for d in conformance.get("deviations", []) if d.get("evidence") != "enough"],
        "outcome_words": outcome_words(f),
        "evidence_text": EVIDENCE_TEXT,
        "least": f.thresholds.get("min_customers", 20),
        "journeys": journeys,
        "graph_svg": Markup(r.graph()) if journeys.get("dfg") else None,
        "graph_edges": min(GRAPH_EDGES, len(journeys.get("dfg", []))),
        "variants": journeys.get("variants", [])[:TOP_VARIANTS],
        "open_evidence": OPEN_EVIDENCE,
        "version": _version(),
    }
    return context | _map_part(r, markers)


@cache
def _environment() -> Environment:
    """The map's template environment, plus the number formats of the report."""
    env = environment().overlay()
    formats: dict[str, Callable[..., str]] = {"pct": pct, "points": points, "grade": grade, "count": count}
    formats |= {"share": share, "width": width, "interval": interval, "rate_interval": rate_interval}
    formats |= {"grade_interval": grade_interval, "anchor": anchor, "cap": lambda text: text[:1].upper() + text[1:]}
    env.filters = {**env.filters, **formats}
    return env


def render_report(findings: Findings, the_map: Map | None = None, evidence: Evidence | None = None) -> str:
    """The measured map and every finding as one self-contained HTML document (no network, all text escaped).

    ``evidence`` maps touchpoint ids to sample comments (``{"comment", "emotion", "at"}``), shown under the
    findings at those touchpoints.
    """
    return _environment().get_template("report.html.j2").render(_context(findings, the_map, evidence))


def measured_map_svg(findings: Findings, the_map: Map) -> dict[str, Any]:
    """The report's measured map, for pages that embed it: ``map_svg`` (the map with the measured line,
    grades and markers linked to ``#hot-spot-...``-style anchors, see :func:`anchor`), ``labels_svg`` (the
    pinned lane labels), ``legend_svg``, ``pin_width`` and ``markers``."""
    r = _Report(findings, the_map, None)
    markers = r.markers()
    return _map_part(r, markers) | {"markers": markers}
