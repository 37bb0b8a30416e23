"""`cxmap store export`: an embedded workspace's store as a Parquet dataset (for a lake, or for Spark).

The same files and manifest as a dataset store (dataset.py), so the copy can be used as a workspace's
`store:` at once. Events are written sorted by customer and time inside each month, so that journeys are
read in order.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import secrets
import shutil
import time
from pathlib import Path

from cxmap.errors import CxmapError
from cxmap.workspace import dataset
from cxmap.workspace.core import Workspace

SOURCE = "_cxmap/source.json"  # the store version a snapshot was taken from
RETIRED = "_cxmap/retired"  # when a newer snapshot replaced this one


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


def stored_events(workspace: Workspace) -> int:
    """How many events the embedded store holds."""
    with workspace.connect(read_only=True) as con:
        row = con.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0]) if row else 0


def snapshot(workspace: Workspace) -> Path:
    """A Parquet copy of an embedded store inside the workspace, made again only after a load.

    Engines that cannot read a DuckDB file (Spark) read this, so nobody has to re-ingest. Each store version
    gets a folder of its own under .cxmap/snapshot/, never changed once made: a job still reading an older
    version keeps its files, which are removed an hour after a newer one replaced them (as a dataset store
    keeps replaced files). One process exports at a time; the others wait, then find it made.
    """
    if workspace.dataset_root is not None:
        return workspace.dataset_root
    base = workspace.root / ".cxmap" / "snapshot"
    version = json.dumps(list(workspace.store_version()))
    folder = base / hashlib.sha256(version.encode()).hexdigest()[:16]
    if (folder / SOURCE).is_file():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if not (folder / SOURCE).is_file():
            fresh = base / f".new-{secrets.token_hex(4)}"
            export_store(workspace, fresh)
            (fresh / SOURCE).write_text(version, encoding="utf-8")
            fresh.rename(folder)
        _retire(base, folder)
    return folder


def _retire(base: Path, current: Path) -> None:
    """Mark every other snapshot (or a killed export's folder) as replaced now; remove those replaced an
    hour ago or more."""
    now = time.time()
    for old in base.iterdir():
        if old == current or not old.is_dir():
            continue
        stamp = old / RETIRED
        if not stamp.is_file():
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(str(now), encoding="utf-8")
        elif now - float(stamp.read_text(encoding="utf-8") or 0) >= dataset.RETIRE_AFTER:
            shutil.rmtree(old, ignore_errors=True)
