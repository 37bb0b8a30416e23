"""What the web pages measure: findings, comments and trends of a map for a period and a segment, cached.

Every answer goes through :meth:`AppState.cached`, keyed by its parameters and the map file's version, so
a page computes once and then answers at once until a load changes the store (or the map file changes).

A *segment* here is one value of a dimension (account segment, owner, channel or department): the page
shows the journey of those customers only. The analysis's own ``segment`` splits the touchpoint numbers
by every value; to draw one value's journey, :func:`findings` filters the events to it and runs the same
finding functions as :func:`cxmap.analytics.analyze.analyze` on what is left.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cxmap.analytics.analyze import Request, analyze
from cxmap.analytics.areas import problem_areas, purple_cows
from cxmap.analytics.curve import curve
from cxmap.analytics.evidence import evidence_for, sample_comments
from cxmap.analytics.findings import Findings, OutcomeDefinition, TouchpointStats
from cxmap.analytics.hotspots import hot_spots
from cxmap.analytics.outcomes import OutcomeChoice, choose_outcome, customer_outcomes, resolve_choice
from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.analytics.touchpoints import scope_counts, touchpoint_stats
from cxmap.engine import connect
from cxmap.errors import NotFound, UsageError
from cxmap.model import Map
from cxmap.web.maps import all_maps, map_files
from cxmap.web.state import AppState

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

    def describe(self) -> str:
        parts = [f"{DIMENSIONS[self.by]}: {self.value}"] if self.by else []
        if self.since or self.until:
            parts.append(f"{self.since or 'start'} to {self.until or 'latest'}")
        return " \u00b7 ".join(parts) or "All customers, all time"

    def query(self, **extra: str | None) -> str:
        """The view as a query string (``?since=...``), for links that keep it; "" when it is everything."""
        params: dict[str, str | None] = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        params |= {"segment": self.segment} | extra
        kept = {k: v for k, v in params.items() if v or (k.startswith("outcome") and v == "")}  # "": none
        return "?" + urlencode(kept) if kept else ""


def day(text: str | None, name: str) -> date | None:
    """A date from a query parameter; "" is none."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{name}: '{text}' is not a date (YYYY-MM-DD)") from None


def view_of(since: str | None, until: str | None, segment: str | None) -> View:
    """The view from the page's query parameters (``segment`` is ``dimension:value``)."""
    by, value = None, None
    if segment:
        by, sep, value = segment.partition(":")
        if by not in DIMENSIONS or not sep or not value:
            raise UsageError(f"segment: '{segment}' is not one of {', '.join(DIMENSIONS)} with a value (owner:Ana)")
    return View(day(since, "since"), day(until, "until"), by, value)


def maps_stamp(state: AppState) -> tuple[tuple[str, int, int], ...]:
    """Every map file's name, time and size: changes whenever a map is added, edited or removed."""
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in map_files(state.workspace))


def valid_maps(state: AppState) -> list[tuple[Path, Map]]:
    """The workspace's maps that load, parsed again only when a map file changes."""

    def compute() -> list[tuple[Path, Map]]:
        return [(path, m) for path, m, _ in all_maps(state.workspace) if m is not None]

    return state.cached(("maps", maps_stamp(state)), compute)[0]


def find(state: AppState, map_id: str) -> tuple[Path, Map]:
    """A map by id (as :func:`cxmap.web.maps.map_by_id`, from the parsed maps above)."""
    found = next(((path, m) for path, m in valid_maps(state) if m.id == map_id), None)
    if found is None:
        raise NotFound(f"no map '{map_id}' in this workspace")
    return found


def map_key(path: Path, the_map: Map) -> tuple[str, int, int]:
    """The map's identity for the cache: edited files give new answers."""
    stat = path.stat()
    return the_map.id, stat.st_mtime_ns, stat.st_size


@contextmanager
def engine(state: AppState) -> Iterator[Any]:
    """A read-only connection to the store, closed afterwards: an open reader would keep a load in this
    process from writing."""
    con = connect(state.workspace)
    try:
        yield con
    finally:
        con.disconnect()


def has_events(state: AppState) -> bool:
    def compute() -> bool:
        with engine(state) as con:
            return bool(con.table("events").count().execute())

    return state.cached(("has-events",), compute)[0]


def segment_values(state: AppState) -> dict[str, list[str]]:
    """The values each dimension takes in the data, for the segment select."""

    def compute() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with engine(state) as con:
            for by in DIMENSIONS:
                table = con.table("events" if by in ("channel", "department") else "accounts")
                column = table[by]
                values = table.filter(column.notnull()).select(column).distinct().to_pyarrow().column(0)
                found[by] = sorted(str(v) for v in values.to_pylist() if str(v).strip())
        return found

    return state.cached(("segment-values",), compute)[0]


def measured_touchpoints(state: AppState, key: tuple[Any, ...], the_map: Map) -> dict[str, str]:
    """Touchpoints with events (id -> name), map touchpoints first: what an outcome can be."""

    def compute() -> dict[str, str]:
        with engine(state) as con:
            prepared = prepare(con, the_map, state.workspace.settings)
        return {t.id: t.name for t in prepared.touchpoints.values() if t.raw_names}

    return state.cached(("measured-touchpoints", key), compute)[0]


