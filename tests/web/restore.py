"""Tests that save maps put the shared workspace back afterwards, so other tests see the example maps."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def maps_restored(root: Path) -> Iterator[None]:
    """Snapshot `maps/` and `.cxmap/history/`; on exit, put both back exactly as they were."""
    maps = {p: p.read_bytes() for p in (root / "maps").iterdir() if p.is_file()}
    history = root / ".cxmap" / "history"
    saved = {p: p.read_bytes() for p in history.rglob("*") if p.is_file()} if history.exists() else {}
    try:
        yield
    finally:
        for path in (root / "maps").iterdir():
            if path.is_file() and path not in maps:
                path.unlink()
        for path, data in maps.items():
            path.write_bytes(data)
        shutil.rmtree(history, ignore_errors=True)
        for path, data in saved.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
