"""Progress for long work: a Rich bar fed by the engine's own progress, only on a terminal."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import duckdb

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")


class Steps:
    """Runs engine work step by step; shows a bar per step when enabled."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress

    def run(self, label: str, con: duckdb.DuckDBPyConnection | None, work: Callable[[], T]) -> T:
        """Run `work` (queries on `con`), showing the engine's progress while it runs (when it tells)."""
        if self._progress is None:
            return work()
        task = self._progress.add_task(label, total=100)
        result: list[T] = []
        error: list[BaseException] = []

        def target() -> None:
            try:
                result.append(work())
            except BaseException as exc:  # handed back to the caller's thread below
                error.append(exc)

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.1)
            done = con.query_progress() if con is not None else -1
            if done >= 0:
                self._progress.update(task, completed=done)
        self._progress.update(task, completed=100)
        if error:
            raise error[0]
        return result[0]


@contextmanager
def steps(enabled: bool) -> Iterator[Steps]:
    """A progress display on stderr when `enabled` and stderr is a terminal; otherwise silent."""
    if not enabled or not sys.stderr.isatty():
        yield Steps(None)
        return
    from rich.console import Console  # only for a bar on a terminal: --quiet and pipes start sooner
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield Steps(progress)
