"""`cxmap store optimize`: the store's events written again in customer and time order.

Every load writes its own events sorted, but a store fed by many small loads (a month at a time, a batch
through the API) holds a customer's events in as many places. Written again in one order, the
per-customer findings read each journey together again (benchmarks/README.md, "Scale"). The answers never
change: only where the rows sit.

Embedded store: one transaction (a reader sees the old order or the new, never half). Dataset store: new
month files, published by one manifest rename; the old files are retired like replaced ones.
"""

from __future__ import annotations

from functools import partial

import duckdb

from cxmap.progress import Steps
from cxmap.workspace import dataset
from cxmap.workspace.core import Workspace
from cxmap.workspace.load import configure
from cxmap.workspace.store import transaction

SORTED = "cxmap_sorted_events"


def optimize(workspace: Workspace, steps: Steps) -> int:
    """Write the events again sorted by customer and time; how many there are."""
    root = workspace.dataset_root
    if root is not None:
        with dataset.writing(root) as manifest:
            con = duckdb.connect()
            try:
                configure(con, workspace)
                dataset.attach_views(con, root)
                count = _count(con)
                if count:
                    new = dataset.Manifest(manifest.version + 1, dict(manifest.tables), dict(manifest.retired))
                    tag = f"sorted-{new.version:06d}"
                    work = partial(dataset.write_events, con, root, "SELECT * FROM events", tag)
                    new.replace("events", steps.run("Sorting events", con, work))
                    dataset.publish(root, new)
            finally:
                con.close()
        return count
    with workspace.connect() as con:
        configure(con, workspace)
        count = _count(con)
        if count:
            steps.run("Sorting events", con, lambda: _rewrite(con))
            con.execute("CHECKPOINT")  # the space of the old rows is given back now, not at the next load
    return count


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0]) if row else 0


def _rewrite(con: duckdb.DuckDBPyConnection) -> None:
    with transaction(con):
        con.execute(f"CREATE TEMP TABLE {SORTED} AS SELECT * FROM events ORDER BY {dataset.ORDER}")
        con.execute("DELETE FROM events")
        con.execute(f"INSERT INTO events SELECT * FROM {SORTED}")
        con.execute(f"DROP TABLE {SORTED}")
