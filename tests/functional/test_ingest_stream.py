"""The streamed load: duplicates within a load and against the store, row numbers across the files of one
load, typed Parquet times, the scratch folder, and what `cxmap ingest` imports. Answers worked out by hand."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxmap.progress import Steps
from cxmap.workspace import core
from cxmap.workspace.ingest import Options, load
from cxmap.workspace.read import open_source, worth_copying
from cxmap.workspace.sources import Source
from tests.conftest import run_cxmap, write
from tests.functional.test_ingest import ingest, rows


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    assert run_cxmap("init", str(tmp_path / "acme")).returncode == 0
    return tmp_path / "acme"


def event_id(*parts: str) -> str:
    """DECISIONS.md: the first 16 hex digits of SHA-256 over the parts joined by U+001F."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def test_parquet_duplicates_within_the_load_and_against_the_store(ws: Path, tmp_path: Path) -> None:
    first = "event_id,customer_id,timestamp,touchpoint,score\nE1,C1,2026-01-05T10:00:00,Demo,7\n"
    first += "E2,C2,2026-01-06T10:00:00,Demo,8\n"
    ingest(ws, str(write(tmp_path / "first.csv", first)))
    parquet = tmp_path / "second.parquet"
    pq.write_table(
        pa.table(
            {
                "event_id": ["E2", "E3", None, "E3", None, "E4"],
                "customer_id": ["C2", "C3", "C4", "C3", "C4", "C5"],
                "timestamp": pa.array([datetime(2026, 1, d, 10) for d in (6, 7, 8, 9, 8, 10)], pa.timestamp("us")),
                "touchpoint": ["Demo", "Call", "Chat", "Call", "Chat", "Demo"],
                "score": [8.0, 5.0, 6.0, 1.0, 6.0, None],
            }
        ),
        parquet,
    )
    counts = ingest(ws, str(parquet))
    # Row 1 (E2) is in the store; row 4 repeats E3 of row 2; row 5 is row 3 again (the same hashed id).
    assert (counts["rows_read"], counts["loaded"], counts["duplicates"], counts["quarantined"]) == (6, 3, 3, 0)
    hashed = event_id("C4", "2026-01-08T10:00:00.000000Z", "Chat", "6.0", "")
    assert rows(ws, 'SELECT event_id, customer_id, score, "row" FROM events WHERE load_id = 2 ORDER BY "row"') == [
        ("E3", "C3", 5.0, 2),
        (hashed, "C4", 6.0, 3),
        ("E4", "C5", None, 6),
    ]
    assert rows(ws, "SELECT count(*) FROM events") == [(5,)]
    assert ingest(ws, str(parquet))["loaded"] == 0


def test_rows_are_numbered_across_the_files_of_a_load_and_the_first_copy_wins(ws: Path, tmp_path: Path) -> None:
    csv = write(
        tmp_path / "a.csv",
        "customer_id,timestamp,touchpoint,score\nC1,2026-01-05,Demo,7\nC2,2026-01-05,Demo,3\n",
    )
    parquet = tmp_path / "b.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": ["C2", "C3"],
                "timestamp": pa.array([date(2026, 1, 5), date(2026, 1, 6)], pa.date32()),
                "touchpoint": ["Demo", "Demo"],
                "score": [3.0, 9.0],
            }
        ),
        parquet,
    )
    counts = ingest(ws, str(csv), str(parquet))
    # b.parquet's first row is a.csv's second event (same customer, instant, touchpoint, score 3.0).
    assert (counts["rows_read"], counts["loaded"], counts["duplicates"]) == (4, 3, 1)
    assert rows(ws, 'SELECT customer_id, load_id, "row" FROM events ORDER BY "row"') == [
        ("C1", 1, 1),
        ("C2", 1, 2),
        ("C3", 1, 4),
    ]


@pytest.mark.parametrize(
    ("zone", "naive", "dated"),
    [
        ("UTC", "2026-01-05 10:00:00", "2026-07-01 00:00:00"),
        ("Europe/Amsterdam", "2026-01-05 09:00:00", "2026-06-30 22:00:00"),  # UTC+1 in winter, +2 in summer
    ],
)
def test_typed_parquet_times_in_the_workspace_time_zone(
    ws: Path, tmp_path: Path, zone: str, naive: str, dated: str
) -> None:
    settings = ws / "cxmap.yaml"
    settings.write_text(settings.read_text().replace("timezone: UTC", f"timezone: {zone}"))
    times = {
        "naive": pa.array([datetime(2026, 1, 5, 10)], pa.timestamp("s")),
        "zoned": pa.array([datetime(2026, 7, 1, 10, tzinfo=UTC)], pa.timestamp("ms", tz="UTC")),
        "dated": pa.array([date(2026, 7, 1)], pa.date32()),
    }
    for name, values in times.items():
        table = pa.table({"customer_id": [name], "timestamp": values, "touchpoint": ["Demo"]})
        pq.write_table(table, tmp_path / f"{name}.parquet")
    ingest(ws, *(str(tmp_path / f"{name}.parquet") for name in times))
    got = rows(ws, 'SELECT customer_id, CAST("timestamp" AS VARCHAR), event_id FROM events ORDER BY "row"')
    assert [(c, t) for c, t, _ in got] == [("naive", naive), ("zoned", "2026-07-01 10:00:00"), ("dated", dated)]
    utc = naive.replace(" ", "T") + ".000000Z"
    assert got[0][2] == event_id("naive", utc, "Demo", "", "")


