"""The one loader both stores share: a connection set up for a load, then `pipeline.run` in one transaction.

`ingest.py` (the embedded store) and `dataset_ingest.py` (a store of Parquet files, loading on a scratch
database) both call `load`; it sits below them so that neither imports the other's caller back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxmap.progress import Steps
from cxmap.workspace import pipeline
from cxmap.workspace.core import Workspace
from cxmap.workspace.pipeline import LoadResult, Options
from cxmap.workspace.sources import Source
from cxmap.workspace.sql import lit
from cxmap.workspace.store import transaction

__all__ = ["configure", "load"]


def configure(con: duckdb.DuckDBPyConnection, workspace: Workspace) -> Path:
    """Settings of a connection that writes the store: the workspace's time zone and load memory limit,
    spilling to .cxmap/tmp (returned), and the engine's progress for the bars."""
    scratch = workspace.root / ".cxmap" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET TimeZone = {lit(workspace.settings.timezone)}")
    if workspace.settings.ingest.memory_limit:
        con.execute(f"SET memory_limit = {lit(workspace.settings.ingest.memory_limit)}")
    con.execute(f"SET temp_directory = {lit(str(scratch))}")
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    return scratch


def load(
    con: duckdb.DuckDBPyConnection,
    workspace: Workspace,
    sources: list[Source],
    options: Options,
    steps: Steps,
    stored: str = "events",
) -> LoadResult:
    """Read `sources` into the store's tables on `con` in one transaction (committed unless a preview).

    `stored` names the relation of event ids already in the store (the events table, or a view over the
    files of a dataset store).
    """
    scratch = configure(con, workspace)
    model = workspace.settings.ingest.sentiment_model
    with transaction(con, commit=not options.preview):
        return pipeline.run(con, sources, options, steps, scratch=scratch, sentiment_model=model, stored=stored)
