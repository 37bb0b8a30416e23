"""DuckDB, the embedded engine: the workspace's cxmap.duckdb file, or a Parquet dataset read in place."""

from __future__ import annotations

from typing import Any

import ibis

from cxmap.errors import Busy, CxmapError
from cxmap.workspace import Workspace
from cxmap.workspace.dataset import attach_views
from cxmap.workspace.store import STORE_FILE


def connect(workspace: Workspace) -> Any:
    """A read-only Ibis connection; a dataset store becomes views over its published Parquet files."""
    root = workspace.dataset_root
    if root is not None:
        con = ibis.duckdb.connect()
        con.raw_sql("SET TimeZone = 'UTC'")
        attach_views(con.con, root)
        return con
    path = workspace.store_path
    if not path.is_file():
        raise CxmapError(f"{workspace.root}: not a cxmap workspace (no {STORE_FILE})")
    try:
        con = ibis.duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # the driver's errors differ by engine; one clear line for the user
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "lock" in first.lower():
            raise Busy(f"{path}: the store is in use by another cxmap process; try again when it ends") from None
        raise CxmapError(f"{path}: cannot open the store: {first}") from None
    con.raw_sql("SET TimeZone = 'UTC'")
    return con
