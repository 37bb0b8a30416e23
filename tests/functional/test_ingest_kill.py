"""A load is one transaction: killed halfway with SIGKILL, the workspace holds all of it or none of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cxmap

ROWS = 3_000_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "events.csv"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'C' || (i % 50000) AS customer_id,
                TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS "timestamp",
                'Touchpoint ' || (i % 17) AS touchpoint, i % 11 AS score,
                CASE WHEN i % 40 = 0 THEN 'comment ' || (i % 97) END AS comment
            FROM range({ROWS}) r(i)) TO '{path}' (HEADER)"""
    )
    con.close()
    return path


def counts(ws: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(ws / "cxmap.duckdb"))
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM loads), (SELECT count(*) FROM quarantine)"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])
    finally:
        con.close()


@pytest.mark.parametrize("delay", [1.0, 3.0])
def test_sigkill_mid_load_leaves_all_or_nothing(tmp_path: Path, big_csv: Path, delay: float) -> None:
    ws = tmp_path / "ws"
    assert run_cxmap("init", str(ws)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxmap", "ingest", str(ws), str(big_csv), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    assert proc.poll() is None, "the load finished before it could be killed; use a bigger file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert counts(ws) == (0, 0, 0)  # nothing of the killed load is visible, and the store opens
    # The workspace stays usable: the same file loads completely afterwards.
    again = run_cxmap("ingest", str(ws), str(big_csv), "--quiet")
    assert again.returncode == 0, again.stderr
    assert counts(ws) == (ROWS, 1, 0)
