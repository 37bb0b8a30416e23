"""Findings, the report and the journeys: the answers of `cxmap analyze`, `report` and `journeys`, of the
API's findings and of the web's map pages (for one segment value too, through `Request.only`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from cxmap.analytics import analyze as analytics
from cxmap.analytics.analyze import Request
from cxmap.analytics.evidence import evidence_for
from cxmap.analytics.findings import Findings, Journeys
from cxmap.analytics.journeys import journeys as journey_stats
from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.engine import connect
from cxmap.model import Map
from cxmap.progress import Steps
from cxmap.workspace import Workspace, open_workspace
from cxmap.workspace.maps import find_map

__all__ = ["Findings", "JourneysAnswer", "Report", "Request", "analyze", "journeys", "report"]


def _workspace(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else open_workspace(Path(workspace))


def analyze(workspace: Workspace | str | Path, request: Request | None = None, steps: Steps | None = None) -> Findings:
    """Every finding for the workspace's events (and the map, when the request names one)."""
    return analytics.analyze(_workspace(workspace), request, steps)


@dataclass
class Report:
    """The measured map as one self-contained HTML page, and the findings it shows."""

    findings: Findings
    html: str


def report(workspace: Workspace | str | Path, request: Request, steps: Steps | None = None) -> Report:
    """The report: the findings, and a few customers' own words at every touchpoint a finding points at."""
    from cxmap.render.report import render_report  # the renderer (jinja2) loads only for a report

    ws = _workspace(workspace)
    the_map = find_map(ws, request.map) if request.map is not None else None
    found = analytics.analyze(ws, replace(request, map=the_map), steps)
    prepared = prepare(connect(ws), the_map, ws.settings, Scope(request.since, request.until, only=request.only))
    return Report(found, render_report(found, the_map, evidence_for(prepared, found)))


@dataclass
class JourneysAnswer:
    """The paths customers really take (`journeys` of cxmap.analytics.journeys), and how to name a step."""

    workspace: str
    map: str | None
    stats: Journeys
    prepared: Prepared

    def name(self, touchpoint: str) -> str:
        return self.prepared.name(touchpoint)

    def to_json(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "map": self.map, **self.stats.model_dump(mode="json")}


def journeys(
    workspace: Workspace | str | Path,
    the_map: Map | str | None,
    top: int,
    since: date | None = None,
    until: date | None = None,
) -> JourneysAnswer:
    """Directly-follows pairs, the `top` variants and where customers drop out."""
    ws = _workspace(workspace)
    found = find_map(ws, the_map) if the_map is not None else None
    prepared = prepare(connect(ws), found, ws.settings, Scope(since, until))
    stats = Journeys.model_validate(journey_stats(prepared, top))
    return JourneysAnswer(str(ws.root), found.id if found else None, stats, prepared)
