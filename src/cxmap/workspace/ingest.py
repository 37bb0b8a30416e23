"""`cxmap ingest`: files into the store in one transaction; every unusable row goes to the quarantine.

This module opens the store, sets the engine up for a load and owns the transaction; the load itself
(reading the files, writing their new rows) is `pipeline.run`, which works on whatever connection it is
given and checks event ids against whichever relation it is told holds the stored ones.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxmap.errors import CxmapError
from cxmap.progress import Steps
from cxmap.workspace import pipeline
from cxmap.workspace.core import Workspace
from cxmap.workspace.pipeline import LoadResult, Options
from cxmap.workspace.scales import get_scale
from cxmap.workspace.sources import Source, expand
from cxmap.workspace.sql import lit
from cxmap.workspace.store import transaction

__all__ = ["KINDS", "LoadResult", "Options", "configure", "ingest", "load"]

KINDS = ("events", "accounts", "contacts")


def ingest(workspace: Workspace, paths: list[str], options: Options, steps: Steps) -> LoadResult:
    """Load files into the workspace: all of them or, on any error, nothing."""
    if options.kind not in KINDS:
        raise CxmapError(f"--kind: unknown kind '{options.kind}'; use one of: {', '.join(KINDS)}")
    get_scale(options.scale)
    sources = expand(paths)
    if workspace.dataset_root is not None:
        from cxmap.workspace.dataset_ingest import ingest_dataset  # a store of Parquet files, see there

        return ingest_dataset(workspace, sources, options, steps)
    with workspace.connect() as con:
        return load(con, workspace, sources, options, steps)


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
