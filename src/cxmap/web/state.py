"""What the app keeps between requests: the workspace, and answers cached until the store changes.

The store changes only through loads, so a cached answer is fresh while the store file's size and
modification time (and its write-ahead log's) are the same as when the answer was computed.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cxmap.engine_table import INTERACTIVE
from cxmap.workspace import Workspace

T = TypeVar("T")
KEPT = 1024  # answers kept at most by `cached`; the oldest go first
SLOW_BUDGET = 256_000_000  # bytes (as JSON) of answers kept by `slow_cached`; the least recently used go first


class AppState:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._cache: dict[Any, tuple[Any, Any, datetime]] = {}
        self._slow: OrderedDict[Any, tuple[Any, Any, datetime, int]] = OrderedDict()
        self._slow_bytes = 0

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

    def slow_cached(self, key_of: Callable[[], Any], compute: Callable[[], T]) -> tuple[T, datetime | None]:
        """On an interactive engine (DuckDB) compute now (no time of computing, None). On another (a Spark
        job takes seconds) keep the answer until the store changes, so that asking again runs no job; the
        answers kept are bounded by their size (SLOW_BUDGET), since every distinct request makes one.
        `key_of` makes the key, only when one is needed (on DuckDB nothing is kept)."""
        if self.workspace.settings.engine in INTERACTIVE:
            return compute(), None
        key = key_of()
        version = self.store_version()
        with self._lock:
            hit = self._slow.get(key)
            if hit and hit[0] == version:
                self._slow.move_to_end(key)
                return hit[1], hit[2]
        value = compute()
        at = datetime.now(UTC)
        size = len(json.dumps(value, default=str))
        with self._lock:
            old = self._slow.pop(key, None)
            self._slow_bytes -= old[3] if old else 0
            if size <= SLOW_BUDGET:
                self._slow[key] = (version, value, at, size)
                self._slow_bytes += size
            while self._slow_bytes > SLOW_BUDGET:
                self._slow_bytes -= self._slow.popitem(last=False)[1][3]
        return value, at

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
            self._slow.clear()
            self._slow_bytes = 0
