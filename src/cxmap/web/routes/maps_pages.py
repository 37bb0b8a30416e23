"""The map pages: the drawn map with its measured overlay, persona and stakeholders; one touchpoint's numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from cxmap.errors import CxmapError, NotFound, UsageError
from cxmap.model import Map
from cxmap.render import theme
from cxmap.render.journey_graph import MARKER_HUES
from cxmap.render.layout import LABEL_WIDTH, MARGIN
from cxmap.render.report import anchor, measured_map_svg
from cxmap.render.summary import headline, outcome_words
from cxmap.render.svg import render_lane_labels_svg, render_legend_svg, render_stakeholders_svg, render_svg
from cxmap.render.svgkit import el
from cxmap.service.types import Findings
from cxmap.web import measure
from cxmap.web.charts import trend_svg
from cxmap.web.deps import require
from cxmap.web.pages import page
from cxmap.web.state import AppState
from cxmap.web.words import WEB

router = APIRouter(dependencies=[Depends(require("viewer"))], include_in_schema=False)
LEGEND_WIDTH = 1240
_TOUCHPOINT_CARD = re.compile(r'<g data-item="touchpoint" data-ref="([^"]+)"')
_GROUP = re.compile(r"<g\b[^>]*?(/?)>|</g>")


@cache
def map_css() -> Markup:
    """The map's own styles (scoped to .cx-root), as the standalone page and the report use them."""
    folder = files("cxmap.render") / "templates"
    css = "\n".join((folder / name).read_text(encoding="utf-8") for name in ("components.css", "report.css"))
    return Markup(css)


def _group_end(svg: str, start: int) -> int:
    """The index just after the ``</g>`` closing the group that opens at ``start``."""
    depth = 0
    for match in _GROUP.finditer(svg, start):
        if match.group(0) == "</g>":
            depth -= 1
        elif not match.group(1):
            depth += 1
        if depth == 0:
            return match.end()
    return len(svg)


def link_touchpoints(svg: str, href: Callable[[str], str]) -> str:
    """Wrap every touchpoint card of a drawn map in a link to its page (the SVG is svgkit's: every text in
    it is escaped, so it may be kept as markup)."""
    out, pos = [], 0
    for match in _TOUCHPOINT_CARD.finditer(svg):
        if match.start() < pos:
            continue
        end = _group_end(svg, match.start())
        link = el("a", {"href": href(match.group(1)), "class": "tp-link"}, Markup(svg[match.start() : end]))
        out += [svg[pos : match.start()], str(link)]
        pos = end
    return "".join(out) + svg[pos:]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split(",")[0].split()[:2]).upper() or "?"


def _state(request: Request) -> AppState:
    return request.app.state.cx  # type: ignore[no-any-return]


def _delivery(m: Map) -> dict[str, dict[str, Any]]:
    """Per touchpoint: its steps (numbered), front stage and back stage (with who influences it)."""
    backstage = {b.id: b for b in m.backstage}
    stakeholders = {s.id: s.name for s in m.stakeholders}
    steps = {p.step.id: p for p in m.placed_steps}
    rows = {}
    for t in m.touchpoints:
        support = []
        for ref in t.supported_by:
            b = backstage.get(ref)
            influenced = [stakeholders.get(s, s) for s in b.influenced_by] if b else []
            support.append({"name": b.name if b else ref, "team": b.team if b else None, "influenced_by": influenced})
        used = [steps[s.id] for s in m.steps if t.id in s.touchpoints]
        rows[t.id] = {"touchpoint": t, "steps": used, "backstage": support, "owner": theme.OWNER_STYLES[t.owner]}
    return rows


def _measured(
    state: AppState, key: tuple[Any, ...], m: Map, asked: tuple[str | None, str | None], view: measure.View
) -> dict[str, Any]:
    """The measured overlay and what it marks, or why there is none."""
    if not measure.has_events(state):
        return {"measured": None, "why_not": "No events in this workspace yet: load some with `cxmap ingest`."}
    try:
        f = measure.findings(state, key, m, measure.choose(state, key, m, *asked), view)
    except UsageError:
        raise
    except CxmapError as exc:
        return {"measured": None, "why_not": exc.say(WEB)}
    if not any(c.measured is not None for c in f.curve):
        why = "None of this map's touchpoints has scored events in this view: the map is drawn as designed."
        return {"measured": None, "why_not": why, "f": f}
    part = measured_map_svg(f, m)
    return {"measured": part, "why_not": None, "f": f}


def _markers_list(f: Findings, m: Map) -> dict[str, list[dict[str, Any]]]:
    """The findings the map marks, each with the anchor its marker links to."""
    names = {t.id: t.name for t in m.touchpoints} | {t.id: t.name for t in f.touchpoints}
    return {
        "hot_spots": [{"s": s, "anchor": anchor(s.touchpoint, "hot-spot")} for s in f.hot_spots],
        "problems": [{"p": p, "anchor": anchor(p.touchpoint, "problem")} for p in f.problem_areas],
        "cows": [{"c": c, "anchor": anchor(c.touchpoint, "purple-cow")} for c in f.purple_cows],
        "unconfirmed": [
            {"id": t, "name": names.get(t, t), "anchor": anchor(t, "moment")} for t in f.moments_of_truth_unconfirmed
        ],
    }


