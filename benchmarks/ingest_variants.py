"""Proposed changes to the events ingest, measured against the SQL cxmap runs today (nothing in src/ changes).

A variant picks how the file is staged and how the events are written, then runs the load's statements on a
workspace, in one transaction, as `cxmap ingest` does; the transaction is rolled back at the end (the
workspace is left as it was) unless --commit is given. Run one variant per process, so that the peak memory
printed is that variant's own:

    .venv/bin/python benchmarks/ingest_variants.py WS FILE --stage current --write current   # cxmap's SQL now
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --stage current --write qualify   # as first measured
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --stage lean --write anti        # proposed SQL
    .venv/bin/python benchmarks/ingest_variants.py WS FILE --stage none --write anti        # proposed, streamed

WS is a workspace (`cxmap init WS`; load FILE into it first with `cxmap ingest` to measure a re-load).
--same-as REF compares the events the variant writes with those in workspace REF, where `cxmap ingest` loaded
the same file into an empty workspace: run it on an empty WS, and it prints how many rows differ (0 expected).

Stages:
  current  cxmap's staging: every row of the file, canonical, in a temporary table (canonical.events_sql).
  lean     the same table from cheaper expressions: a typed timestamp column in a UTC workspace is not sent
           through the time zone library twice, and typed columns are not cast to text for the checks (their
           text is made only for the message of a row that goes to the quarantine). Same event ids.
  none     no staging table: the canonical SELECT over the file is read once per pass (quarantine, comments
           to score, events), so memory does not depend on the file's size.
  file     like lean, but the canonical rows go to a Parquet file in the workspace's spill folder (written
           as a stream, compressed, read back in parallel) instead of a temporary table held in memory.
  bare     a floor, not a proposal: the canonical rows straight into the events table, with no quarantine,
           no comments, no check against the store and no de-duplication.
Writes:
  current  whatever cxmap's ingest._write_events does now.
  qualify  the insert as first measured (src/cxmap/workspace/ingest.py as of 7dc351b): a correlated NOT EXISTS
           against the store and QUALIFY row_number() for duplicates in the load.
  anti     an ANTI JOIN against the store (left out when the store has no events), and duplicates in the load
           found by a narrow GROUP BY event_id HAVING count(*) > 1 instead of a row_number over whole rows.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from profile_ingest import RssWatch

from cxmap.workspace.canonical import ISO_UTC, TEMPORAL, Columns, _passed, _shown, events_sql
from cxmap.workspace.columns import parse_columns, resolve_columns
from cxmap.workspace.core import open_workspace
from cxmap.workspace.ingest import _score_comments, _write_events
from cxmap.workspace.read import SourceView, open_source
from cxmap.workspace.scales import Scale, get_scale, nps_class_sql
from cxmap.workspace.sources import expand
from cxmap.workspace.sql import lit

MODEL = "vader"


def lean_events_sql(view_select: str, cols: Columns, scale: Scale, raw: str, zone: str) -> str:
    """canonical.events_sql with cheaper expressions for typed columns (same rows, same event ids)."""
    c = cols
    ts_type = c.typed("timestamp").upper()
    if ts_type in TEMPORAL and ts_type != "DATE":
        if ts_type.startswith("TIMESTAMP WITH") or zone != "UTC":
            utc = f"(CAST({c.col('timestamp')} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
        else:  # naive and the workspace is in UTC: the value is already UTC, no time zone library needed
            utc = f"CAST({c.col('timestamp')} AS TIMESTAMP)"
        ts_missing, ts_text = f"{c.col('timestamp')} IS NULL", f"CAST({c.col('timestamp')} AS VARCHAR)"
    else:
        utc = f"({c.instant('timestamp', None)} AT TIME ZONE 'UTC')"
        ts_missing, ts_text = f"{c.text('timestamp')} IS NULL", c.text("timestamp")
    typed_score = c.typed("score").upper() not in ("VARCHAR", "BLOB", "JSON")
    score_text = f"CAST({c.col('score')} AS VARCHAR)" if typed_score else c.text("score")
    score_missing = f"{c.col('score')} IS NULL" if typed_score else f"{score_text} IS NULL"
    inner = f"""
        SELECT __rn, NULL AS __broken,
            {c.text("event_id")} AS x_event_id, {c.text("customer_id")} AS x_customer_id,
            {c.text("account_id")} AS x_account_id, {c.text("touchpoint")} AS x_touchpoint,
            {c.text("channel")} AS x_channel, {c.text("department")} AS x_department,
            {c.text("comment")} AS x_comment, {ts_missing} AS x_ts_missing, {utc} AS x_utc,
            {score_missing} AS x_score_missing, {c.number("score")} AS x_score, {c.attributes()} AS x_attributes,
            * EXCLUDE ({_passed(False)})
        FROM ({view_select})"""
    reason = f"""CASE
            WHEN x_customer_id IS NULL THEN 'no customer_id'
            WHEN x_touchpoint IS NULL THEN 'no touchpoint'
            WHEN x_ts_missing THEN 'no timestamp'
            WHEN x_utc IS NULL THEN 'timestamp ''' || {_shown(ts_text)} || ''' is not a date or time'
            WHEN NOT x_score_missing AND x_score IS NULL
                THEN 'score ''' || {_shown(score_text)} || ''' is not a number'
            WHEN x_score < {scale.low} OR x_score > {scale.high} OR isnan(x_score)
                THEN 'score ' || {_shown(score_text)} || ' is outside the {scale.name} scale'
        END"""
    event_hash = (
        f"left(sha256(concat_ws(chr(31), x_customer_id, strftime(x_utc, '{ISO_UTC}'), x_touchpoint, "
        "coalesce(CAST(x_score AS VARCHAR), ''), coalesce(x_comment, ''))), 16)"
    )
    return f"""
    SELECT __rn, __reason,
        CASE WHEN __reason IS NOT NULL THEN {raw} END AS __raw,
        coalesce(x_event_id, {event_hash}) AS event_id,
        x_customer_id AS customer_id, x_account_id AS account_id, x_utc AS "timestamp",
        x_touchpoint AS touchpoint, x_channel AS channel, x_department AS department,
        x_score AS score, CASE WHEN x_score IS NOT NULL THEN {lit(scale.name)} END AS scale,
        {scale.emotion_sql("x_score")} AS score_emotion,
        {nps_class_sql("x_score") if scale.name == "nps" else "NULL"} AS nps_class,
        x_comment AS comment,
        CASE WHEN x_score IS NULL AND x_comment IS NOT NULL THEN md5(x_comment) END AS comment_hash,
        x_attributes AS attributes
    FROM (SELECT {reason} AS __reason, * FROM ({inner}))"""


EVENT_COLUMNS = """s.event_id, s.customer_id, s.account_id, s."timestamp", s.touchpoint, s.channel, s.department,
        s.score, s.scale,
        CASE WHEN s.score IS NOT NULL THEN s.score_emotion ELSE (c.compound + 1) * 5 END,
        CASE WHEN s.score IS NOT NULL THEN 'score' WHEN c.compound IS NOT NULL THEN {model} END,
        s.nps_class, s.comment, s.attributes, {load_id}, s.__row"""


def anti_write_sql(source: str, load_id: int, store_empty: bool, dedup_in_query: bool) -> str:
    """The events of `source` (staged or the file's canonical SELECT) that the store does not have yet."""
    against_store = "" if store_empty else "ANTI JOIN events e ON e.event_id = s.event_id"
    dups, against_dups = "", ""
    if dedup_in_query:
        dups = (
            f"WITH dups AS (SELECT event_id, min(__row) AS first FROM {source} WHERE __reason IS NULL "
            "GROUP BY event_id HAVING count(*) > 1)"
        )
        against_dups = "ANTI JOIN dups d ON d.event_id = s.event_id AND d.first <> s.__row"
    return f"""INSERT INTO events {dups}
    SELECT {EVENT_COLUMNS.format(model=lit(MODEL), load_id=load_id)}
    FROM {source} s {against_store} {against_dups}
    LEFT JOIN sentiment_cache c ON c.comment_hash = s.comment_hash AND c.model = {lit(MODEL)}
    WHERE s.__reason IS NULL"""


def qualify_write_sql(load_id: int) -> str:
    """The events insert as first measured: the whole load through a window, a correlated NOT EXISTS."""
    return f"""INSERT INTO events
    SELECT {EVENT_COLUMNS.format(model=lit(MODEL), load_id=load_id)}
    FROM staged s
    LEFT JOIN sentiment_cache c ON c.comment_hash = s.comment_hash AND c.model = {lit(MODEL)}
    WHERE s.__reason IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)
    QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s.__row) = 1"""


def drop_later_duplicates(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """After a streamed write: keep the first row of an event_id that the load wrote more than once."""
    row = con.execute(
        f"""DELETE FROM events WHERE load_id = {load_id} AND (event_id, "row") IN (
            SELECT (event_id, "row") FROM (
                SELECT event_id, "row", row_number() OVER (PARTITION BY event_id ORDER BY "row") AS k
                FROM events WHERE load_id = {load_id} AND event_id IN (
                    SELECT event_id FROM events WHERE load_id = {load_id} GROUP BY event_id HAVING count(*) > 1))
            WHERE k > 1)"""
    ).fetchone()
    return int(row[0]) if row else 0


class Steps:
    def __init__(self, rss: RssWatch) -> None:
        self.rss = rss
        self.rows: list[tuple[str, float, float, float]] = []

    def __call__(self, label: str, work: Callable[[], object]) -> object:
        self.rss.take()
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.rows.append((label, time.perf_counter() - started, time.process_time() - cpu, self.rss.take()))
        return result


def run(args: argparse.Namespace) -> None:
    rss = RssWatch()
    step = Steps(rss)
    ws = open_workspace(args.workspace)
    con = duckdb.connect(str(ws.store_path))
    con.execute(f"SET TimeZone = {lit(ws.settings.timezone)}")
    limit = args.memory_limit or ws.settings.ingest.memory_limit
    if limit:  # else the engine's own default, as `cxmap ingest` does
        con.execute(f"SET memory_limit = {lit(limit)}")
    spill = ws.root / ".cxmap" / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = {lit(str(spill))}")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    if args.no_insertion_order:
        con.execute("SET preserve_insertion_order = false")
    if args.same_as:
        con.execute(f"ATTACH {lit(str(args.same_as / 'cxmap.duckdb'))} AS ref (READ_ONLY)")
    started, cpu = time.perf_counter(), time.process_time()
    view: SourceView = open_source(con, expand([str(args.file)])[0], 0)
    resolved = resolve_columns(view.columns, "events", parse_columns(None, "events"), view.source.name)
    cols = Columns(resolved, view.types, view.columns)
    scale = get_scale("0-10")
    if args.stage == "current":
        select = events_sql(view.select, cols, scale, view.raw, None, False)
    else:
        select = lean_events_sql(view.select, cols, scale, view.raw, ws.settings.timezone)
    load_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0])  # type: ignore[index]
    store_empty = con.execute("SELECT count(*) = 0 FROM events").fetchone()[0]  # type: ignore[index]
    con.execute("BEGIN TRANSACTION")
    if args.stage == "bare":
        con.execute(f"CREATE TEMP VIEW canon AS (SELECT __rn AS __row, * FROM ({select}))")
        loaded = step(
            "write events (straight from the file)",
            lambda: con.execute(anti_write_sql("canon", load_id, True, dedup_in_query=False)).fetchone()[0],
        )
    elif args.stage == "none":
        source = f"(SELECT __rn AS __row, * FROM ({select}))"
        con.execute(f"CREATE TEMP VIEW canon AS {source}")
        step(
            "quarantine pass (count of unusable rows)",
            lambda: con.execute("SELECT count(*) FROM canon WHERE __reason IS NOT NULL").fetchone(),
        )
        step(
            "comments to score (distinct, from the file)",
            lambda: con.execute(
                "CREATE TEMP TABLE staged AS SELECT DISTINCT comment_hash, comment, NULL AS __reason "
                "FROM canon WHERE __reason IS NULL AND comment_hash IS NOT NULL"
            ),
        )
        step("score comments", lambda: _score_comments(con, MODEL))
        n = step(
            "write events (streamed from the file)",
            lambda: con.execute(anti_write_sql("canon", load_id, bool(store_empty), dedup_in_query=False)).fetchone()[
                0
            ],
        )
        dropped = step("drop duplicates within the load", lambda: drop_later_duplicates(con, load_id))
        loaded = int(n) - int(dropped)  # type: ignore[call-overload]
    else:
        if args.stage == "file":
            staged = spill / "staged.parquet"
            step(
                "stage (COPY ... TO a Parquet file)",
                lambda: con.execute(
                    f"COPY (SELECT 0 AS __file, __rn AS __row, * FROM ({select})) "
                    f"TO {lit(str(staged))} (FORMAT parquet)"
                ),
            )
            con.execute(f"CREATE TEMP VIEW staged AS SELECT * FROM read_parquet({lit(str(staged))})")
        else:
            step(
                "stage (CREATE TEMP TABLE staged)",
                lambda: con.execute(
                    f"CREATE TEMP TABLE staged AS SELECT 0 AS __file, __rn AS __row, * FROM ({select})"
                ),
            )
        step(
            "quarantine count", lambda: con.execute("SELECT count(*) FROM staged WHERE __reason IS NOT NULL").fetchone()
        )
        step("score comments", lambda: _score_comments(con, MODEL))
        if args.write == "current":
            loaded = step("write events (_write_events)", lambda: _write_events(con, load_id, MODEL))
        elif args.write == "qualify":
            loaded = step(
                "write events (NOT EXISTS, QUALIFY)",
                lambda: con.execute(qualify_write_sql(load_id)).fetchone()[0],
            )
        else:
            loaded = step(
                "write events (anti join)",
                lambda: con.execute(
                    anti_write_sql("staged", load_id, bool(store_empty), dedup_in_query=True)
                ).fetchone()[0],
            )
    if args.same_as:
        print(f"rows that differ from {args.same_as}: {differ(con, load_id)} (0 expected)")
    step("commit" if args.commit else "rollback", lambda: con.execute("COMMIT" if args.commit else "ROLLBACK"))
    if args.stage == "file":
        (spill / "staged.parquet").unlink(missing_ok=True)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    said = f"loaded {loaded:,} in {total:.2f} s, CPU {cpu:.2f} s, peak {peak:,.0f} MiB"
    print(f"stage={args.stage} write={args.write}: {said}")
    for label, seconds, cpu_s, peak_mb in step.rows:
        print(f"  {seconds:7.2f} s  CPU {cpu_s:6.2f} s  peak {peak_mb:7,.0f} MiB  {label}")


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
    parser.add_argument("--stage", choices=["current", "lean", "file", "none", "bare"], default="lean")
    parser.add_argument("--write", choices=["current", "qualify", "anti"], default="anti")
    parser.add_argument("--commit", action="store_true", help="Keep what the load wrote (default: roll back).")
    parser.add_argument("--memory-limit", help="Engine memory limit (default: the workspace's ingest.memory_limit).")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--no-insertion-order", action="store_true", help="SET preserve_insertion_order = false.")
    parser.add_argument("--same-as", type=Path, help="A workspace where cxmap loaded FILE: compare the events.")
    args = parser.parse_args()
    if args.stage in ("none", "bare") and args.write != "anti":
        parser.error(f"--stage {args.stage} writes with --write anti only")
    run(args)


if __name__ == "__main__":
    main()
