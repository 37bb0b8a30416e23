"""`analyze` on DuckDB and on PySpark: every finding, its --segment and --period variants, equal on both.

The log (two loads, workspace in Europe/Amsterdam) is the hot-spot log of tests/unit/test_analysis.py grown
to reach every finding and the places where engines part ways:
- naive local times (read in Amsterdam at ingest), times with an offset and times in UTC (`Z`), all stored
  as naive UTC, across the change to summer time (29 March);
- ties in time: within a load (B1's import and support ticket), across loads (G1's onboarding email, N3's
  second QBR) and between customers; the order is (timestamp, load_id, row) on every engine;
- customers whose events all lack an emotion (Q1, Q2: NULL everywhere, never NaN), events without a
  department, account or plan (NULL account_id, NULL segment, a missing attribute);
- recoveries on time and late, churn as the negative outcome, milestones late against the account's start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cxmap.analytics.analyze import Request, analyze
from cxmap.analytics.curve import curve
from cxmap.analytics.findings import Findings
from cxmap.analytics.prepare import Scope, prepare
from cxmap.analytics.touchpoints import scope_counts, touchpoint_stats
from cxmap.engine import connect
from cxmap.model import Map, loads_map
from cxmap.workspace import Workspace, init_workspace
from tests.analytics_fixtures import load_csv
from tests.engines.helpers import answer, on_each_engine, on_spark, same

pytestmark = pytest.mark.spark

MAP = """\
id: t
title: Test journey
touchpoints:
  - {id: kickoff, name: Kickoff call, matches: ["Kickoff*"]}
  - {id: import, name: Data import, matches: ["Import*"]}
  - {id: support, name: Support ticket, matches: ["Support*"]}
  - {id: rescue, name: Rescue call, matches: ["Rescue*"], recovery: true}
  - {id: qbr, name: Business review, matches: ["QBR"]}
  - {id: renewal, name: Renewal, matches: ["Renewal"]}
  - {id: churn, name: Churn}
  - {id: training, name: Training}
stages:
  - id: onboard
    title: Onboard
    steps:
      - {id: kick, action: Kickoff, touchpoints: [kickoff], moment_of_truth: true, emotion: 7}
      - {id: imp, action: Import, touchpoints: [import, support], moment_of_truth: true, emotion: 3}
  - id: grow
    title: Grow
    steps:
      - {id: train, action: Training, touchpoints: [training], emotion: 6}
      - {id: review, action: Review, touchpoints: [qbr, support], emotion: {before: 6, during: 9, after: 8}}
      - {id: renew, action: Renew, touchpoints: [renewal], emotion: 8}
milestones:
  - {id: kickoff-7, touchpoint: kickoff, due_days: 7}
  - {id: qbr-45, touchpoint: qbr, due_days: 45}
verifications:
  - {id: kickoff-on-time, text: Kickoff within a week, milestone: kickoff-7, target: 0.8}
  - {id: kickoff-felt, text: Kickoffs feel good, step: kick, target: 0.5}
  - {id: support-felt, text: Support feels good, touchpoint: support, target: 0.5}
  - {id: by-hand, text: Someone looks at it, target: 1.0}
