"""`cxmap ingest`: files into the store in one transaction; every unusable row goes to the quarantine.

This module checks the request and picks the store; `load.load` sets the engine up for a load and owns the
transaction, and the load itself (reading the files, writing their new rows) is `pipeline.run`, which works on
whatever connection it is given and checks event ids against whichever relation it is told holds the stored
ones. `configure` and `load` are re-exported here, where callers have always found them.
"""

from __future__ import annotations

from cxmap.errors import InvalidValue, unknown
from cxmap.progress import Steps
from cxmap.workspace.core import Workspace
from cxmap.workspace.load import configure, load
from cxmap.workspace.pipeline import LoadResult, Options
from cxmap.workspace.scales import get_scale
from cxmap.workspace.sources import expand

__all__ = ["KINDS", "LoadResult", "Options", "configure", "ingest", "load"]

KINDS = ("events", "accounts", "contacts")


def ingest(workspace: Workspace, paths: list[str], options: Options, steps: Steps) -> LoadResult:
    """Load files into the workspace: all of them or, on any error, nothing."""
    if options.kind not in KINDS:
        raise unknown("kind", options.kind, KINDS, InvalidValue)
    get_scale(options.scale)
    sources = expand(paths)
    if workspace.dataset_root is not None:
        from cxmap.workspace.dataset_ingest import ingest_dataset  # a store of Parquet files, see there

        return ingest_dataset(workspace, sources, options, steps)
    with workspace.connect() as con:
        return load(con, workspace, sources, options, steps)