def _glance(f: Findings) -> list[tuple[str, str]]:
    """How much of the map the data covers; where the measured journey is lowest, highest and furthest
    from the design."""
    points = [c for c in f.curve if c.measured is not None]
    rows = [("Measured steps", f"{len(points)} of {len(f.curve)} steps have scored events")]
    if len(points) > 1:
        low, high = min(points, key=lambda c: c.measured or 0), max(points, key=lambda c: c.measured or 0)
        rows.append(("Lowest point", f"{low.measured:.1f} at step {low.index + 1} \u00b7 {low.label}"))
        rows.append(("Highest point", f"{high.measured:.1f} at step {high.index + 1} \u00b7 {high.label}"))
    gaps = [c for c in points if c.gap is not None]
    if gaps:
        far = max(gaps, key=lambda c: abs(c.gap or 0))
        side = "below" if (far.gap or 0) < 0 else "above"
        text = f"{abs(far.gap or 0):.1f} {side} at step {far.index + 1} \u00b7 {far.label}"
        rows.append(("Furthest from the design", text))
    return rows


@router.get("/maps/{map_id}", response_class=HTMLResponse)
def map_page(
    request: Request,
    map_id: str,
    since: str | None = None,
    until: str | None = None,
    segment: str | None = None,
    outcome: str | None = None,
    outcome_negative: str | None = None,
    overlay: str | None = None,
    saved: int | None = None,
) -> Response:
    """The map: persona, the journey (measured when there is data), what the data marks, who delivers what."""
    state = _state(request)
    path, m = measure.find(state, map_id)
    key = measure.map_key(path, m)
    view = measure.view_of(since, until, segment)
    found = _measured(state, key, m, (outcome, outcome_negative), view)
    part, f = found["measured"], found.get("f")
    show_overlay = part is not None and overlay != "off"
    query = measure.query(view, outcome=outcome, outcome_negative=outcome_negative)

    def href(touchpoint: str) -> str:
        return f"/maps/{m.id}/touchpoints/{touchpoint}{query}"

    if show_overlay and part is not None:
        map_svg, labels, legend = str(part["map_svg"]), part["labels_svg"], part["legend_svg"]
    else:
        map_svg = render_svg(m, header=False, legend=False)
        labels = Markup(render_lane_labels_svg(m))
        legend = Markup(render_legend_svg(LEGEND_WIDTH))
    stats = {t.id: t for t in f.touchpoints} if f else {}
    return page(
        request,
        "map_page.html.j2",
        m=m,
        saved=saved,
        kind=theme.KIND_CHIPS[m.kind],
        initials=_initials(m.persona.name) if m.persona else "",
        map_css=map_css(),
        map_svg=Markup(link_touchpoints(map_svg, href)),
        labels_svg=labels,
        legend_svg=legend,
        pin_width=math.ceil(MARGIN + LABEL_WIDTH),
        rings_svg=Markup(render_stakeholders_svg(m)) if m.stakeholders else None,
        stakeholders=sorted(m.stakeholders, key=lambda s: s.ring),
        delivery=_delivery(m),
        stats=stats,
        f=f,
        part=part,
        show_overlay=show_overlay,
        why_not=found["why_not"],
        headline=headline(f) if f and part else None,
        outcome_words=outcome_words(f) if f else "",
        glance=_glance(f) if f and part else [],
        marked=_markers_list(f, m) if f and part else None,
        hues=MARKER_HUES,
        view=view,
        query=query,
        outcome=outcome,
        dimensions=measure.DIMENSIONS,
        segment_values=measure.segment_values(state) if measure.has_events(state) else {},
        outcomes=measure.measured_touchpoints(state, key, m) if part or f else {},
        href=href,
    )


@router.get("/maps/{map_id}/touchpoints/{touchpoint_id}", response_class=HTMLResponse)
def touchpoint_page(
    request: Request,
    map_id: str,
    touchpoint_id: str,
    since: str | None = None,
    until: str | None = None,
    segment: str | None = None,
    outcome: str | None = None,
    outcome_negative: str | None = None,
) -> Response:
    """One touchpoint: its numbers, findings, monthly trend, recent comments, steps and who delivers it."""
    state = _state(request)
    path, m = measure.find(state, map_id)
    key = measure.map_key(path, m)
    view = measure.view_of(since, until, segment)
    drawn = m.touchpoints_by_id.get(touchpoint_id)
    f, months, said, why_not = None, [], [], None
    if measure.has_events(state):
        try:
            f = measure.findings(state, key, m, measure.choose(state, key, m, outcome, outcome_negative), view)
            if drawn is not None or any(t.id == touchpoint_id for t in f.touchpoints):
                months = measure.monthly(state, key, m, touchpoint_id, view)
                said = measure.comments(state, key, m, touchpoint_id, view)
        except UsageError:
            raise
        except CxmapError as exc:
            why_not = exc.say(WEB)
    stats = next((t for t in f.touchpoints if t.id == touchpoint_id), None) if f else None
    if drawn is None and stats is None:
        raise NotFound(f"no touchpoint '{touchpoint_id}' on the map '{m.id}' or in its data")
    candidate = next((c for c in f.hot_spot_candidates if c.touchpoint == touchpoint_id), None) if f else None
    return page(
        request,
        "touchpoint_page.html.j2",
        m=m,
        tp=drawn,
        tp_id=touchpoint_id,
        tp_name=drawn.name if drawn else stats.name if stats else touchpoint_id,
        delivery=_delivery(m).get(touchpoint_id),
        stats=stats,
        f=f,
        hot=candidate,
        problem=next((p for p in f.problem_areas if p.touchpoint == touchpoint_id), None) if f else None,
        cow=next((c for c in f.purple_cows if c.touchpoint == touchpoint_id), None) if f else None,
        trend_svg=trend_svg(months),
        months=months,
        comments=said,
        why_not=why_not,
        view=view,
        query=measure.query(view, outcome=outcome, outcome_negative=outcome_negative),
    )
