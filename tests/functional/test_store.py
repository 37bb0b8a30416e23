"""The Parquet dataset store from the command line: init --store, store export, --engine, same answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    first = json.loads(_ok("analyze", str(embedded / "acme"), "--json", "--quiet"))
    second = json.loads(_ok("analyze", str(embedded / "copy"), "--json", "--quiet", "--engine", "duckdb"))
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
