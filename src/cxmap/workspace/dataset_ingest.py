"""`cxmap ingest` into a Parquet dataset store: the same pipeline as the embedded store, then one publish.

The load runs on a scratch DuckDB database that holds the store's small tables (loads, quarantine,
sentiment cache, accounts, contacts) and sees the stored event ids through a view over the published event
files. Its new rows are written as new files, and the manifest that lists them replaces the old one in one
rename: a reader sees all of the load or none of it, and a killed load leaves only files nobody lists.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxmap.progress import Steps
from cxmap.workspace import dataset
from cxmap.workspace.core import Workspace
from cxmap.workspace.load import load
from cxmap.workspace.pipeline import LoadResult, Options
from cxmap.workspace.sources import Source
from cxmap.workspace.sql import lit
from cxmap.workspace.store import SCHEMA

SMALL = ("loads", "quarantine", "sentiment_cache", "accounts", "contacts")
APPENDED = ("loads", "quarantine")  # rows of a load carry its load_id: only the new ones are written
STORED = "stored_event_ids"


def ingest_dataset(workspace: Workspace, sources: list[Source], options: Options, steps: Steps) -> LoadResult:
    root = workspace.dataset_root
    assert root is not None
    with dataset.writing(root) as manifest:
        con = duckdb.connect()
        try:
            _open(con, root, manifest)
            result = load(con, workspace, sources, options, steps, stored=STORED)
            if not options.preview and result.load_id is not None:
                _publish(con, root, manifest, result)
        finally:
            con.close()
    return result


def _open(con: duckdb.DuckDBPyConnection, root: Path, manifest: dataset.Manifest) -> None:
    """The store's schema, its small tables' rows, and a view of the stored event ids."""
    con.execute(SCHEMA)
    for table in SMALL:
        con.execute(f"INSERT INTO {table} SELECT * FROM read_parquet({_files(root, manifest, table)})")
    con.execute(f"CREATE VIEW {STORED} AS SELECT event_id FROM read_parquet({_files(root, manifest, 'events')})")


def _publish(con: duckdb.DuckDBPyConnection, root: Path, old: dataset.Manifest, result: LoadResult) -> None:
    tag = f"load-{result.load_id:06d}"
    new = dataset.Manifest(old.version + 1, {t: list(f) for t, f in old.tables.items()}, dict(old.retired))
    if result.kind == "events":
        new.tables["events"] += dataset.write_events(con, root, "SELECT * FROM events", tag)
        scored = f"SELECT * FROM sentiment_cache ANTI JOIN read_parquet({_files(root, old, 'sentiment_cache')}) o "
        scored += "USING (comment_hash, model)"
        if result.comments_scored:
            new.tables["sentiment_cache"].append(dataset.write_table(con, root, "sentiment_cache", scored, tag))
    else:
        new.replace(result.kind, [dataset.write_table(con, root, result.kind, f"SELECT * FROM {result.kind}", tag)])
    for table in APPENDED:
        rows = f"SELECT * FROM {table} WHERE load_id = {int(result.load_id or 0)}"
        if table == "loads" or result.quarantined:
            new.tables[table].append(dataset.write_table(con, root, table, rows, tag))
    dataset.publish(root, new)


def _files(root: Path, manifest: dataset.Manifest, table: str) -> str:
    return "[" + ", ".join(lit(f) for f in manifest.files(root, table)) + "]"
