"""The Parquet dataset store: the store's tables as Parquet files under one folder, for a data lake.

Events are partitioned by month (`events/month=YYYY-MM/`); the small tables (accounts, contacts, loads,
quarantine, sentiment_cache) are one file each per version. Which files make up the store is written in
`_cxmap/manifest.json`: a load writes its new files under names no reader knows yet, then publishes them by
replacing the manifest in one rename. A reader therefore sees a load whole or not at all, and files a killed
load left behind are never read (the next load removes them).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb

from cxmap.errors import CxmapError
from cxmap.workspace import store
from cxmap.workspace.sql import lit

MANIFEST = "_cxmap/manifest.json"
FORMAT = "cxmap-dataset"
TABLES = ("events", "accounts", "contacts", "loads", "quarantine", "sentiment_cache")
LOCAL_SCHEMES = ("", "file", "parquet")
REMOTE_SCHEMES = ("s3a", "s3", "hdfs", "abfss", "gs")
RETIRE_AFTER = 3600.0  # seconds a replaced file stays for readers that opened the store before
ORDER = 'customer_id, "timestamp", load_id, "row"'  # how event files are sorted


@dataclass
class Manifest:
    """The published state of a dataset store: a version number and, per table, its files (relative).

    `retired`: files a newer version replaced, with when; a reader holding the older manifest may still be
    reading them, so they are removed only RETIRE_AFTER seconds later.
    """

    version: int = 0
    tables: dict[str, list[str]] = field(default_factory=dict)
    retired: dict[str, float] = field(default_factory=dict)

    def replace(self, table: str, files: list[str]) -> None:
        now = time.time()
        self.retired |= dict.fromkeys(self.tables.get(table, []), now)
        self.tables[table] = files

    def files(self, root: Path, table: str) -> list[str]:
        return [str(root / f) for f in self.tables.get(table, [])]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema_version": store.SCHEMA_VERSION,
            "version": self.version,
            "tables": self.tables,
            "retired": self.retired,
        }


def is_remote(url: str) -> bool:
    return urlparse(url).scheme in REMOTE_SCHEMES


def local_path(url: str, base: Path) -> Path:
    """`file:///p`, `parquet:///p` or a plain path (relative to the workspace) as a local folder."""
    parsed = urlparse(url)
    if parsed.scheme in REMOTE_SCHEMES:
        raise CxmapError(
            f"store {url}: {parsed.scheme}:// stores are read by Spark only (engine: pyspark); cxmap writes to "
            "local or mounted folders (file:///path); load there and copy the folder to the lake"
        )
    if parsed.scheme not in LOCAL_SCHEMES:
        raise CxmapError(f"store {url}: unknown kind of URL; use file:///path (or parquet:///path)")
    path = Path(unquote(parsed.path) if parsed.scheme else url)
    return path if path.is_absolute() else base / path


def read_manifest(root: Path) -> Manifest:
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CxmapError(f"{root}: not a cxmap dataset store (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise CxmapError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CxmapError(f"{path}: not a cxmap dataset manifest")
    if int(data.get("schema_version", 0)) > store.SCHEMA_VERSION:
        raise CxmapError(f"{root}: written by a newer cxmap (store schema {data['schema_version']}); upgrade cxmap")
    tables = {k: list(v) for k, v in data["tables"].items()}
    return Manifest(int(data["version"]), tables, {k: float(v) for k, v in data.get("retired", {}).items()})


def publish(root: Path, manifest: Manifest) -> None:
    """Make `manifest` the store's state in one rename (atomic on a local or POSIX file system)."""
    path = root / MANIFEST
    temp = path.with_name(f".manifest-{secrets.token_hex(6)}.json")
    temp.write_text(json.dumps(manifest.to_json(), indent=1), encoding="utf-8")
    with temp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, path)


@contextmanager
def writing(root: Path) -> Iterator[Manifest]:
    """Hold the store's write lock (one load at a time) and yield the current manifest."""
    read_manifest(root)  # a missing or foreign folder gets its one-line error before any file is made
    lock_path = root / "_cxmap" / "lock"
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CxmapError(
                f"{root}: another cxmap process is loading into this store; try again when it ends"
            ) from None
        manifest = read_manifest(root)
        _remove_orphans(root, manifest)
        yield manifest


def _remove_orphans(root: Path, manifest: Manifest) -> None:
    """Files of loads that never published (killed halfway) were never seen by a reader: drop them. Files
    a load replaced go once no reader can still hold the manifest that listed them."""
    known = {f for files in manifest.tables.values() for f in files}
    now = time.time()
    for table in TABLES:
        for path in (root / table).rglob("*.parquet"):
            name = str(path.relative_to(root))
            retired = manifest.retired.get(name)
            if name not in known and (retired is None or now - retired > RETIRE_AFTER):
                path.unlink(missing_ok=True)
    manifest.retired = {f: t for f, t in manifest.retired.items() if now - t <= RETIRE_AFTER}


def create(root: Path) -> None:
    """An empty dataset store in `root`: one empty file per table, so that every engine knows the columns."""
    if (root / MANIFEST).exists():
        raise CxmapError(f"{root}: already holds a cxmap store")
    try:
        (root / "_cxmap").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxmapError(f"{root}: cannot create the store: {exc.strerror}") from None
    con = duckdb.connect()
    try:
        con.execute(store.SCHEMA)
        tables = {t: [write_table(con, root, t, f"SELECT * FROM {t}", "empty")] for t in TABLES}
    finally:
        con.close()
    publish(root, Manifest(1, tables))


def write_table(con: duckdb.DuckDBPyConnection, root: Path, table: str, select: str, tag: str) -> str:
    """One new file of `table` from `select`, under a name no manifest knows yet; its relative path."""
    relative = f"{table}/{tag}-{secrets.token_hex(6)}.parquet"
    (root / table).mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY ({select}) TO {lit(str(root / relative))} (FORMAT parquet, COMPRESSION zstd)")
    return relative


def write_events(con: duckdb.DuckDBPyConnection, root: Path, select: str, tag: str) -> list[str]:
    """New event files, one folder per month of the event's timestamp, each sorted by customer and time
    (as the embedded store is, for the same speed); their relative paths."""
    token = f"{tag}-{secrets.token_hex(6)}"
    folder = root / "events"
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT *, strftime(\"timestamp\", '%Y-%m') AS month FROM ({select}) ORDER BY {ORDER}) "
        f"TO {lit(str(folder))} "
        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), APPEND, FILENAME_PATTERN {lit(token + '-{uuid}')})"
    )
    return sorted(str(p.relative_to(root)) for p in folder.glob(f"month=*/{token}-*.parquet"))


def view_sql(root: Path, manifest: Manifest, table: str) -> str:
    """A DuckDB view of one table over the manifest's files (never the folder: unpublished files stay unseen)."""
    files = ", ".join(lit(f) for f in manifest.files(root, table))
    return f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet([{files}], hive_partitioning = false)"


def attach_views(con: duckdb.DuckDBPyConnection, root: Path) -> Manifest:
    """Views named like the store's tables on an in-memory DuckDB connection; the manifest they show."""
    manifest = read_manifest(root)
    for table in TABLES:
        con.execute(view_sql(root, manifest, table))
    return manifest
