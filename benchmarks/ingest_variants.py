"""Engine settings and input layouts for `cxmap ingest`, measured on the load as cxmap runs it.

The proposals that were measured here before (the events insert with an anti join, lean canonical SQL,
streaming Parquet, staging text files to Parquet) are now cxmap's own code. What remains is what is still
a choice: the engine's settings for a load, and the layout of a Parquet input. Each run loads FILE into
the workspace WS with cxmap's pipeline (cxmap.workspace.pipeline.run), in one transaction that is rolled
back at the end (the workspace is left as it was) unless --commit is given. Run one variant per process, so
that the peak memory printed is that variant's own:

    .venv/bin/python benchmarks/ingest_variants.py WS FILE                          # as cxmap loads it
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --threads 2              # no cap on threads
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --row-group-size 122880  # FILE re-chunked first
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --disable-compression fsst --commit
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --no-insertion-order

WS is a workspace (`cxmap init WS`; load FILE into it first with `cxmap ingest` to measure a re-load).
--threads sets the engine's threads after cxmap's own choice (cxmap runs a load on no more threads than its
files have row groups). --row-group-size first writes a copy of a Parquet FILE with row groups of that many
rows (timed on its own, as the cost a re-chunking step would add) and loads the copy. --same-as REF compares
the events the run writes with those in workspace REF, where `cxmap ingest` loaded the same file into an
empty workspace: run it on an empty WS, and it prints how many rows differ (0 expected).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from profile_ingest import RssWatch

from cxmap.progress import Steps
from cxmap.workspace import pipeline
from cxmap.workspace.core import open_workspace
from cxmap.workspace.pipeline import Options
from cxmap.workspace.sources import expand
from cxmap.workspace.sql import lit

T = TypeVar("T")


class TimedSteps(Steps):
    """The pipeline's steps (reading, checking, writing), each timed, with the peak memory while it ran."""

    def __init__(self, rss: RssWatch) -> None:
        super().__init__(None)
        self.rss = rss
        self.rows: list[tuple[str, float, float, float]] = []

    def run(self, label: str, con: duckdb.DuckDBPyConnection | None, work: Callable[[], T]) -> T:
        self.rss.take()
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.rows.append((label, time.perf_counter() - started, time.process_time() - cpu, self.rss.take()))
        return result


def rechunk(con: duckdb.DuckDBPyConnection, file: Path, folder: Path, rows: int) -> Path:
    """A copy of the Parquet `file` with row groups of `rows` rows, in the same order."""
    copy = folder / f"rechunked-{rows}-{file.name}"
    con.execute("SET threads = 1")  # one row group in, one thread: a second one only spins (README)
    con.execute(
        f"COPY (SELECT * FROM read_parquet({lit(str(file))})) TO {lit(str(copy))} "
        f"(FORMAT parquet, ROW_GROUP_SIZE {rows})"
    )
    con.execute("RESET threads")
    return copy


def run(args: argparse.Namespace) -> None:
    rss = RssWatch()
    steps = TimedSteps(rss)
    ws = open_workspace(args.workspace)
    con = duckdb.connect(str(ws.store_path))
    scratch = ws.root / ".cxmap" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET TimeZone = {lit(ws.settings.timezone)}")
    limit = args.memory_limit or ws.settings.ingest.memory_limit
    if limit:  # else the engine's own default, as `cxmap ingest` does
        con.execute(f"SET memory_limit = {lit(limit)}")
    con.execute(f"SET temp_directory = {lit(str(scratch))}")
    if args.no_insertion_order:
        con.execute("SET preserve_insertion_order = false")
    if args.disable_compression:
        con.execute(f"SET disabled_compression_methods = {lit(args.disable_compression)}")
    if args.same_as:
        con.execute(f"ATTACH {lit(str(args.same_as / 'cxmap.duckdb'))} AS ref (READ_ONLY)")
    file = args.file
    if args.row_group_size:
        file = steps.run(
            "re-chunk the Parquet file", con, lambda: rechunk(con, args.file, scratch, args.row_group_size)
        )
    started, cpu = time.perf_counter(), time.process_time()
    if args.threads:

        def uncapped(con: duckdb.DuckDBPyConnection, files: object) -> int:
            """Instead of cxmap's cap (pipeline._row_groups): no cap, the threads asked for below."""
            return 0

        pipeline._row_groups = uncapped  # type: ignore[assignment]
        con.execute(f"SET threads = {args.threads}")
    con.execute("BEGIN TRANSACTION")
    result = pipeline.run(con, expand([str(file)]), Options(), steps, scratch=scratch, sentiment_model="vader")
    if args.same_as:
        print(f"rows that differ from {args.same_as}: {differ(con, int(result.load_id or 0))} (0 expected)")
    steps.run(
        "commit" if args.commit else "rollback", con, lambda: con.execute("COMMIT" if args.commit else "ROLLBACK")
    )
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if file != args.file:
        file.unlink(missing_ok=True)
    said = f"loaded {result.loaded:,} of {result.rows_read:,} in {total:.2f} s, CPU {cpu:.2f} s, peak {peak:,.0f} MiB"
    chosen = {k: v for k, v in vars(args).items() if v and k not in ("workspace", "file", "same_as")}
    print(f"{args.file.name} {chosen or 'as cxmap loads it'}: {said} (commit or rollback not included)")
    for label, seconds, cpu_s, peak_mb in steps.rows:
        print(f"  {seconds:7.2f} s  CPU {cpu_s:6.2f} s  peak {peak_mb:7,.0f} MiB  {label}")
    con.close()
    if args.commit:
        size = sum(p.stat().st_size for p in ws.root.glob("cxmap.duckdb*")) / 1e6
        print(f"  store: {size:,.0f} MB")


def differ(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """Rows of this load not in the reference workspace's events, and the other way round (load_id aside)."""
    mine = f"SELECT * EXCLUDE (load_id) FROM events WHERE load_id = {load_id}"
    theirs = "SELECT * EXCLUDE (load_id) FROM ref.events"
    row = con.execute(
        f"SELECT (SELECT count(*) FROM ({mine} EXCEPT ALL {theirs})) "
        f"+ (SELECT count(*) FROM ({theirs} EXCEPT ALL {mine}))"
    ).fetchone()
    return int(row[0]) if row else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("file", type=Path)
    parser.add_argument("--commit", action="store_true", help="Keep what the load wrote (default: roll back).")
    parser.add_argument("--memory-limit", help="Engine memory limit (default: the workspace's ingest.memory_limit).")
    parser.add_argument("--threads", type=int, help="Engine threads, instead of cxmap's choice.")
    parser.add_argument("--row-group-size", type=int, help="Load a copy of a Parquet FILE with row groups this big.")
    parser.add_argument("--no-insertion-order", action="store_true", help="SET preserve_insertion_order = false.")
    parser.add_argument("--disable-compression", help="SET disabled_compression_methods (e.g. fsst).")
    parser.add_argument("--same-as", type=Path, help="A workspace where cxmap loaded FILE: compare the events.")
    args = parser.parse_args()
    if args.row_group_size and args.file.suffix != ".parquet":
        parser.error("--row-group-size re-chunks a Parquet file")
    run(args)


if __name__ == "__main__":
    main()
