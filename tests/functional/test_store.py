"""The Parquet dataset store from the command line: init --store, store export, --engine, same answers."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cxmap.workspace import open_workspace
from cxmap.workspace.export import RETIRED, snapshot
from tests.conftest import run_cxmap, write

EVENTS = """customer_id,timestamp,touchpoint,score,department
c1,2025-01-30T10:00:00,signup,8,sales
c1,2025-02-02T09:00:00,onboarding call,3,support
c2,2025-02-01T12:00:00,signup,9,sales
c2,2025-03-05T08:30:00,renewal,,sales
c3,2025-03-01T23:59:59,signup,2,sales
"""


def _ok(*args: str) -> str:
    result = run_cxmap(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _nine(text: str) -> float:
    return round(float(text), 9)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    _ok("init", str(root / "acme"))
    _ok("ingest", str(root / "acme"), str(write(root / "events.csv", EVENTS)), "--quiet")
    return root


def test_init_with_a_store_writes_an_empty_dataset_and_the_settings(tmp_path: Path) -> None:
    out = json.loads(_ok("init", str(tmp_path / "big"), "--engine", "pyspark", "--store", "lake", "--json"))
    assert out["engine"] == "pyspark"
    assert out["store"] == "lake"
    manifest = json.loads((tmp_path / "big" / "lake" / "_cxmap" / "manifest.json").read_text())
    assert manifest["version"] == 1
    assert sorted(manifest["tables"]) == ["accounts", "contacts", "events", "loads", "quarantine", "sentiment_cache"]
    assert all(len(files) == 1 for files in manifest["tables"].values())
    assert not (tmp_path / "big" / "cxmap.duckdb").exists()
    settings = (tmp_path / "big" / "cxmap.yaml").read_text()
    assert "engine: pyspark" in settings
    assert 'store: "lake"' in settings


def test_an_unknown_engine_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_cxmap("init", str(tmp_path / "x"), "--engine", "oracle")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --engine: unknown engine 'oracle'; use one of: duckdb, pyspark"
    ]
    assert not (tmp_path / "x").exists()


def test_export_writes_events_by_month_and_the_copy_gives_the_same_answers(embedded: Path) -> None:
    out = json.loads(_ok("store", "export", str(embedded / "acme"), f"parquet://{embedded}/lake", "--json"))
    assert out["events"] == 5
    manifest = json.loads((embedded / "lake" / "_cxmap" / "manifest.json").read_text())
    months = sorted(f.split("/")[1] for f in manifest["tables"]["events"])
    assert months == ["month=2025-01", "month=2025-02", "month=2025-03"]
    _ok("init", str(embedded / "copy"), "--store", f"file://{embedded}/lake")
    # Means may differ in the last bits (the order of a parallel sum): equal to 9 decimals.
    first = json.loads(_ok("analyze", str(embedded / "acme"), "--json", "--quiet"), parse_float=_nine)
    second = json.loads(
        _ok("analyze", str(embedded / "copy"), "--json", "--quiet", "--engine", "duckdb"), parse_float=_nine
    )
    assert first.pop("workspace") != second.pop("workspace")
    assert first == second
    assert second["events"] == 5
    assert second["customers"] == 3


def test_export_refuses_a_folder_that_holds_files_and_leaves_it_alone(embedded: Path) -> None:
    target = embedded / "busy"
    write(target / "notes.txt", "keep me")
    result = run_cxmap("store", "export", str(embedded / "acme"), str(target))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {target}: is not empty; export into a new or empty folder"
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_remote_store_is_named_as_spark_only_for_duckdb(tmp_path: Path) -> None:
    _ok("init", str(tmp_path / "lake"), "--store", "s3a://bucket/cx")
    result = run_cxmap("status", str(tmp_path / "lake"))
    assert result.returncode == 1
    assert "s3a:// stores are read by Spark only" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _manifest(lake: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((lake / "_cxmap" / "manifest.json").read_text())
    return data


def test_ingest_into_a_dataset_keeps_every_promise(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _ok("init", str(ws), "--store", "lake")
    bad = EVENTS + "c4,not a date,signup,5,sales\n"
    first = json.loads(_ok("ingest", str(ws), str(write(tmp_path / "e.csv", bad)), "--quiet", "--json"))
    assert (first["loaded"], first["duplicates"], first["quarantined"]) == (5, 0, 1)
    again = json.loads(_ok("ingest", str(ws), str(tmp_path / "e.csv"), "--quiet", "--json"))
    assert (again["loaded"], again["duplicates"], again["quarantined"]) == (0, 5, 1)
    rows = json.loads(_ok("quarantine", str(ws), "--json"))["rows"]
    assert [(r["line"], r["reason"][:9]) for r in rows] == [(7, "timestamp")]  # kept once, with its line
    manifest = _manifest(ws / "lake")
    assert manifest["version"] == 3  # created, then one publish per load
    status = json.loads(_ok("status", str(ws), "--json"))
    assert (status["events"], status["customers"], len(status["loads"])) == (5, 3, 2)


def test_a_strict_or_preview_load_publishes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _ok("init", str(ws), "--store", "lake")
    path = write(tmp_path / "e.csv", EVENTS + "c4,not a date,signup,5,sales\n")
    strict = run_cxmap("ingest", str(ws), str(path), "--strict", "--quiet")
    assert strict.returncode == 1
    assert "--strict: nothing was loaded" in strict.stderr
    _ok("ingest", str(ws), str(path), "--preview")
    assert _manifest(ws / "lake")["version"] == 1
    assert list((ws / "lake").glob("events/month=*")) == []


def test_accounts_loaded_again_replace_the_older_rows(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _ok("init", str(ws), "--store", "lake")
    _ok("ingest", str(ws), str(write(tmp_path / "a1.csv", "account_id,name\nA1,Acme\nA2,Beta\n")), "-k", "accounts")
    out = json.loads(
        _ok(
            "ingest",
            str(ws),
            str(write(tmp_path / "a2.csv", "account_id,name\nA2,Beta Ltd\n")),
            "-k",
            "accounts",
            "--json",
        )
    )
    assert (out["loaded"], out["replaced"]) == (1, 1)
    manifest = _manifest(ws / "lake")
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    assert len(tables["accounts"]) == 1  # one file: the whole table as of this load
    retired = manifest["retired"]
    assert isinstance(retired, dict)
    assert len(retired) == 2  # the empty file and the first load's, kept for readers a while
    status = json.loads(_ok("status", str(ws), "--json"))
    assert status["accounts"] == 2


LATER = """customer_id,timestamp,touchpoint,score,department
c1,2025-03-10T10:00:00,renewal,9,sales
c2,2025-01-15T09:00:00,demo,7,sales
c0,2025-03-02T08:00:00,signup,5,sales
"""
# Both loads' rows in customer and time order: what `store optimize` writes (and only where rows sit changes).
OPTIMIZED = [
    ("c0", "2025-03-02 08:00:00"),
    ("c1", "2025-01-30 10:00:00"),
    ("c1", "2025-02-02 09:00:00"),
    ("c1", "2025-03-10 10:00:00"),
    ("c2", "2025-01-15 09:00:00"),
    ("c2", "2025-02-01 12:00:00"),
    ("c2", "2025-03-05 08:30:00"),
    ("c3", "2025-03-01 23:59:59"),
]


@pytest.mark.parametrize("store", ["embedded", "dataset"])
def test_optimize_writes_the_events_again_in_journey_order_with_the_same_answers(tmp_path: Path, store: str) -> None:
    ws = tmp_path / "acme"
    _ok("init", str(ws), *(["--store", "lake"] if store == "dataset" else []))
    for name, text in (("first.csv", EVENTS), ("later.csv", LATER)):
        _ok("ingest", str(ws), str(write(tmp_path / name, text)), "--quiet")
    before = json.loads(_ok("analyze", str(ws), "--json", "--quiet"), parse_float=_nine)
    # a dataset keeps one file per month: sorted inside each
    expected = OPTIMIZED if store == "embedded" else sorted(OPTIMIZED, key=lambda row: (row[1][:7], row))
    assert _physical_order(ws, store) != expected  # two loads, each sorted in itself
    out = json.loads(_ok("store", "optimize", str(ws), "--json"))
    assert out == {"workspace": str(ws.resolve()), "events": 8}
    assert _physical_order(ws, store) == expected
    if store == "dataset":  # the files it replaced stay listed as retired, for readers of the older version
        manifest = json.loads((ws / "lake" / "_cxmap" / "manifest.json").read_text())
        assert manifest["version"] == 4
        assert all(f.split("/")[-1].startswith("sorted-000004-") for f in manifest["tables"]["events"])
        assert sum(f.split("/")[-1].startswith("load-") for f in manifest["retired"]) == 5
    assert json.loads(_ok("analyze", str(ws), "--json", "--quiet"), parse_float=_nine) == before
    assert (
        _ok("store", "optimize", str(ws)).strip()
        == f"{ws.resolve()}: 8 events written again in customer and time order"
    )


def _physical_order(ws: Path, store: str) -> list[tuple[str, str]]:
    """The events as they sit in the store: by row id in the DuckDB file; by file, then row in it, in a dataset."""
    con = duckdb.connect(str(ws / "cxmap.duckdb") if store == "embedded" else ":memory:", read_only=store == "embedded")
    try:
        if store == "embedded":
            sql = "SELECT customer_id, strftime(\"timestamp\", '%Y-%m-%d %H:%M:%S') FROM events ORDER BY rowid"
        else:
            manifest = json.loads((ws / "lake" / "_cxmap" / "manifest.json").read_text())
            files = ", ".join(f"'{ws / 'lake' / f}'" for f in manifest["tables"]["events"])
            sql = (
                "SELECT customer_id, strftime(\"timestamp\", '%Y-%m-%d %H:%M:%S') "
                f"FROM read_parquet([{files}], filename = true, file_row_number = true) "
                "ORDER BY filename, file_row_number"
            )
        return [(str(a), str(b)) for a, b in con.execute(sql).fetchall()]
    finally:
        con.close()


def test_the_snapshot_of_each_store_version_stays_put_until_an_hour_after_it_is_replaced(tmp_path: Path) -> None:
    """Spark reads an embedded store through a Parquet snapshot; a job still reading the old one keeps it."""
    ws = tmp_path / "acme"
    _ok("init", str(ws))
    _ok("ingest", str(ws), str(write(tmp_path / "first.csv", EVENTS)), "--quiet")
    first = snapshot(open_workspace(ws))
    assert snapshot(open_workspace(ws)) == first  # the same store version: the same folder, not made again
    files = json.loads((first / "_cxmap" / "manifest.json").read_text())["tables"]["events"]
    _ok("ingest", str(ws), str(write(tmp_path / "later.csv", LATER)), "--quiet")
    second = snapshot(open_workspace(ws))
    assert second != first
    assert all((first / f).is_file() for f in files)  # still there for whoever reads it
    assert float((first / RETIRED).read_text()) > 0
    (first / RETIRED).write_text("0")  # replaced long ago
    _ok("ingest", str(ws), str(write(tmp_path / "third.csv", LATER.replace("2025", "2024"))), "--quiet")
    third = snapshot(open_workspace(ws))
    assert not first.exists()
    assert second.exists()
    assert third.exists()
    con = duckdb.connect()
    try:
        events = json.loads((third / "_cxmap" / "manifest.json").read_text())["tables"]["events"]
        paths = ", ".join(f"'{third / f}'" for f in events)
        assert con.execute(f"SELECT count(*) FROM read_parquet([{paths}])").fetchone() == (11,)
    finally:
        con.close()
