"""`cxmap store export`: an embedded workspace's store as a Parquet dataset (for a lake, or for Spark).

The same files and manifest as a dataset store (dataset.py), so the copy can be used as a workspace's
`store:` at once. Events are written sorted by customer and time inside each month, so that journeys are
read in order.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

from cxmap.errors import CxmapError
from cxmap.workspace import dataset
from cxmap.workspace.core import Workspace

SOURCE = "_cxmap/source.json"  # the store version a snapshot was taken from


def export_store(workspace: Workspace, destination: Path) -> dataset.Manifest:
    """Copy every table of the workspace's store into a new dataset store at `destination`."""
    if (destination / dataset.MANIFEST).exists():
        raise CxmapError(f"{destination}: already holds a cxmap store; export into a new folder")
    if destination.exists() and any(destination.iterdir()):
        raise CxmapError(f"{destination}: is not empty; export into a new or empty folder")
    try:
        (destination / "_cxmap").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxmapError(f"{destination}: cannot be created: {exc.strerror}") from None
    with workspace.connect(read_only=True) as con:
        tables = {
            table: (
                dataset.write_events(con, destination, "SELECT * FROM events", "export")
                or [dataset.write_table(con, destination, table, "SELECT * FROM events", "empty")]
                if table == "events"
                else [dataset.write_table(con, destination, table, f"SELECT * FROM {table}", "export")]
            )
            for table in dataset.TABLES
        }
    manifest = dataset.Manifest(1, tables)
    dataset.publish(destination, manifest)
    return manifest


def snapshot(workspace: Workspace) -> Path:
    """A Parquet copy of an embedded store inside the workspace, made again only after a load.

    Engines that cannot read a DuckDB file (Spark) read this, so nobody has to re-ingest.
    """
    if workspace.dataset_root is not None:
        return workspace.dataset_root
    folder = workspace.root / ".cxmap" / "snapshot"
    version = json.dumps(list(workspace.store_version()))
    marker = folder / SOURCE
    if marker.is_file() and marker.read_text(encoding="utf-8") == version:
        return folder
    fresh = folder.with_name(f".snapshot-{secrets.token_hex(4)}")
    export_store(workspace, fresh)
    (fresh / SOURCE).write_text(version, encoding="utf-8")
    old = folder.with_name(f".snapshot-old-{secrets.token_hex(4)}")
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder
