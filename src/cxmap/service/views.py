"""What the web's measured pages ask besides the findings: a slice of the data (a period and one segment
value), the values a segment can take, what an outcome can be, comments and a touchpoint's months.

A *segment* here is one value of a dimension (account segment, owner, channel or department): the page
shows the events that have it (an account's segment or owner: its customers' events; a channel or a
department: those events), through `Request.only`, by the same `analyze` as everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cxmap.analytics.analyze import Parts, Request
from cxmap.analytics.evidence import evidence_for, sample_comments
from cxmap.analytics.findings import Findings, TouchpointStats
from cxmap.analytics.outcomes import OutcomeChoice, choose_outcome
from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.analytics.touchpoints import touchpoint_stats
from cxmap.engine import connected
from cxmap.errors import UsageError
from cxmap.model import Map
from cxmap.service.analysis import analyze
from cxmap.service.inputs import day
from cxmap.workspace import Workspace

DIMENSIONS = {"segment": "Account segment", "owner": "Account owner", "channel": "Channel", "department": "Department"}


@dataclass(frozen=True)
class View:
    """The slice of the data a page shows: a period (calendar days, both included) and one segment value."""

    since: date | None = None
    until: date | None = None
    by: str | None = None  # a key of DIMENSIONS
    value: str | None = None

    @property
    def segment(self) -> str:
        """The segment as the form sends it: ``owner:Ana Ruiz``, or "" for everyone."""
        return f"{self.by}:{self.value}" if self.by else ""

    @property
    def only(self) -> tuple[str, str] | None:
        return (self.by, self.value) if self.by and self.value is not None else None

    def describe(self) -> str:
        parts = [f"{DIMENSIONS[self.by]}: {self.value}"] if self.by else []
        if self.since or self.until:
            parts.append(f"{self.since or 'start'} to {self.until or 'latest'}")
        return " \u00b7 ".join(parts) or "All customers, all time"


def view_of(since: str | None, until: str | None, segment: str | None) -> View:
    """The view from a page's parameters (``segment`` is ``dimension:value``)."""
    by, value = None, None
    if segment:
        by, sep, value = segment.partition(":")
        if by not in DIMENSIONS or not sep or not value:
            raise UsageError(
                f"'{segment}' is not one of {', '.join(DIMENSIONS)} with a value (owner:Ana)", field="segment"
            )
    return View(day(since, "since"), day(until, "until"), by, value)


def has_events(ws: Workspace) -> bool:
    with connected(ws) as con:
        return bool(con.table("events").count().execute())


def segment_values(ws: Workspace) -> dict[str, list[str]]:
    """The values each dimension takes in the data, for the segment select."""
    found: dict[str, list[str]] = {}
    with connected(ws) as con:
        for by in DIMENSIONS:
            table = con.table("events" if by in ("channel", "department") else "accounts")
            column = table[by]
            values = table.filter(column.notnull()).select(column).distinct().to_pyarrow().column(0)
            found[by] = sorted(str(v) for v in values.to_pylist() if str(v).strip())
    return found


def measured_touchpoints(ws: Workspace, the_map: Map) -> dict[str, str]:
    """Touchpoints with events (id -> name), map touchpoints first: what an outcome can be."""
    with connected(ws) as con:
        prepared = prepare(con, the_map, ws.settings)
    return {t.id: t.name for t in prepared.touchpoints.values() if t.raw_names}


def choose(
    ws: Workspace,
    the_map: Map,
    outcome: str | None,
    negative: str | None,
    measured: Callable[[], dict[str, str]] | None = None,
) -> OutcomeChoice:
    """A page's outcome, as every face chooses it (`choose_outcome`: the page's own, else the map's or
    cxmap.yaml's `measure:`); `outcome=` empty is none. With nothing configured, a guess: a touchpoint of
    the map's last step that has events (`measured`, asked only then; default `measured_touchpoints`)."""
    if outcome == "":
        return OutcomeChoice(None, None, "request")
    choice = choose_outcome(the_map, ws.settings, outcome, negative)
    if choice.outcome is not None:
        return choice
    with_events = measured() if measured is not None else measured_touchpoints(ws, the_map)
    last = the_map.steps[-1].touchpoints if the_map.steps else []
    guess = next((t for t in last if t in with_events), None)
    return OutcomeChoice(guess, None, "default") if guess else choice


def findings(ws: Workspace, the_map: Map, choice: OutcomeChoice, view: View) -> Findings:
    """The findings of the view's period: every one for everyone; for one segment value, those the map's
    picture shows (`Request.parts="map"`: the journeys, conformance, contagion and recovery of a segment
    would cost a whole analysis per value, and no page shows them)."""
    parts: Parts = "map" if view.only else "all"
    request = Request(the_map, since=view.since, until=view.until, only=view.only, parts=parts, choice=choice)
    return analyze(ws, request)


def _prepared(con: Any, ws: Workspace, the_map: Map, view: View, period: str | None = None) -> Prepared:
    return prepare(con, the_map, ws.settings, Scope(view.since, view.until, period=period, only=view.only))


def comments(ws: Workspace, the_map: Map, touchpoint: str, view: View, count: int = 8) -> list[dict[str, Any]]:
    """The most recent comments at a touchpoint in the view, newest first."""
    with connected(ws) as con:
        return sample_comments(_prepared(con, ws, the_map, view), [touchpoint], count).get(touchpoint, [])


def evidence(ws: Workspace, the_map: Map, found: Findings, view: View) -> dict[str, list[dict[str, Any]]]:
    """A few recent comments at every touchpoint a finding points at, in the finding's tone."""
    with connected(ws) as con:
        return evidence_for(_prepared(con, ws, the_map, view), found)


def monthly(ws: Workspace, the_map: Map, touchpoint: str, view: View) -> list[TouchpointStats]:
    """A touchpoint's numbers per calendar month (``period`` is the month's first day), oldest first."""
    with connected(ws) as con:
        prepared = _prepared(con, ws, the_map, view, "month")
        prepared.events = prepared.events.filter(prepared.events.touchpoint == touchpoint)
        return sorted(touchpoint_stats(prepared), key=lambda t: t.period)
