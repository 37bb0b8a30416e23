"""A store held by a load in another process: the API says so with 503, `busy` and a Retry-After."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cxmap.progress import Steps
from cxmap.service.intake import Options, load_files
from cxmap.service.users import AuthStore
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace

HOLD = "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\nprint('holding', flush=True)\ntime.sleep(60)\n"


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A workspace with one event, its store opened for writing by another process (as a load holds it)."""
    ws = init_workspace(tmp_path / "ws")
    events = tmp_path / "e.csv"
    events.write_text("customer_id,timestamp,touchpoint,score\nC1,2026-01-05T10:00:00Z,Kickoff call,4\n")
    load_files(ws, [str(events)], Options(kind="events", scale="0-10"), Steps(None))
    token = AuthStore(ws.root).create_token("reader", "viewer")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(ws.root / "cxmap.duckdb")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield ws.root, token
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_store_held_by_another_process_answers_503_busy_with_retry_after(held: tuple[Path, str]) -> None:
    root, token = held
    client = TestClient(create_app(root))
    answer = client.get("/api/accounts", params={"as_of": "2026-01-31"}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"]["code"] == "busy"
    assert answer.json()["error"]["message"] == "the store is busy with a load in another process; retry when it ends"
