"""`--segment` on the event's own columns: the event's value wins over a contact or account column of the
same name, and an unknown name is an error, never one meaningless "(none)" row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cxmap


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tickets tagged with their company on the event; the contacts file says C1 belongs to A9."""
    root = tmp_path_factory.mktemp("segments")
    ws = root / "ws"
    assert run_cxmap("init", str(ws)).returncode == 0
    (root / "contacts.csv").write_text("customer_id,account_id,role\nC1,A9,admin\n")
    (root / "events.csv").write_text(
        "customer_id,account_id,timestamp,touchpoint,score\n"
        "C1,A1,2025-01-08T10:00:00Z,Kickoff call,9\n"
        "C2,A2,2025-01-09T10:00:00Z,Kickoff call,2\n"
        "C3,,2025-01-09T11:00:00Z,Kickoff call,5\n"
    )
    assert run_cxmap("ingest", str(ws), str(root / "contacts.csv"), "--kind", "contacts", "--quiet").returncode == 0
    assert run_cxmap("ingest", str(ws), str(root / "events.csv"), "--quiet").returncode == 0
    return ws


def test_segment_by_account_id_uses_the_account_on_each_event(workspace: Path) -> None:
    done = run_cxmap("analyze", str(workspace), "--segment", "account_id", "--json")
    assert done.returncode == 0, done.stderr
    rows = [(t["segment"], t["events"], t["emotion_mean"]) for t in json.loads(done.stdout)["touchpoints"]]
    assert sorted(rows) == [("(none)", 1, 5.0), ("A1", 1, 9.0), ("A2", 1, 2.0)]


def test_an_unknown_segment_is_an_error_not_an_empty_split(workspace: Path) -> None:
    done = run_cxmap("analyze", str(workspace), "--segment", "company", "--json")
    assert done.returncode == 2
    assert json.loads(done.stderr)["error"]["message"].startswith(
        "--segment: 'company' is not an event column (channel, department, account_id,"
    )