def test_a_parquet_file_of_one_row_group_is_copied_for_two_threads_with_its_ids_and_rows_unchanged(
    ws: Path, tmp_path: Path
) -> None:
    """pandas and pyarrow write up to a million rows in one row group; such a file is copied into smaller
    ones so that the load runs on every thread. The copy must keep each value exactly: a Parquet dictionary
    takes -0.0 and 0.0 for one value, and the score's text is part of the event id."""
    n = 250_000  # at least two row groups of the copy's 122,880 rows
    scores = [(-0.0, 0.0, 7.5)[i % 3] for i in range(n)]
    table = pa.table(
        {
            "customer_id": [f"C{i % 1000}" for i in range(n)],
            "timestamp": pa.array([datetime(2026, 1, 5, 10)] * n, pa.timestamp("us")),
            "touchpoint": [f"T{i}" for i in range(n)],
            "score": scores,
        }
    )
    parquet = tmp_path / "one-group.parquet"
    pq.write_table(table, parquet, row_group_size=n)
    workspace = core.open_workspace(ws)
    with workspace.connect() as con:
        con.execute("SET threads = 2")
        view = open_source(con, Source(parquet, "parquet"), 0)
        assert worth_copying(con, view)
        con.execute("SET threads = 1")
        assert not worth_copying(con, view)  # one thread has nothing to share
        con.execute("SET threads = 2")
        result = load(con, workspace, [Source(parquet, "parquet")], Options(), Steps(None))
    assert (result.loaded, result.duplicates, result.quarantined) == (n, 0, 0)
    got = rows(ws, "SELECT \"row\", event_id, score FROM events WHERE touchpoint IN ('T0', 'T1', 'T249998') ORDER BY 1")
    at = "2026-01-05T10:00:00.000000Z"
    assert got == [
        (1, event_id("C0", at, "T0", "-0.0", ""), 0.0),  # stored as 0, identified by the source's -0.0
        (2, event_id("C1", at, "T1", "0.0", ""), 0.0),
        (249999, event_id("C998", at, "T249998", "7.5", ""), 7.5),
    ]
    assert rows(ws, 'SELECT count(DISTINCT event_id), min("row"), max("row") FROM events') == [(n, 1, n)]


def test_source_columns_named_like_the_loads_own_columns_are_kept_as_attributes(ws: Path, tmp_path: Path) -> None:
    """A load adds columns of its own to a text file's copy (the parsed time, whether a line is a JSON
    object) and numbers its rows with the engine's `file_row_number`; a file may use any of those names."""
    csv = write(
        tmp_path / "e.csv",
        "customer_id,timestamp,touchpoint,score,__instant,File_Row_Number\n"
        "C1,2026-01-05T10:00:00,Demo,7,abc,9\nC2,bad,Demo,3,,\nC3,2026-01-06,Demo,,x,1\n",
    )
    jsonl = write(
        tmp_path / "e.jsonl",
        '{"customer_id":"J1","timestamp":"2026-01-05T10:00:00","touchpoint":"Demo","__ok":"yes",'
        '"__instant":"q","file_row_number":5}\nnot json\n'
        '{"customer_id":"J2","timestamp":"2026-01-06","touchpoint":"Demo"}\n',
    )
    assert ingest(ws, str(csv))["loaded"] == 2
    assert ingest(ws, str(jsonl))["loaded"] == 2
    got = rows(
        ws, 'SELECT customer_id, "row", CAST("timestamp" AS VARCHAR), attributes FROM events ORDER BY load_id, "row"'
    )
    assert got == [
        ("C1", 1, "2026-01-05 10:00:00", '{"__instant":"abc","File_Row_Number":"9"}'),
        ("C3", 3, "2026-01-06 00:00:00", '{"__instant":"x","File_Row_Number":"1"}'),
        ("J1", 1, "2026-01-05 10:00:00", '{"__instant":"q","__ok":"yes","file_row_number":"5"}'),
        ("J2", 3, "2026-01-06 00:00:00", None),
    ]
    assert rows(ws, "SELECT line, reason FROM quarantine ORDER BY load_id") == [
        (3, "timestamp 'bad' is not a date or time"),
        (2, "broken line: not a JSON object"),
    ]


def test_the_scratch_folder_is_left_empty_and_a_killed_loads_copy_is_removed(ws: Path, tmp_path: Path) -> None:
    left = ws / ".cxmap" / "tmp" / "load-999999999-x"  # no process has this id
    write(left / "0.parquet", "a copy a killed load left behind")
    csv = write(tmp_path / "e.csv", "customer_id,timestamp,touchpoint\nC1,2026-01-05,Demo\n")
    assert ingest(ws, str(csv))["loaded"] == 1
    assert [p.name for p in (ws / ".cxmap" / "tmp").iterdir() if p.name.startswith("load-")] == []


def test_ingest_imports_none_of_the_heavy_libraries(ws: Path, tmp_path: Path) -> None:
    """Start-up is part of every load's time: the command imports only what loading needs."""
    csv = write(
        tmp_path / "e.csv",
        "customer_id,timestamp,touchpoint,score,comment\nC1,2026-01-05,Demo,,Lovely people\nC2,x,Demo,3,\n",
    )
    heavy = ["numpy", "pandas", "pyarrow", "scipy", "ibis", "fastapi", "jinja2", "cxmap.web", "cxmap.render"]
    heavy += ["cxmap.model.map", "cxmap.model.schema", "rich"]  # the map model, and Rich off a terminal
    script = (
        "import sys\n"
        "from cxmap.cli.app import main\n"
        f"sys.argv = ['cxmap', 'ingest', {str(ws)!r}, {str(csv)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout)["loaded"] == 1
    assert done.stderr.strip().splitlines()[-1] == "[]"
