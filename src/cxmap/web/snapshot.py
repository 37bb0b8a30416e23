"""The API's fast path: accounts, account, gate and alerts at the default as-of, answered from memory.

Once per store version (AppState.cached: the store file changed, so a load committed) the service's
snapshot (`cxmap.service.snapshot`) is computed and kept here; a request is then a dict lookup and a slice.

Freshness: the snapshot is computed again on the first request after a load commits (a `cxmap ingest`
from another process changes the store file) and right after `POST /api/events`. Only one request computes
it; the others wait for it. While another process holds the store's write lock, the previous snapshot is
served. `X-Cxmap-Fresh-At` says when the answer was computed. Requests with an explicit `as_of` (or a map
or a policy) compute directly.

`StoreLock` keeps this process's readers and its one writer apart: DuckDB refuses a read-write connection
while a read-only one is open in the same process.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from cxmap.errors import Busy
from cxmap.service import accounts as service
from cxmap.service.snapshot import Snapshot, build
from cxmap.web.state import AppState

T = TypeVar("T")
KEY = "accounts-snapshot"


class StoreLock:
    """Many readers or one writer (writers first, so a load is not starved by a stream of reads)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            self._cond.wait_for(lambda: not self._writing and not self._readers)
            self._waiting -= 1
            self._writing = True
        try:
            gc.collect()  # connections nobody holds any more, but not yet collected, would block the load
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Live:
    """One app's store lock and its current snapshot."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.lock = StoreLock()
        self._computing = threading.Lock()
        self._current: tuple[Any, tuple[Snapshot, datetime]] | None = None  # (store version, snapshot)

    def current(self) -> tuple[Snapshot, datetime] | None:
        """The snapshot, when it is that of the store as it is now (no waiting, no computing)."""
        found = self._current
        return found[1] if found is not None and found[0] == self.state.store_version() else None

    def snapshot(self) -> tuple[Snapshot, datetime]:
        """The snapshot for the store as it is now, and when it was computed."""
        found = self.current()
        if found is not None:
            return found
        with self._computing:  # one request computes; the others wait, then find it cached
            version = self.state.store_version()
            try:
                with self.lock.reading():
                    found = self.state.cached(KEY, lambda: build(self.state.workspace))
            except Busy:
                if self._current is None:
                    raise
                return self._current[1]  # a load is running in another process: the last answer until it ends
            self._current = (version, found)
            return found

    def refresh(self) -> None:
        """Compute the snapshot now (called right after a load through the API)."""
        self.snapshot()

    @contextmanager
    def context(self, as_of: Any = None, map_id: str | None = None) -> Iterator[service.Context]:
        """A service context for a direct computation, its connection closed afterwards."""
        with self.lock.reading(), service.opened(self.state.workspace, as_of, map_id) as ctx:
            yield ctx

    def read(self, compute: Callable[[], T]) -> T:
        """Run a computation that opens its own connection, apart from loads."""
        with self.lock.reading():
            return compute()


_CREATING = threading.Lock()


def live(app_state: Any) -> Live:
    """The `Live` of an app (made on first use and kept on `app.state`)."""
    found = getattr(app_state, "live", None)
    if found is None:
        with _CREATING:
            found = getattr(app_state, "live", None)
            if found is None:
                found = Live(app_state.cx)
                app_state.live = found
    assert isinstance(found, Live)
    return found
