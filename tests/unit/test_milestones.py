"""Account milestones on a hand-made B2B workspace in Europe/Amsterdam whose every answer is worked out below.

Times are written in local time with their offset (CET +01:00 in winter, CEST +02:00 from 29 March 2026).
The answers are "as of" 2026-03-01 (the end of that day in Amsterdam) unless a test says otherwise.

- A1, started 2026-01-01. C1 was there from the start, C2 was added 15 days later (2026-01-16). Kickoff
  (C1) 01-08 10:00, due 01-08: done. Check-in by C2 on 01-31 at 23:30, due 01-31 (day 30 of the account,
  not of C2): done, not late, though in UTC it is 22:30 and C2's own day 30 would be 02-15.
- A2, started 2026-01-01 (C3, C7). Kickoff 01-09 (due 01-08): late. Check-in 02-01 at 00:30 local, which is
  01-31 23:30 UTC, the due day in UTC but the day after in Amsterdam: late.
- A3, started 2026-01-01 (C4). Only a website visit; its check-in of 03-05 comes after the as-of day and
  does not exist for the answer: both milestones overdue.
- A4, started 2026-01-30 (C5). Kickoff on its due day 02-06: done. Check-in due 03-01, the as-of day, not
  done: upcoming (it still has the day).
- A5 is in no accounts or contacts file: C6's events carry it. Its first event is at 00:30 on 01-11 local
  (01-10 23:30 UTC), so it starts on 01-11: kickoff due 01-18 (done on it), check-in due 02-10: overdue.
- A6, started 2026-02-25, has no contacts and no events yet: kickoff due 03-04, check-in 03-27, upcoming.
- C9 has no account, C8 is in the contacts file without one: no account milestones (progress treats
  each on their own).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cxmap.accounts.base import resolve_as_of
from cxmap.accounts.milestones import milestone_status, milestones, zone_offsets
from cxmap.engine import connect
from cxmap.errors import UsageError
from cxmap.model import Map
from cxmap.progress import Steps
from cxmap.workspace import Workspace, open_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.analytics_fixtures import workspace_with

MAP = """\
id: b2b
title: B2B onboarding
kind: ideal
touchpoints:
  - {id: website, name: Website, matches: ["Website*"]}
  - {id: demo, name: Demo, matches: ["Demo*"]}
  - {id: kickoff, name: Kickoff call, matches: ["Kickoff*"]}
  - {id: checkin, name: Check-in call, matches: ["Check-in*"]}
  - {id: qbr, name: Business review, matches: ["QBR*"]}
stages:
  - id: journey
    title: Journey
    steps:
      - {id: visits, action: Visits the website, touchpoints: [website]}
      - {id: sees-demo, action: Sees a demo, touchpoints: [demo]}
      - {id: kicks-off, action: Joins the kickoff, touchpoints: [kickoff]}
      - {id: checks-in, action: Checks in after 30 days, touchpoints: [checkin]}
      - {id: reviews, action: Reviews the value, touchpoints: [qbr]}
milestones:
  - {id: kickoff-7, touchpoint: kickoff, due_days: 7}
  - {id: checkin-30, touchpoint: checkin, due_days: 30}
verifications:
  - {id: kickoff-on-time, text: Kickoff within a week, milestone: kickoff-7, target: 0.6}
  - {id: checkin-on-time, text: Check-in on day 30, milestone: checkin-30, target: 0.5}
  - {id: demo-good, text: Demos feel good, step: sees-demo, target: 0.5}
  - {id: checkin-felt, text: Check-ins feel good, touchpoint: checkin, target: 0.9}
  - {id: by-hand, text: Someone looks at it, target: 1.0}
  - {id: demo-reached, text: Accounts see a demo, step: sees-demo, measure: reached, target: 0.8}
  - {id: website-reached, text: Accounts visit the website, touchpoint: website, measure: reached, target: 0.5}
  - {id: checked-in, text: Accounts check in, measure: outcome, target: 0.5}