"""
HEADER = "customer_id,account_id,timestamp,touchpoint,score,department,channel,plan"
ACCOUNTS = """\
account_id,name,started_at,segment,owner
A0,Zero,2025-12-20,enterprise,Ana
A1,One,2026-01-01,smb,Ben
A2,Two,,enterprise,Ana
A3,Three,2026-01-02,,
A9,Nine,2026-02-01,smb,Ben
"""
CONTACTS = """\
customer_id,account_id,added_at,role
G4,A2,2026-01-01,champion
G5,,2026-01-01,prospect
B2,A1,2026-01-01,admin
"""


def first_load() -> str:
    rows = [HEADER]
    for i in range(1, 21):  # good kickoffs, naive local times (CET: 09:xx UTC); 15 renew, 5 churn
        acct, plan = f"A{i % 4}" if i % 5 else "", ("gold", "silver", "")[i % 3]
        rows.append(f"G{i},{acct},2026-01-01 10:{i:02d}:00,Kickoff call,8,CS,phone,{plan}")
        rows.append(f"G{i},{acct},2026-03-0{1 if i <= 15 else 2},{'Renewal' if i <= 15 else 'Churn'},,Sales,,{plan}")
        if i % 4 == 0:
            rows.append(f"G{i},{acct},2026-02-0{i // 4}T09:30:00+01:00,Support ticket,{i % 10},Support,email,{plan}")
        if i % 3 == 0:  # Training, in a department of its own, after the clocks change (CEST, naive)
            rows.append(f"G{i},{acct},2026-03-29 03:{i:02d}:00,Training,{7 + i % 3},Success,video,{plan}")
    for i in range(1, 21):  # bad kickoffs, in UTC; a bad import for all at the same instant
        acct, plan = f"A{i % 4}" if i % 5 else "", ("gold", "silver", "")[i % 3]
        rows.append(f"B{i},{acct},2026-01-01T10:{i:02d}:00Z,Kickoff call,2,CS,video,{plan}")
        rows.append(f"B{i},{acct},2026-01-05T09:00:00+01:00,Import job,{2 + i % 2},PS,web,{plan}")
        if i == 1:  # the same instant as its import, one row later: after it
            rows.append(f"B{i},{acct},2026-01-05T08:00:00Z,Support ticket,1,Support,email,{plan}")
        if i <= 10:  # recovered within 7 days: a rescue (the map's recovery touchpoint) or a callback (a glob)
            at, what = ("00", "Rescue call") if i % 2 else ("00.5", "Callback")  # half a second counts
            rows.append(f"B{i},{acct},2026-01-0{6 + i % 3}T12:00:{at}Z,{what},6,CS,,{plan}")
        elif i <= 13:  # recovered late
            rows.append(f"B{i},{acct},2026-01-20T12:00:00Z,Rescue call,5,CS,phone,{plan}")
        if i <= 3:
            rows.append(f"B{i},{acct},2026-03-01,Renewal,,Sales,,{plan}")
        elif i >= 8:
            rows.append(f"B{i},{acct},2026-03-02,Churn,,Sales,,{plan}")
        if i % 5 == 0:  # across the change to summer time: 01:30 CET and 03:30 CEST, one hour apart
            rows.append(f"B{i},{acct},2026-03-29 01:30:00,Training,4,Success,video,{plan}")
            rows.append(f"B{i},{acct},2026-03-29 03:30:00,Support ticket,9,Support,email,{plan}")
    for i in range(1, 21):  # H and L share a welcome e-mail graded 6, so the adjusted leverage compares them
        kick, renews = (8, i <= 16) if i % 2 else (2, i <= 4)
        rows.append(f"H{i},,2026-01-03 09:00:00,Welcome email,6,,email,")
        rows.append(f"H{i},,2026-01-04 09:00:00,Kickoff call,{kick},CS,video,")
        rows.append(f"H{i},,2026-03-0{1 if renews else 2},{'Renewal' if renews else 'Churn'},,Sales,,")
    for i in range(1, 5):  # only a business review (10/10); two renew
        rows.append(f"N{i},A1,2026-02-01T10:00:00+01:00,QBR,10,CS,video,gold")
        if i <= 2:
            rows.append(f"N{i},A1,2026-03-01,Renewal,,Sales,,gold")
    # Q1 and Q2 never gave an emotion: NULL on every engine, never NaN. M1 moved from A1 to A3 at one
    # instant: their account is the one of their last event, the later row (A3), on every engine.
    rows += [
        "Q1,A3,2026-01-10 12:00:00,Website visit,,,web,",
        "Q1,A3,2026-01-11 12:00:00,Kickoff call,,CS,phone,",
        "Q2,,2026-01-12 12:00:00,Website visit,,,web,bronze",
        "M1,A1,2026-03-10 10:00:00,Support ticket,2,Support,email,gold",
        "M1,A3,2026-03-10 10:00:00,Website visit,,,web,gold",
    ]
    # Fractions of a second count: K1's kickoff is 7 days and 0.4 s after their first event (late for the
    # kickoff-7 milestone); M2's bad moment is 7 days and 0.499999 s before the end of 8 January in
    # Amsterdam (overdue as of that day).
    rows += [
        "K1,,2026-01-02 10:00:00,Website visit,,,web,",
        "K1,,2026-01-09 10:00:00.400,Kickoff call,8,CS,phone,",
        "M2,A0,2026-01-01 23:59:59.500,Support ticket,2,Support,email,",
    ]
    return "\n".join(rows) + "\n"


# Ties across loads: G1's email at its kickoff's instant comes after it (load 2 > load 1); N3's second QBR
# at the first one's instant (10:00 CET is 09:00 UTC), scored 7 so that it is not the same event. This load
# has one more column, an attribute whose name has a space.
SECOND_LOAD = f"""\
{HEADER},sales region
G1,A1,2026-01-01 10:01:00,Onboarding email,9,CS,email,silver,EU
N3,A1,2026-02-01T09:00:00Z,QBR,7,CS,video,gold,
"""
OUTCOMES = {"outcome": "renewal", "outcome_negative": "churn"}
SPLIT = {"segment": "plan", "period": "month"}  # an event attribute (JSON), by calendar month
THRESHOLDS = {"min_customers": 10, "min_events": 4}
SEGMENTS = {
    "event column": "channel",
    "account column": "segment",
    "event attribute": "plan",
    "event attribute with a space": "sales region",
}
PERIODS = ("week", "month", "quarter")


def build(tmp_path: Path, conf: dict[str, Any]) -> tuple[Workspace, Map]:
    ws = on_spark(init_workspace(tmp_path / "ws"), conf, timezone="Europe/Amsterdam")
    for text, kind in (
        (first_load(), "events"),
        (SECOND_LOAD, "events"),
        (ACCOUNTS, "accounts"),
        (CONTACTS, "contacts"),
    ):
        load_csv(ws, tmp_path, text, kind)
    (ws.maps_dir / "t.yaml").write_text(MAP, encoding="utf-8")
    return ws, loads_map(MAP)


def split(ws: Workspace, the_map: Map, scope: Scope) -> Callable[[str], dict[str, Any]]:
    """What a scope (--segment, --period, --since/--until) changes in analyze: the touchpoints and counts."""

    def task(engine: str) -> dict[str, Any]:
        prepared = prepare(connect(ws.using(engine)), the_map, ws.settings, scope)
        return {"counts": scope_counts(prepared), "touchpoints": touchpoint_stats(prepared)}

    return task


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, spark_conf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ws, the_map = build(tmp_path_factory.mktemp("analyze"), spark_conf)
    tasks = {
        "analyze": lambda engine: analyze(
            ws.using(engine), Request(the_map, **OUTCOMES, **SPLIT, thresholds=THRESHOLDS)
        ),
        "whole scope": split(ws, the_map, Scope()),
        "curve without a map": lambda engine: curve(prepare(connect(ws.using(engine)), None, ws.settings)),
        "since and until": split(ws, the_map, Scope(since=date(2026, 1, 5), until=date(2026, 3, 1))),
        **{f"segment by {kind}": split(ws, the_map, Scope(segment=name)) for kind, name in SEGMENTS.items()},
        **{f"period {p}": split(ws, the_map, Scope(period=p)) for p in PERIODS},
    }
    return on_each_engine(tasks)


@pytest.mark.parametrize("finding", list(Findings.model_fields))
def test_every_finding_of_analyze(results: dict[str, dict[str, Any]], finding: str) -> None:
    """`analyze --segment plan --period month`: the touchpoints by plan and month, the rest over everything."""
    same(results, "analyze", finding)


def test_curve_without_a_map(results: dict[str, dict[str, Any]]) -> None:
    same(results, "curve without a map")


SPLITS = ["whole scope", "since and until", *(f"segment by {k}" for k in SEGMENTS), *(f"period {p}" for p in PERIODS)]


@pytest.mark.parametrize("split", SPLITS)
def test_splits(results: dict[str, dict[str, Any]], split: str) -> None:
    same(results, split)


def test_the_log_reaches_every_finding(results: dict[str, dict[str, Any]]) -> None:
    """Equal answers prove little when they are empty: every finding has something to compare."""
    found = answer(results, "duckdb", "analyze")
    for finding in ("hot_spots", "problem_areas", "purple_cows", "contagion"):
        assert found[finding], finding
    assert found["recovery"]["recovered_on_time"]
    assert found["recovery"]["recovered_late"]
    assert found["conformance"]["deviations"]
    assert found["journeys"]["variants"]
    assert any(t["emotion_mean"] is None for t in found["touchpoints"])  # Q1's and Q2's website visits
    assert {t["period"] for t in found["touchpoints"]} == {"2026-01-01", "2026-02-01", "2026-03-01"}
    segments = {t["segment"] for t in answer(results, "duckdb", "segment by account column", "touchpoints")}
    assert segments == {"enterprise", "smb", "(none)"}
    plans = {t["segment"] for t in answer(results, "duckdb", "segment by event attribute", "touchpoints")}
    assert plans == {"gold", "silver", "bronze", "(none)"}
    regions = {
        t["segment"] for t in answer(results, "duckdb", "segment by event attribute with a space", "touchpoints")
    }
    assert regions == {"EU", "(none)"}
