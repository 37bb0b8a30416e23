"""`cxmap analyze`: every finding for a workspace (and a map), computed in the engine, as typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from cxmap.analytics.areas import problem_areas, purple_cows
from cxmap.analytics.conformance import conformance
from cxmap.analytics.contagion import contagion
from cxmap.analytics.curve import curve
from cxmap.analytics.findings import Findings, OutcomeDefinition
from cxmap.analytics.hotspots import hot_spots, satisfaction_bands
from cxmap.analytics.journeys import journeys
from cxmap.analytics.outcomes import (
    OutcomeChoice,
    account_starts,
    choose_outcome,
    customer_outcomes,
    resolve_choice,
)
from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.analytics.recovery import recovery
from cxmap.analytics.touchpoints import scope_counts, touchpoint_stats
from cxmap.engine import connect, progress_connection
from cxmap.errors import UsageError
from cxmap.model import Map
from cxmap.progress import Steps
from cxmap.settings import Settings
from cxmap.workspace import Workspace, open_workspace
from cxmap.workspace.maps import find_map

Parts = Literal["all", "map"]


@dataclass
class Request:
    """What to analyse; the CLI, the API and notebooks all build one."""

    map: Map | str | None = None
    outcome: str | None = None
    outcome_negative: str | None = None
    since: date | None = None
    until: date | None = None
    segment: str | None = None
    period: str | None = None
    thresholds: dict[str, Any] = field(default_factory=dict)
    top: int | None = None
    only: tuple[str, str] | None = None  # one segment value (`owner`, `Ana Ruiz`): the events that have it
    parts: Parts = "all"  # "map": only what the map's picture needs (see Findings), for the web's segment views
    choice: OutcomeChoice | None = None  # the outcome already chosen (the web's); else from the fields above


def with_thresholds(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """Settings with per-run threshold overrides (`good_min=8`, `recovery.window_days=5`)."""
    if not overrides:
        return settings
    analysis, rec = settings.analysis.model_dump(), settings.recovery.model_dump()
    for key, value in overrides.items():
        section, _, name = key.rpartition(".")
        target = rec if section == "recovery" else analysis if section in ("", "analysis") else None
        if target is None or name not in target:
            known = ", ".join([*analysis, *(f"recovery.{k}" for k in rec)])
            raise UsageError(f"unknown threshold '{key}'; use one of: {known}", field="threshold")
        target[name] = value
    try:
        return settings.model_copy(
            update={
                "analysis": type(settings.analysis).model_validate(analysis),
                "recovery": type(settings.recovery).model_validate(rec),
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", field="threshold") from None


def analyze(workspace: Workspace | str | Path, request: Request | None = None, steps: Steps | None = None) -> Findings:
    """Every finding for the workspace's events (and the map, when given)."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(Path(workspace))
    req = request or Request()
    run = steps or Steps(None)
    the_map = find_map(ws, req.map) if req.map is not None else None
    settings = with_thresholds(ws.settings, req.thresholds)
    con = connect(ws)
    raw = progress_connection(con)
    scope = Scope(req.since, req.until, req.segment, req.period, req.only)
    prepared = run.run("Reading events", raw, lambda: prepare(con, the_map, settings, scope))
    split = scope.segment is not None or scope.period is not None
    overall = prepare(con, the_map, settings, Scope(req.since, req.until, only=req.only)) if split else prepared
    choice = req.choice or choose_outcome(the_map, settings, req.outcome, req.outcome_negative)
    outcome, negative = resolve_choice(prepared, choice)
    # Four findings join the outcomes: worked out once and kept in the engine (a temporary table on
    # DuckDB, a cached frame on Spark) for this run, instead of once per finding.
    outcomes = (
        run.run("Outcomes", raw, lambda: customer_outcomes(overall, outcome, negative).cache()) if outcome else None
    )
    excluded = {t for t in (outcome, negative) if t is not None}
    customers, events = run.run("Counting", raw, lambda: scope_counts(overall))
    stats = run.run("Touchpoints", raw, lambda: touchpoint_stats(prepared))
    whole = stats if overall is prepared else run.run("Touchpoints overall", raw, lambda: touchpoint_stats(overall))
    reach = {t.id: t.reach for t in whole}
    spots = []
    bands = []
    everything = req.parts == "all"
    if outcomes is not None and outcome is not None:
        spots = run.run("Hot spots", raw, lambda: hot_spots(overall, outcomes, reach, excluded))
        if everything:
            bands = run.run("Satisfaction bands", raw, lambda: satisfaction_bands(overall, outcomes))
    significant = [s for s in spots if s.significant]
    confirmed = {s.touchpoint for s in significant}
    a = settings.analysis
    return Findings(
        workspace=str(ws.root),
        map=the_map.id if the_map else None,
        outcome=outcome,
        outcome_negative=negative,
        outcome_definition=OutcomeDefinition(outcome=outcome, outcome_negative=negative, source=choice.source),
        since=req.since.isoformat() if req.since else None,
        until=req.until.isoformat() if req.until else None,
        segment=req.segment,
        period=req.period,
        customers=customers,
        events=events,
        touchpoints=stats,
        curve=run.run("Emotional curve", raw, lambda: curve(overall)),
        hot_spots=significant,
        hot_spot_candidates=spots,
        satisfaction_proxies=[s for s in spots if s.moves_with_satisfaction],
        moments_of_truth_unconfirmed=[
            t for t in (the_map.moments_of_truth() if the_map and outcome else []) if t not in confirmed
        ],
        satisfaction_bands=bands,
        problem_areas=problem_areas(whole, a),
        purple_cows=purple_cows(whole, a),
        **(_paths(run, raw, con, overall, outcomes, excluded, req.top) if everything else {}),
        thresholds={**a.model_dump(), "recovery_window_days": settings.recovery.window_days},
    )


def _paths(
    run: Steps, raw: Any, con: Any, overall: Prepared, outcomes: Any, excluded: set[str], top: int | None
) -> dict[str, Any]:
    """The findings about the paths customers take, which the map's picture does not show: journeys,
    conformance, contagion and service recovery."""
    return {
        "journeys": run.run("Journeys", raw, lambda: journeys(overall, top)),
        "conformance": run.run(
            "Conformance", raw, lambda: conformance(overall, outcomes, account_starts(con, overall), excluded)
        ),
        "contagion": run.run("Contagion", raw, lambda: contagion(overall)),
        "recovery": run.run("Service recovery", raw, lambda: recovery(overall, outcomes)),
    }
