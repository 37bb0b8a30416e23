"""A load is one transaction: killed halfway with SIGKILL, the workspace holds all of it or none of it."""

from __future__ import annotations

import json
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


def test_sigkill_during_a_dataset_load_publishes_nothing(tmp_path: Path, big_csv: Path) -> None:
    """Killed while its files are being written, a load into a Parquet dataset store is never seen; the next
    load removes its files and loads everything."""
    ws = tmp_path / "ws"
    assert run_cxmap("init", str(ws), "--store", "lake").returncode == 0
    lake = ws / "lake"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxmap", "ingest", str(ws), str(big_csv), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(lake.glob("events/month=*/*.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the load ended before its files could be seen"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(lake.glob("events/month=*/*.parquet")), "no file of the load was written before the kill"
    status = json.loads(run_cxmap("status", str(ws), "--json").stdout)
    assert (status["events"], len(status["loads"])) == (0, 0)  # the manifest still lists none of it
    again = run_cxmap("ingest", str(ws), str(big_csv), "--quiet")
    assert again.returncode == 0, again.stderr
    status = json.loads(run_cxmap("status", str(ws), "--json").stdout)
    assert (status["events"], len(status["loads"])) == (ROWS, 1)
    listed = set(json.loads((lake / "_cxmap" / "manifest.json").read_text())["tables"]["events"])
    on_disk = {str(p.relative_to(lake)) for p in lake.glob("events/**/*.parquet")}
    assert on_disk == listed  # the killed load's files are gone
