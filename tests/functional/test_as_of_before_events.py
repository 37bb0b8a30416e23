"""An as-of before the first event is an answer from no events, never an error: milestones are upcoming,
there are no alerts, nobody has an experience, and gate refuses with its reason (and exits 0). An as-of
far after the last event costs no more than the last event."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cxmap.accounts.base import resolve_as_of
from cxmap.accounts.milestones import event_span
from cxmap.engine import connect
from cxmap.workspace import open_workspace
from tests.conftest import EXAMPLES, run_cxmap

MAP = "b2b-onboarding"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Acme started on 2025-01-01; its contacts' first events are on 2025-01-08 and 09."""
    root = tmp_path_factory.mktemp("early")
    ws = root / "ws"
    assert run_cxmap("init", str(ws)).returncode == 0
    shutil.copy(EXAMPLES / f"{MAP}.yaml", ws / "maps")
    files = {
        "accounts": "account_id,name,started_at\nA1,Acme,2025-01-01\n",
        "contacts": "customer_id,account_id,role\nC1,A1,admin\nC2,A1,user\n",
        "events": "customer_id,timestamp,touchpoint,score\n"
        "C1,2025-01-08T10:00:00Z,Kickoff call,9\nC2,2025-01-09T10:00:00Z,Support ticket,2\n",
    }
    for kind, text in files.items():
        (root / f"{kind}.csv").write_text(text)
        assert run_cxmap("ingest", str(ws), str(root / f"{kind}.csv"), "--kind", kind, "--quiet").returncode == 0
    return ws


def answer(*args: str) -> Any:
    done = run_cxmap(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_milestones_before_the_first_event_are_all_upcoming(workspace: Path) -> None:
    rows = answer("milestones", str(workspace), "-m", MAP, "--as-of", "2025-01-02")
    assert {r["status"] for r in rows} == {"upcoming"}
    assert [r["milestone"] for r in rows] == ["kickoff-7", "checkin-30", "qbr-90"]
    assert rows[0]["due"] == "2025-01-08"


def test_alerts_accounts_and_gate_before_any_event_answer_from_no_events(workspace: Path) -> None:
    assert answer("alerts", str(workspace), "--as-of", "2024-01-01") == []
    [acme] = answer("accounts", str(workspace), "--as-of", "2024-01-01")
    assert (acme["account_id"], acme["experience"], acme["scored_contacts"]) == ("A1", None, 0)
    gate = answer("gate", str(workspace), "C1", "--as-of", "2024-01-01")
    assert (gate["allowed"], gate["reasons"]) == (
        False,
        ["C1 has no scored experience in the 90 days before 2024-01-01, so we cannot tell they are happy"],
    )


def test_the_days_worked_out_reach_from_the_first_event_to_the_last_not_to_a_far_as_of(workspace: Path) -> None:
    """The zone's offsets are worked out over the events' own span, so an as-of in 2999 costs what the
    latest event does (it took seconds, growing with every year of the span)."""
    ws = open_workspace(workspace)
    con = connect(ws)
    first, last = datetime(2025, 1, 8, 10), datetime(2025, 1, 9, 10)
    assert event_span(con, resolve_as_of(con, ws.settings, date(2999, 12, 31))) == (first, last)
    early = resolve_as_of(con, ws.settings, date(2024, 1, 1))
    assert event_span(con, early) == (early.instant, early.instant)
    between = resolve_as_of(con, ws.settings, date(2025, 1, 8))
    assert event_span(con, between) == (first, between.instant)
