"""A workspace: a folder with cxmap.yaml, maps/ and the store (cxmap.duckdb, or a Parquet dataset)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmap.engine_table import check_engine
from cxmap.errors import CxmapError
from cxmap.settings import SETTINGS_FILE, Settings, load_settings
from cxmap.workspace import dataset, store

SETTINGS_TEMPLATE = """\
# cxmap workspace settings. Every key is optional; docs/configuration.md lists them all with defaults.
name: {name}
# Time zone for timestamps without one, and for calendar dates (IANA name, e.g. Europe/Amsterdam).
timezone: UTC
lint:
  disable: []   # lint rules to switch off, e.g. [CX004]
"""
SCALE_TEMPLATE = """\
# Engine that runs the analytics (duckdb or pyspark) and where the events live (docs/scale.md).
engine: {engine}
store: {store}
"""
GITIGNORE = (
    "# The store and cxmap's working files are data, not code: keep maps/ in version control.\n"
    "cxmap.duckdb*\n.cxmap/tmp/\n.cxmap/snapshot/\n"
)


@dataclass
class Workspace:
    root: Path
    settings: Settings

    @property
    def store_path(self) -> Path:
        return self.root / store.STORE_FILE

    @property
    def maps_dir(self) -> Path:
        return self.root / "maps"

    def using(self, engine: str | None) -> Workspace:
        """The same workspace with another engine for this run (`--engine`); unchanged when None."""
        if engine is None or engine == self.settings.engine:
            return self
        check_engine(engine)
        return Workspace(self.root, self.settings.model_copy(update={"engine": engine}))

    @property
    def dataset_root(self) -> Path | None:
        """The local folder of a Parquet dataset store; None for the embedded store."""
        url = self.settings.store
        return dataset.local_path(url, self.root) if url else None

    def store_version(self) -> tuple[float, ...]:
        """Changes whenever a load commits (or publishes)."""
        root = self.dataset_root
        if root is not None:
            manifest = root / dataset.MANIFEST
            return (manifest.stat().st_mtime, float(dataset.read_manifest(root).version))
        path = self.store_path
        wal = path.with_name(path.name + ".wal")
        stat = path.stat()
        return stat.st_mtime, float(stat.st_size), wal.stat().st_mtime if wal.exists() else 0.0

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the store, closed afterwards (a dataset store is read through views)."""
        root = self.dataset_root
        if root is not None:
            if not read_only:
                raise CxmapError(f"{root}: a dataset store is written by `cxmap ingest` only")
            con = duckdb.connect()
            con.execute("SET TimeZone = 'UTC'")
            dataset.attach_views(con, root)
        else:
            con = store.connect(self.store_path, read_only=read_only)
        try:
            if not read_only:
                store.migrate(con)
            yield con
        finally:
            con.close()


def init_workspace(path: Path, *, engine: str | None = None, store_url: str | None = None) -> Workspace:
    """Create a workspace in `path` (made if missing); an existing workspace is left untouched.

    With `store_url`, the events live in a Parquet dataset there (created when local and new) instead of
    the embedded cxmap.duckdb.
    """
    if engine is not None:
        check_engine(engine)
    if (path / SETTINGS_FILE).exists():
        raise CxmapError(f"{path}: already a cxmap workspace (it has {SETTINGS_FILE})")
    if path.exists() and not path.is_dir():
        raise CxmapError(f"{path}: is a file, not a folder")
    text = SETTINGS_TEMPLATE.format(name=path.resolve().name)
    if engine or store_url:
        text += SCALE_TEMPLATE.format(engine=engine or "duckdb", store=json.dumps(store_url) if store_url else "")
    try:
        (path / "maps").mkdir(parents=True, exist_ok=True)
        if store_url is None:
            store.create(path / store.STORE_FILE)
        elif not dataset.is_remote(store_url):
            root = dataset.local_path(store_url, path)
            if not (root / dataset.MANIFEST).exists():
                dataset.create(root)
            else:
                dataset.read_manifest(root)  # an existing store is joined, if it is one
        if not (path / ".gitignore").exists():
            (path / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (path / SETTINGS_FILE).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CxmapError(f"{path}: cannot create the workspace: {exc.strerror}") from None
    return open_workspace(path)


def open_workspace(path: Path) -> Workspace:
    """Open an existing workspace; one clear line when `path` is not one."""
    if not path.is_dir():
        raise CxmapError(f"{path}: no such workspace folder; create one with `cxmap init {path}`")
    if not (path / SETTINGS_FILE).is_file():
        raise CxmapError(f"{path}: not a cxmap workspace (no {SETTINGS_FILE}); create one with `cxmap init {path}`")
    return Workspace(path, load_settings(path))
