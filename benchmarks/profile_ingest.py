"""Where `cxmap ingest` spends its time: every SQL statement it runs, timed, with DuckDB's own profile of each.

Runs the real ingest (cxmap.workspace.ingest.ingest) in this process on a fresh workspace, through a
connection that times each statement. Run from the repository root:

    .venv/bin/python benchmarks/profile_ingest.py /tmp/cxmap-bench/data/parquet-1000000-seed7/events.parquet
    .venv/bin/python benchmarks/profile_ingest.py FILE --reload          # profile the second load of FILE
    .venv/bin/python benchmarks/profile_ingest.py FILE --threads 1 --memory-limit 4GB
    .venv/bin/python benchmarks/profile_ingest.py FILE --plans /tmp/plans   # DuckDB's operator timings too

It prints the statements slower than --min-seconds, slowest first, with their share of the load; with
--plans it writes DuckDB's profile of every such statement (EXPLAIN ANALYZE's tree, as text) to that folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from cxmap.progress import Steps
from cxmap.workspace import core, store
from cxmap.workspace.ingest import Options, ingest

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Timed:
    seconds: float
    cpu: float  # process CPU seconds, all threads
    sql: str
    plan: Path | None
    peak_mb: float = 0.0  # the largest resident set size (MiB) seen while the statement ran
    error: str | None = None


class RssWatch:
    """Samples this process's resident set size every few milliseconds; `take()` returns the peak since last."""

    def __init__(self, interval: float = 0.02) -> None:
        self._interval = interval
        self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._peak = max(self._peak, self.now())

    def take(self) -> float:
        peak, self._peak = max(self._peak, self.now()), self.now()
        return peak / 2**20

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class TimingConnection:
    """A DuckDB connection that records how long each `execute` takes (and, if asked, its profile)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, plans: Path | None, min_seconds: float, rss: RssWatch) -> None:
        self._con = con
        self._rss = rss
        self._plans = plans
        self._min = min_seconds
        self.timed: list[Timed] = []

    def execute(self, sql: str, parameters: Any = None) -> Any:
        # Nothing may run on the connection after `sql` (that would close its result): the profile goes to
        # a file named before the statement runs, and the fast statements' files are removed at the end.
        plan = None
        if self._plans is not None:
            plan = self._plans / f"{len(self.timed):03d}.txt"
            try:
                self._con.execute("SET enable_profiling = 'query_tree'")
                self._con.execute(f"SET profiling_output = '{plan}'")
            except duckdb.Error:  # an aborted transaction takes no settings: run the statement unprofiled
                plan = None
        self._rss.take()
        started, cpu = time.perf_counter(), time.process_time()
        try:
            result = self._con.execute(sql, parameters) if parameters is not None else self._con.execute(sql)
        except duckdb.Error as exc:
            error = str(exc).splitlines()[0]
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            self.timed.append(Timed(took, cpu, sql, plan, self._rss.take(), error))
            raise
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        self.timed.append(Timed(took, cpu, sql, plan, self._rss.take()))
        return result

    def tidy(self) -> None:
        """Keep the profiles of the slow statements only."""
        for t in self.timed:
            if t.plan is not None and t.seconds < self._min and not t.error:
                t.plan.unlink(missing_ok=True)
                t.plan = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _one_load(folder: Path, file: Path, args: argparse.Namespace) -> tuple[float, list[Timed]]:
    connections: list[TimingConnection] = []
    plain = store.connect
    rss = RssWatch()

    def connect(path: Path, *, read_only: bool = False) -> Any:
        con = plain(path, read_only=read_only)
        if args.threads:
            con.execute(f"SET threads = {args.threads}")
        wrapped = TimingConnection(con, args.plans, args.min_seconds, rss)
        connections.append(wrapped)
        return wrapped

    store.connect = connect  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        result = ingest(core.open_workspace(folder), [str(file)], Options(), Steps(None))
        print(f"read {result.rows_read:,} rows, loaded {result.loaded:,}, scored {result.comments_scored:,} comments")
    except Exception as exc:
        print(f"the load FAILED: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        store.connect = plain  # type: ignore[assignment]
    total = time.perf_counter() - started
    rss.stop()
    for c in connections:
        c.tidy()
    return total, [t for c in connections for t in c.timed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--workspace", type=Path, help="Where to make the fresh workspace (default: a temp folder).")
    parser.add_argument("--reload", action="store_true", help="Load the file once unprofiled, then profile a reload.")
    parser.add_argument(
        "--threads", type=int, help="DuckDB threads (default: one per core; cxmap caps them at the files' row groups)."
    )
    parser.add_argument("--memory-limit", help="ingest.memory_limit for the workspace (default: cxmap's, 1GB).")
    parser.add_argument("--plans", type=Path, help="Write DuckDB's profile of each slow statement here.")
    parser.add_argument("--min-seconds", type=float, default=0.05, help="Show statements at least this slow.")
    args = parser.parse_args()

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="cxmap-profile-")) / "ws"
    shutil.rmtree(folder, ignore_errors=True)
    core.init_workspace(folder)
    if args.memory_limit:
        with (folder / "cxmap.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"ingest:\n  memory_limit: {args.memory_limit}\n")
    if args.plans:
        shutil.rmtree(args.plans, ignore_errors=True)
        args.plans.mkdir(parents=True)
    if args.reload:
        plans, args.plans = args.plans, None
        _one_load(folder, args.file, args)
        args.plans = plans
    total, timed = _one_load(folder, args.file, args)
    print(f"ingest() took {total:.2f} s; {len(timed)} statements, {sum(t.seconds for t in timed):.2f} s in execute")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB\n")
    for t in sorted(timed, key=lambda t: -t.seconds):
        if t.seconds < args.min_seconds and not t.error:
            continue
        one_line = " ".join(t.sql.split())
        where = f" (profile: {t.plan})" if t.plan else ""
        where += f" FAILED: {t.error}" if t.error else ""
        share = 100 * t.seconds / total
        print(f"{t.seconds:8.2f} s {share:5.1f}%  CPU {t.cpu:.2f} s  peak {t.peak_mb:,.0f} MiB{where}")
        print(f"    {one_line[:400]}\n")
    if not args.workspace:
        shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