def choose(
    state: AppState, key: tuple[Any, ...], the_map: Map, outcome: str | None, negative: str | None
) -> OutcomeChoice:
    """The page's outcome, as every face chooses it (:func:`choose_outcome`: the page's own, else the map's
    or cxmap.yaml's `measure:`); `outcome=` empty is none. With nothing configured, a guess: a touchpoint
    of the map's last step that has events, said to be one."""
    if outcome == "":
        return OutcomeChoice(None, None, "request")
    choice = choose_outcome(the_map, state.workspace.settings, outcome, negative)
    if choice.outcome is not None:
        return choice
    measured = measured_touchpoints(state, key, the_map)
    last = the_map.steps[-1].touchpoints if the_map.steps else []
    guess = next((t for t in last if t in measured), None)
    return OutcomeChoice(guess, None, "default") if guess else choice


def _prepared(con: Any, state: AppState, the_map: Map, view: View, period: str | None = None) -> Prepared:
    """The events of the view (only the segment value's, when one is chosen)."""
    scope = Scope(view.since, view.until, view.by, period)
    prepared = prepare(con, the_map, state.workspace.settings, scope)
    if view.by:
        prepared.events = prepared.events.filter(prepared.events.segment == view.value)
    return prepared


def _segment_findings(con: Any, state: AppState, the_map: Map, choice: OutcomeChoice, view: View) -> Findings:
    """The findings the map's picture needs (curve, touchpoints, hot spots, problem areas, purple cows)
    for one segment value: the steps of `analyze`, on the filtered events."""
    settings = state.workspace.settings
    prepared = _prepared(con, state, the_map, view)
    found, against = resolve_choice(prepared, choice)
    customers, events = scope_counts(prepared)
    stats = touchpoint_stats(prepared)
    spots = []
    if found is not None and customers:
        outcomes = customer_outcomes(prepared, found, against)
        excluded = {t for t in (found, against) if t is not None}
        spots = hot_spots(prepared, outcomes, {t.id: t.reach for t in stats}, excluded)
    significant = [s for s in spots if s.significant]
    confirmed = {s.touchpoint for s in significant}
    a = settings.analysis
    return Findings(
        workspace=str(state.workspace.root),
        map=the_map.id,
        outcome=found,
        outcome_negative=against,
        outcome_definition=OutcomeDefinition(outcome=found, outcome_negative=against, source=choice.source),
        since=view.since.isoformat() if view.since else None,
        until=view.until.isoformat() if view.until else None,
        segment=view.segment,
        customers=customers,
        events=events,
        touchpoints=stats,
        curve=curve(prepared),
        hot_spots=significant,
        hot_spot_candidates=spots,
        satisfaction_proxies=[s for s in spots if s.moves_with_satisfaction],
        moments_of_truth_unconfirmed=[t for t in (the_map.moments_of_truth() if found else []) if t not in confirmed],
        problem_areas=problem_areas(stats, a),
        purple_cows=purple_cows(stats, a),
        journeys={},
        conformance={},
        contagion=[],
        recovery={},
        thresholds={**a.model_dump(), "recovery_window_days": settings.recovery.window_days},
    )


def findings(state: AppState, key: tuple[Any, ...], the_map: Map, choice: OutcomeChoice, view: View) -> Findings:
    """Every finding for the whole data (``analyze``, as ``cxmap report``), or the map's findings for one
    segment value; of the view's period."""

    def compute() -> Findings:
        if view.by is None:
            request = Request(the_map, since=view.since, until=view.until, choice=choice)
            return analyze(state.workspace, request)
        with engine(state) as con:
            return _segment_findings(con, state, the_map, choice, view)

    return state.cached(("findings", key, choice, view), compute)[0]


def comments(
    state: AppState, key: tuple[Any, ...], the_map: Map, touchpoint: str, view: View, count: int = 8
) -> list[dict[str, Any]]:
    """The most recent comments at a touchpoint in the view, newest first."""

    def compute() -> list[dict[str, Any]]:
        with engine(state) as con:
            return sample_comments(_prepared(con, state, the_map, view), [touchpoint], count).get(touchpoint, [])

    return state.cached(("comments", key, touchpoint, view, count), compute)[0]


def evidence(
    state: AppState, key: tuple[Any, ...], the_map: Map, found: Findings, view: View
) -> dict[str, list[dict[str, Any]]]:
    """A few recent comments at every touchpoint a finding points at, in the finding's tone."""
    wanted = {s.touchpoint for s in found.hot_spots} | {p.touchpoint for p in found.problem_areas}
    wanted |= {p.touchpoint for p in found.purple_cows}

    def compute() -> dict[str, list[dict[str, Any]]]:
        with engine(state) as con:
            return evidence_for(_prepared(con, state, the_map, view), found)

    return state.cached(("evidence", key, tuple(sorted(wanted)), view), compute)[0]


def monthly(state: AppState, key: tuple[Any, ...], the_map: Map, touchpoint: str, view: View) -> list[TouchpointStats]:
    """A touchpoint's numbers per calendar month (``period`` is the month's first day), oldest first."""

    def compute() -> list[TouchpointStats]:
        with engine(state) as con:
            prepared = _prepared(con, state, the_map, view, "month")
            prepared.events = prepared.events.filter(prepared.events.touchpoint == touchpoint)
            return sorted(touchpoint_stats(prepared), key=lambda t: t.period)

    return state.cached(("monthly", key, touchpoint, view), compute)[0]
