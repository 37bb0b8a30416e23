"""A workspace: a folder with cxmap.yaml, maps/ and the store (cxmap.duckdb)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmap.errors import CxmapError
from cxmap.settings import SETTINGS_FILE, Settings, load_settings
from cxmap.workspace import store

SETTINGS_TEMPLATE = """\
# cxmap workspace settings. Every key is optional; docs/configuration.md lists them all with defaults.
name: {name}
# Time zone for timestamps without one, and for calendar dates (IANA name, e.g. Europe/Amsterdam).
timezone: UTC
lint:
  disable: []   # lint rules to switch off, e.g. [CX004]
"""
GITIGNORE = (
    "# The store and cxmap's working files are data, not code: keep maps/ in version control.\n"
    "cxmap.duckdb*\n.cxmap/tmp/\n"
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

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the store, closed afterwards."""
        con = store.connect(self.store_path, read_only=read_only)
        try:
            if not read_only:
                store.migrate(con)
            yield con
        finally:
            con.close()


def init_workspace(path: Path) -> Workspace:
    """Create a workspace in `path` (made if missing); an existing workspace is left untouched."""
    if (path / SETTINGS_FILE).exists():
        raise CxmapError(f"{path}: already a cxmap workspace (it has {SETTINGS_FILE})")
    if path.exists() and not path.is_dir():
        raise CxmapError(f"{path}: is a file, not a folder")
    try:
        (path / "maps").mkdir(parents=True, exist_ok=True)
        store.create(path / store.STORE_FILE)
        if not (path / ".gitignore").exists():
            (path / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (path / SETTINGS_FILE).write_text(SETTINGS_TEMPLATE.format(name=path.resolve().name), encoding="utf-8")
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
