"""The findings page: hot spots, problem areas, purple cows, contagion and recovery of one map, each with
a link to its evidence on the touchpoint's page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxmap.errors import CxmapError, UsageError
from cxmap.model import Map
from cxmap.render.summary import headline, outcome_words
from cxmap.web import measure
from cxmap.web.deps import require
from cxmap.web.pages import page
from cxmap.web.state import AppState
from cxmap.web.words import WEB

router = APIRouter(dependencies=[Depends(require("viewer"))], include_in_schema=False)
CONTAGION_ROWS = 12


def _by_department(m: Map) -> dict[str, list[tuple[str, str]]]:
    """The map's touchpoints of each department, (id, name): where a contagion's bad moments happen."""
    found: dict[str, list[tuple[str, str]]] = {}
    for t in m.touchpoints:
        if t.department:
            found.setdefault(t.department, []).append((t.id, t.name))
    return found


@router.get("/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    map_id: str | None = Query(None, alias="map"),
    outcome: str | None = None,
    outcome_negative: str | None = None,
) -> Response:
    """Every finding of a map (the first map by default), measured against an outcome (by default the map's
    `measure:`, see :func:`measure.choose`; `outcome=` empty for none)."""
    state: AppState = request.app.state.cx
    valid = measure.valid_maps(state)
    if not valid:
        return page(request, "findings_page.html.j2", m=None, maps=[], f=None, why_not="No maps in this workspace yet.")
    path, m = measure.find(state, map_id) if map_id else valid[0]
    key = measure.map_key(path, m)
    context: dict[str, Any] = {"m": m, "maps": [v for _, v in valid], "f": None, "why_not": None}
    if not measure.has_events(state):
        context["why_not"] = "No events in this workspace yet: load some with `cxmap ingest`, then findings show here."
        return page(request, "findings_page.html.j2", **context)
    try:
        f = measure.findings(state, key, m, measure.choose(state, key, m, outcome, outcome_negative), measure.View())
        evidence = measure.evidence(state, key, m, f, measure.View())
    except UsageError:
        raise
    except CxmapError as exc:
        context["why_not"] = exc.say(WEB)
        return page(request, "findings_page.html.j2", **context)
    contagion = [c for c in f.plain("contagion") if c["significant"]]
    recovery_touchpoints = [(t.id, t.name) for t in m.touchpoints if t.recovery]
    steps = {p.step.id: f"Step {p.index + 1}" for p in m.placed_steps}
    suffix = "?" + urlencode({"outcome": f.outcome or "", "outcome_negative": f.outcome_negative or ""})
    return page(
        request,
        "findings_page.html.j2",
        **context
        | {
            "f": f,
            "headline": headline(f),
            "evidence": evidence,
            "outcomes": measure.measured_touchpoints(state, key, m),
            "contagion": contagion[:CONTAGION_ROWS],
            "contagion_more": contagion[CONTAGION_ROWS:],
            "avoided": sum(1 for c in contagion if (c.get("difference") or 0) < 0),
            "outcome_words": outcome_words(f),
            "departments": _by_department(m),
            "recovery": f.plain("recovery"),
            "recovery_touchpoints": recovery_touchpoints,
            "steps": steps,
            "tested": [
                c
                for c in f.hot_spot_candidates
                if not c.significant and not c.moves_with_satisfaction and c.leverage is not None
            ],
            "href": lambda touchpoint, part: f"/maps/{m.id}/touchpoints/{touchpoint}{suffix}#{part}",
        },
    )
