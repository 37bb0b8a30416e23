"""The engine table: names, the clear line when an engine is missing, the base install never loading Spark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cxmap.cli.output import CLI
from cxmap.engine import connect
from cxmap.engines import spark
from cxmap.errors import CxmapError, MapInvalid, UsageError
from cxmap.settings import load_settings
from cxmap.workspace import init_workspace


def test_an_unknown_engine_for_one_run_is_a_usage_error(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(UsageError) as caught:
        connect(ws.using("trino"))
    assert (caught.value.field, caught.value.say(CLI)) == (
        "engine",
        "--engine: unknown engine 'trino'; use one of: duckdb, pyspark",
    )


def test_an_unknown_engine_in_the_settings_is_located(tmp_path: Path) -> None:
    (tmp_path / "cxmap.yaml").write_text("timezone: UTC\nengine: sparky\n", encoding="utf-8")
    with pytest.raises(MapInvalid) as caught:
        load_settings(tmp_path)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (2, 9)
    assert "'sparky' is not an engine; use one of: duckdb, pyspark" in problem.message


def test_pyspark_missing_is_one_line_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(CxmapError) as caught:
        spark.session({})
    assert caught.value.message == (
        "the pyspark engine needs the spark extra: pip install 'cxmap[spark]' (and Java 17)"
    )


def test_the_duckdb_path_never_imports_pyspark(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    code = (
        "import sys; from cxmap.workspace import open_workspace; from cxmap.engine import connect; "
        f"connect(open_workspace(__import__('pathlib').Path({str(ws.root)!r}))); "
        "print(sorted(m for m in sys.modules if m.startswith('pyspark')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_python_api_takes_an_engine_for_one_run(tmp_path: Path) -> None:
    import cxmap

    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(UsageError) as caught:
        cxmap.analyze(ws.root, engine="trino")
    assert str(caught.value) == "engine: unknown engine 'trino'; use one of: duckdb, pyspark"
