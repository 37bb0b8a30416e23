"""The analytics engine: an Ibis backend over the workspace's store, built from the engine table.

Findings are Ibis expressions, so they run inside whatever engine the backend is; DuckDB (the embedded
store) is the default, PySpark the scale-out (docs/scale.md). Nothing else knows which engine runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any, cast

import duckdb

from cxmap.engine_table import ENGINES
from cxmap.workspace import Workspace

Backend = Any  # an Ibis backend; kept loose so that other engines plug in without touching analytics


def connect(workspace: Workspace) -> Backend:
    """The Ibis backend of the workspace's engine over its store (a run picks another with
    `Workspace.using`, which checks the name, as cxmap.yaml's validation does)."""
    module, function = ENGINES[workspace.settings.engine].split(":")
    connector = cast(Callable[[Workspace], Backend], getattr(import_module(module), function))
    return connector(workspace)


@contextmanager
def connected(workspace: Workspace) -> Iterator[Backend]:
    """The backend for one piece of work, closed afterwards: an open reader would keep a load in this
    process from writing."""
    con = connect(workspace)
    try:
        yield con
    finally:
        con.disconnect()


def progress_connection(backend: Backend) -> duckdb.DuckDBPyConnection | None:
    """The DuckDB connection under `backend`, which reports query progress for the progress bar; else None."""
    raw = getattr(backend, "con", None)
    return raw if isinstance(raw, duckdb.DuckDBPyConnection) else None
