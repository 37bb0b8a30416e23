"""The analytics engine: an Ibis backend over the workspace's store.

Findings are Ibis expressions, so they run inside whatever engine the backend is; DuckDB (the embedded
store) is the default.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from cxmap.errors import CxmapError
from cxmap.workspace import Workspace
from cxmap.workspace.store import STORE_FILE

Backend = Any  # an Ibis backend; kept loose so that other engines plug in without touching analytics


def connect(workspace: Workspace) -> Backend:
    """A read-only Ibis connection to the workspace's store."""
    path = workspace.store_path
    if not path.is_file():
        raise CxmapError(f"{workspace.root}: not a cxmap workspace (no {STORE_FILE})")
    try:
        con: DuckDBBackend = ibis.duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # the driver's errors differ by engine; one clear line for the user
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "lock" in first.lower():
            raise CxmapError(f"{path}: the store is in use by another cxmap process; try again when it ends") from None
        raise CxmapError(f"{path}: cannot open the store: {first}") from None
    con.raw_sql("SET TimeZone = 'UTC'")
    return con