"""

# Demo scores (window: the 90 days before the as-of moment): A1 C1 8, C2 6 and 9 (mean 7.5): worst 7.5,
# passes. A2 C3 9 but C7 4: fails. A3's demo is unscored: not counted. A4 C5 7 (the threshold: passes);
# its 2 of 2025-11-01 is before the window. A5's 10 comes after the as-of day. -> 2 of 3 accounts.
# Check-in scores: A1 C2 9 (passes), A2 C3 5 (fails). -> 1 of 2.
EVENTS = """\
customer_id,account_id,timestamp,touchpoint,score
C1,,2026-01-08T10:00:00+01:00,Kickoff call,
C1,,2026-02-10T10:00:00+01:00,Demo,8
C2,,2026-01-31T23:30:00+01:00,Check-in call,9
C2,,2026-02-11T10:00:00+01:00,Demo,6
C2,,2026-02-12T10:00:00+01:00,Demo,9
C3,,2026-01-09T10:00:00+01:00,Kickoff call,
C3,,2026-02-01T00:30:00+01:00,Check-in call,5
C3,,2026-02-10T10:00:00+01:00,Demo,9
C7,,2026-02-10T11:00:00+01:00,Demo,4
C4,,2025-12-20T10:00:00+01:00,Website visit,
C4,,2026-02-15T10:00:00+01:00,Demo,
C4,,2026-03-05T10:00:00+01:00,Check-in call,8
C5,,2025-11-01T10:00:00+01:00,Demo,2
C5,,2026-02-06T23:30:00+01:00,Kickoff call,
C5,,2026-02-20T10:00:00+01:00,Demo,7
C6,A5,2026-01-11T00:30:00+01:00,Website visit,
C6,A5,2026-01-18T12:00:00+01:00,Kickoff call,
C6,A5,2026-03-05T10:00:00+01:00,Demo,10
C9,,2026-02-01T10:00:00+01:00,Website visit,
C8,,2026-02-25T10:00:00+01:00,Website visit,
C9,,2026-02-02T10:00:00+01:00,Demo,8
"""
ACCOUNTS = """\
account_id,name,started_at
A1,Alpha,2026-01-01
A2,Beta,2026-01-01
A3,Gamma,2026-01-01
A4,Delta,2026-01-30
A6,Epsilon,2026-02-25
"""
CONTACTS = """\
customer_id,account_id,added_at,role
C1,A1,2026-01-01,champion
C2,A1,2026-01-16,user
C3,A2,2026-01-01,champion
C7,A2,2026-01-01,user
C4,A3,2026-01-01,champion
C5,A4,2026-01-30,champion
C8,,2026-02-20,prospect
"""
AS_OF = date(2026, 3, 1)


def amsterdam(ws: Workspace) -> Workspace:
    """The same workspace with its time zone set to Europe/Amsterdam (after the events are stored in UTC)."""
    settings = ws.root / "cxmap.yaml"
    settings.write_text(settings.read_text("utf-8").replace("timezone: UTC", "timezone: Europe/Amsterdam"), "utf-8")
    return open_workspace(ws.root)


def build_b2b(tmp_path: Path) -> tuple[Any, Workspace, Map]:
    """The workspace described in the module docstring: (connection, workspace, map)."""
    ws, the_map = workspace_with(tmp_path, EVENTS, MAP)
    for kind, text in (("accounts", ACCOUNTS), ("contacts", CONTACTS)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        ingest(ws, [str(path)], Options(kind=kind), Steps(None))
    ws = amsterdam(ws)
    assert the_map is not None
    return connect(ws), ws, the_map


@pytest.fixture(scope="module")
def b2b(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Workspace, Map]:
    return build_b2b(tmp_path_factory.mktemp("b2b"))


def answer(b2b: tuple[Any, Workspace, Map], day: date | None = AS_OF, **kw: Any) -> list[dict[str, Any]]:
    con, ws, the_map = b2b
    return milestones(con, the_map, ws.settings, resolve_as_of(con, ws.settings, day), **kw)


def test_every_account_and_milestone_as_worked_out(b2b: Any) -> None:
    got = [(r["due"], r["account_id"], r["milestone"], r["status"], r["done_at"]) for r in answer(b2b)]
    assert got == [
        ("2026-01-08", "A1", "kickoff-7", "done", "2026-01-08T09:00:00"),
        ("2026-01-08", "A2", "kickoff-7", "late", "2026-01-09T09:00:00"),
        ("2026-01-08", "A3", "kickoff-7", "overdue", None),
        ("2026-01-18", "A5", "kickoff-7", "done", "2026-01-18T11:00:00"),
        ("2026-01-31", "A1", "checkin-30", "done", "2026-01-31T22:30:00"),
        ("2026-01-31", "A2", "checkin-30", "late", "2026-01-31T23:30:00"),
        ("2026-01-31", "A3", "checkin-30", "overdue", None),
        ("2026-02-06", "A4", "kickoff-7", "done", "2026-02-06T22:30:00"),
        ("2026-02-10", "A5", "checkin-30", "overdue", None),
        ("2026-03-01", "A4", "checkin-30", "upcoming", None),
        ("2026-03-04", "A6", "kickoff-7", "upcoming", None),
        ("2026-03-27", "A6", "checkin-30", "upcoming", None),
    ]


def test_the_json_contract(b2b: Any) -> None:
    first = answer(b2b)[0]
    assert first == {
        "account_id": "A1",
        "milestone": "kickoff-7",
        "touchpoint": "kickoff",
        "due": "2026-01-08",
        "status": "done",
        "done_at": "2026-01-08T09:00:00",
    }


def test_a_contact_added_later_does_not_move_the_accounts_due_date(b2b: Any) -> None:
    row = next(r for r in answer(b2b) if r["account_id"] == "A1" and r["milestone"] == "checkin-30")
    assert (row["due"], row["status"]) == ("2026-01-31", "done")  # day 30 of A1, met by C2 (added on day 15)


def test_done_at_2330_local_on_the_due_day_is_on_time_and_the_next_local_day_is_late(b2b: Any) -> None:
    rows = {(r["account_id"], r["milestone"]): r["status"] for r in answer(b2b)}
    assert rows[("A1", "checkin-30")] == "done"  # 23:30 CET on the due day (22:30 UTC)
    assert rows[("A4", "kickoff-7")] == "done"  # the same, on another account
    assert rows[("A2", "checkin-30")] == "late"  # 00:30 CET the day after, though still the due day in UTC


def test_due_on_the_as_of_day_is_upcoming_and_the_day_after_overdue(b2b: Any) -> None:
    today = {r["account_id"]: r["status"] for r in answer(b2b) if r["milestone"] == "checkin-30"}
    assert today["A4"] == "upcoming"
    after = {r["account_id"]: r["status"] for r in answer(b2b, date(2026, 3, 2)) if r["milestone"] == "checkin-30"}
    assert after["A4"] == "overdue"


def test_events_after_the_as_of_moment_do_not_exist(b2b: Any) -> None:
    then = {(r["account_id"], r["milestone"]): r for r in answer(b2b, date(2026, 1, 31))}
    assert then[("A1", "checkin-30")]["status"] == "done"  # 23:30 local on the as-of day counts
    assert then[("A2", "checkin-30")]["status"] == "upcoming"  # its call (00:30 the day after) has not happened
    assert then[("A3", "checkin-30")]["status"] == "upcoming"
    later = {(r["account_id"], r["milestone"]): r for r in answer(b2b, date(2026, 3, 6))}
    assert later[("A3", "checkin-30")]["status"] == "late"  # the 03-05 call now exists
    assert later[("A3", "checkin-30")]["done_at"] == "2026-03-05T09:00:00"


def test_an_account_seen_only_in_events_starts_on_its_first_local_day(b2b: Any) -> None:
    a5 = {r["milestone"]: r["due"] for r in answer(b2b) if r["account_id"] == "A5"}
    assert a5 == {"kickoff-7": "2026-01-18", "checkin-30": "2026-02-10"}  # start 01-11 local, 01-10 in UTC


def test_an_account_that_starts_after_the_as_of_day_has_its_plan_upcoming(b2b: Any) -> None:
    early = [r for r in answer(b2b, date(2026, 1, 20)) if r["account_id"] == "A4"]
    assert [(r["milestone"], r["due"], r["status"]) for r in early] == [
        ("kickoff-7", "2026-02-06", "upcoming"),
        ("checkin-30", "2026-03-01", "upcoming"),
    ]


def test_customers_without_an_account_have_no_account_milestones(b2b: Any) -> None:
    assert {r["account_id"] for r in answer(b2b)} == {"A1", "A2", "A3", "A4", "A5", "A6"}


def test_filter_by_status(b2b: Any) -> None:
    assert [(r["account_id"], r["milestone"]) for r in answer(b2b, status="overdue")] == [
        ("A3", "kickoff-7"),
        ("A3", "checkin-30"),
        ("A5", "checkin-30"),
    ]
    with pytest.raises(UsageError, match="unknown status 'missed'"):
        answer(b2b, status="missed")


def test_the_engine_table_has_one_row_per_account_and_milestone(b2b: Any) -> None:
    con, ws, the_map = b2b
    table = milestone_status(con, the_map, ws.settings, resolve_as_of(con, ws.settings, AS_OF))
    assert table.columns == ("account_id", "milestone", "touchpoint", "due", "status", "done_at")
    assert table.count().execute() == 12
    assert str(table.schema()["due"]) == "date"


def test_a_map_without_milestones_has_none(b2b: Any) -> None:
    con, ws, the_map = b2b
    bare = the_map.model_copy(update={"milestones": []})
    assert milestones(con, bare, ws.settings, resolve_as_of(con, ws.settings, AS_OF)) == []


NO_FILES = """\
customer_id,account_id,timestamp,touchpoint
X1,B1,2026-04-01T00:30:00+02:00,Website visit
X2,B1,2026-04-08T23:59:00+02:00,Kickoff call
X3,B2,2026-03-28T23:30:00+01:00,Website visit
X3,B2,2026-04-05T01:00:00+02:00,Kickoff call
"""


def test_without_accounts_or_contacts_files_the_start_is_the_first_events_local_day(tmp_path: Path) -> None:
    """B1 starts 04-01 (CEST; 03-31 in UTC): kickoff 04-08 23:59 is on time. B2 starts 03-28 (CET, before
    the clocks change): kickoff due 04-04, done 04-05 01:00 CEST (04-04 23:00 UTC): late."""
    ws, the_map = workspace_with(tmp_path, NO_FILES, MAP)
    ws = amsterdam(ws)
    assert the_map is not None
    con = connect(ws)
    as_of = resolve_as_of(con, ws.settings, None)  # the latest event: 04-08 in Amsterdam
    assert as_of.day == date(2026, 4, 8)
    got = [
        (r["account_id"], r["milestone"], r["due"], r["status"]) for r in milestones(con, the_map, ws.settings, as_of)
    ]
    assert got == [
        ("B2", "kickoff-7", "2026-04-04", "late"),
        ("B1", "kickoff-7", "2026-04-08", "done"),
        ("B2", "checkin-30", "2026-04-27", "upcoming"),
        ("B1", "checkin-30", "2026-05-01", "upcoming"),
    ]


def test_zone_offsets_follow_daylight_saving() -> None:
    pieces = zone_offsets("Europe/Amsterdam", datetime(2026, 1, 1), datetime(2026, 12, 31))
    assert pieces == [
        (datetime(2026, 3, 29, 1, 0), 3600),
        (datetime(2026, 10, 25, 1, 0), 7200),
        (None, 3600),
    ]
    assert zone_offsets("UTC", datetime(2026, 1, 1), datetime(2026, 12, 31)) == [(None, 0)]
