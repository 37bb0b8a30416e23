"""The least work a load with the pinned event id can do, timed alone: the floor under the ingest target.

Each statement writes a Parquet event file into a fresh DuckDB file on the machine's threads (one
process, the statements alternating each round), then checkpoints it:

- `write`: the file's columns as they are (`CREATE TABLE AS SELECT *`): the engine's write alone;
- `write + id`: the same with the event id of DECISIONS.md (SHA-256 of the row's text, 16 hex digits);
- `write + id + sort`: and in customer and time order, as a load writes them;
- `write + md5 id` and `write + 64-bit id`: the cheaper ids that DECISIONS.md rules out, for comparison.

A real load does more than any of these (trimming, the quarantine test, emotion, the duplicate check, the
load's own columns), so its throughput is below the `write + id + sort` line. Run from the repository
root, after `bench_ingest.py` has generated the file:

    .venv/bin/python benchmarks/ingest_floor.py /tmp/cxmap-bench/data/parquet-10000000-seed7-*/events.parquet
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from cxmap.workspace.canonical import ISO_UTC
from cxmap.workspace.sql import lit

TEXT = (
    f"concat_ws(chr(31), customer_id, strftime(\"timestamp\", '{ISO_UTC}'), touchpoint, "
    "coalesce(CAST(score AS VARCHAR), ''), coalesce(comment, ''))"
)
IDS = {
    "write": "",
    "write + id": f"left(sha256({TEXT}), 16) AS event_id, ",
    "write + id + sort": f"left(sha256({TEXT}), 16) AS event_id, ",
    "write + md5 id": f"left(md5({TEXT}), 16) AS event_id, ",
    "write + 64-bit id": f"hash({TEXT}) AS event_id, ",
}


def run(file: Path, case: str, folder: Path, memory_limit: str) -> tuple[float, float]:
    """Wall and CPU seconds of one statement and its checkpoint, in a new database file."""
    path = folder / "floor.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"SET memory_limit = {lit(memory_limit)}; SET temp_directory = {lit(str(folder))}")
    order = ' ORDER BY customer_id, "timestamp"' if case.endswith("sort") else ""
    sql = f"CREATE TABLE t AS SELECT {IDS[case]}* FROM read_parquet({lit(str(file))}){order}"
    wall, cpu = time.perf_counter(), time.process_time()
    con.execute(sql)
    con.execute("CHECKPOINT")
    seconds = (time.perf_counter() - wall, time.process_time() - cpu)
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path, help="A Parquet event file from the generator.")
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; the table shows the median.")
    parser.add_argument("--memory-limit", default="1GB", help="The engine's limit, as a load has (default 1GB).")
    args = parser.parse_args()
    row = duckdb.execute(
        f"SELECT sum(num_rows), sum(num_row_groups) FROM parquet_file_metadata({lit(str(args.file))})"
    ).fetchone()
    events, groups = (int(row[0]), int(row[1])) if row else (0, 0)
    threads = duckdb.execute("SELECT current_setting('threads')").fetchone()
    times: dict[str, list[tuple[float, float]]] = {case: [] for case in IDS}
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.repeat):
            cases = list(IDS) if k % 2 == 0 else list(reversed(IDS))
            for case in cases:
                times[case].append(run(args.file, case, Path(folder), args.memory_limit))
    print(f"{events:,} events, {groups} row groups, {threads[0] if threads else '?'} threads\n")
    print("| statement | seconds (median) | CPU s | events/s | CPU s per million events |")
    print("|---|---:|---:|---:|---:|")
    for case, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"| {case} | {wall:.2f} | {cpu:.2f} | {events / wall:,.0f} | {cpu / events * 1e6:.2f} |")


if __name__ == "__main__":
    main()
