"""What the app keeps between requests: the workspace, and answers cached until the store changes.

The store changes only through loads, so a cached answer is fresh while the store file's size and
modification time (and its write-ahead log's) are the same as when the answer was computed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cxmap.engines.table import INTERACTIVE
from cxmap.workspace import Workspace

T = TypeVar("T")
KEPT = 1024  # answers kept at most; the oldest go first (on Spark, every distinct request is one)


class AppState:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._cache: dict[Any, tuple[Any, Any, datetime]] = {}

    def store_version(self) -> tuple[float, ...]:
        """Changes whenever a load commits."""
        return self.workspace.store_version()

    def cached(self, key: Any, compute: Callable[[], T]) -> tuple[T, datetime]:
        """The answer for `key`, computed again only when the store has changed; and when it was computed."""
        version = self.store_version()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] == version:
                return hit[1], hit[2]
        value = compute()
        at = datetime.now(UTC)
        with self._lock:
            self._cache.pop(key, None)
            self._cache[key] = (version, value, at)
            while len(self._cache) > KEPT:
                del self._cache[next(iter(self._cache))]
        return value, at

    def slow_cached(self, key: Any, compute: Callable[[], T]) -> tuple[T, datetime | None]:
        """On an interactive engine (DuckDB) compute now (no time of computing, None); on another (a Spark
        job takes seconds) as `cached`, so a request asked again runs no job until the store changes."""
        if self.workspace.settings.engine in INTERACTIVE:
            return compute(), None
        return self.cached(key, compute)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
