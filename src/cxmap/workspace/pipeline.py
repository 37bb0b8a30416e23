"""The load itself: read the sources and write their new rows, on a connection, inside the caller's transaction.

Memory does not grow with the files: no statement holds all their rows. A Parquet file is read where it is,
unless it has too few row groups to be read on every thread; a text file (CSV, JSON Lines) is first copied, as
a stream, to a Parquet file in a scratch folder (read.stage). Each is then read twice. The first pass keeps
only what must be known before anything is written: the rows that go to the quarantine, the comments that need
a sentiment, and how many records the file has. The second pass inserts the usable rows whose event id is not
stored yet (an anti join against the stored ids); the rows of this load that share an event id are then found
from an aggregate on the new rows' ids alone, and all but the first are removed. Python only orchestrates, and
scores the distinct comments that carry no score. Before the passes, the first rows of each events file are
sampled for columns that look like a score or a comment but would be kept as attributes (unmapped.py).

The stored events the second pass checks against are read from one relation, `stored` (the `events`
table by default), so that a store kept elsewhere can pass a view over it instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from cxmap.errors import PLAIN, CxmapError, Face, InvalidValue
from cxmap.progress import Steps
from cxmap.workspace.canonical import Columns, dimension_sql, events_sql
from cxmap.workspace.columns import parse_columns, resolve_columns
from cxmap.workspace.lines import quarantine_lines
from cxmap.workspace.read import SourceView, fewer_threads, open_source, row_groups, stage, unused, worth_copying
from cxmap.workspace.scales import get_scale
from cxmap.workspace.sentiment import check_model, get_model
from cxmap.workspace.sources import Source
from cxmap.workspace.sql import ident, lit
from cxmap.workspace.unmapped import Unmapped, distinct, find, refuse

SIDE = "cx_side"  # what the first pass keeps: quarantined rows, rows with a comment to score, counts
SENTIMENT_BATCH = 5_000
PARSED = "__instant"  # a text file's copy: its timestamp column as parsed (TIMESTAMPTZ; see read.unused)


@dataclass
class LoadResult:
    """What one `cxmap ingest` did: the counts it ends with."""

    load_id: int | None
    kind: str
    sources: list[str]
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    replaced: int = 0
    comments_scored: int = 0
    warnings: list[Unmapped] = field(default_factory=list)  # score- or comment-like columns kept as attributes
    preview: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, face: Face = PLAIN) -> dict[str, Any]:
        """The counts as `--json` and the API show them; the warnings in the face's terms."""
        return {**asdict(self), "warnings": [w.to_json(face) for w in self.warnings]}


@dataclass
class Options:
    kind: str = "events"
    scale: str = "0-10"
    columns: str | None = None
    strict: bool = False  # load nothing if a row would be quarantined or a column looks unmapped (unmapped.py)
    encoding: str = "utf-8"
    timestamp_format: str | None = None
    preview: int = 0  # > 0: show this many rows as they would be read, write nothing


@dataclass
class FileRows:
    """One file of the load as canonical rows (`select`), read once by each pass."""

    view: SourceView
    k: int  # the file's number in the load
    select: str
    offset: int = 0  # records of the load's earlier files: the load-wide row number is offset + __rn
    records: int = 0  # the rest is set by the first pass
    last: int = 0  # the file's largest record number
    unusable: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)


def run(
    con: duckdb.DuckDBPyConnection,
    sources: list[Source],
    options: Options,
    steps: Steps,
    *,
    scratch: Path,
    sentiment_model: str = "vader",
    stored: str = "events",
) -> LoadResult:
    """Read `sources` and write their new rows to the store's tables on `con`; the caller commits or rolls back.

    `scratch` is a folder for the Parquet copies of text files, removed when the load ends.
    """
    started = datetime.now(UTC).replace(tzinfo=None)
    result = LoadResult(None, options.kind, [s.name for s in sources])
    if options.kind == "events":
        check_model(sentiment_model)
    with _folder(scratch) as folder:
        files = [_open(con, s, k, options, folder, steps) for k, s in enumerate(sources)]
        result.warnings = distinct(w for f in files for w in f.unmapped)
        if options.strict and result.warnings and not options.preview:
            raise refuse(result.warnings)  # before the long passes
        with fewer_threads(con, _row_groups(con, files)):
            for file, before in zip(files, [None, *files[:-1]], strict=True):
                file.offset = before.offset + before.last if before else 0
                _first_pass(con, file, options, steps)
            _second_pass(con, files, options, steps, result, sentiment_model, stored)
    if result.load_id is not None:
        _record(con, result, options, started)
    return result


@contextmanager
def _folder(scratch: Path) -> Iterator[Path]:
    """A folder of this load under `scratch`; a folder that a killed load left behind is removed first."""
    scratch.mkdir(parents=True, exist_ok=True)
    for old in scratch.glob("load-*"):
        pid = old.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"load-{os.getpid()}-", dir=scratch) as folder:
        yield Path(folder)


def _alive(pid: int) -> bool:
    """Signal 0 tests that a process exists (one we may not signal exists too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _open(
    con: duckdb.DuckDBPyConnection, source: Source, k: int, options: Options, folder: Path, steps: Steps
) -> FileRows:
    """File `k` as canonical rows; a text file, or a Parquet file of too few row groups, is first copied
    (see read.stage)."""
    view = open_source(con, source, k, options.encoding)
    mapping = parse_columns(options.columns, options.kind)
    resolved = resolve_columns(view.columns, options.kind, mapping, view.source.name)  # before the long read
    zone = con.execute("SELECT current_setting('TimeZone')").fetchone()
    cols = Columns(resolved, view.types, view.columns, str(zone[0]) if zone else "UTC")
    fmt = options.timestamp_format
    # A text file's times are parsed once, into its copy, instead of in both passes (0.37 CPU s per million).
    text = options.kind == "events" and source.fmt != "parquet" and "timestamp" in resolved
    parsed = ident(unused(PARSED, view.columns)) if text else None
    if source.fmt != "parquet" or worth_copying(con, view):
        extra = f", {cols.instant('timestamp', cols.text('timestamp'), fmt)} AS {parsed}" if parsed else ""
        work = partial(stage, con, view, folder / f"{k}.parquet", options.encoding, extra)
        view = steps.run(f"Reading {source.path.name}", con, work)
    broken = source.fmt == "jsonl"
    if options.kind == "events":
        scale = get_scale(options.scale)
        rows = FileRows(view, k, events_sql(view.select, cols, scale, view.raw, fmt, broken, parsed))
        # The Parquet file the passes read (a text file's copy is always made): its first rows cost nothing.
        sample = f"read_parquet({lit(str(view.parquet))})" if view.parquet else f"({view.records})"
        rows.unmapped = find(con, sample, view.columns, resolved, source.name)
        return rows
    return FileRows(view, k, dimension_sql(view.select, cols, options.kind, view.raw, broken))


def _row_groups(con: duckdb.DuckDBPyConnection, files: list[FileRows]) -> int:
    """How many row groups the load's files have: the load runs on no more engine threads than that (0:
    unknown, no limit).

    The engine reads a Parquet file in parallel by row groups only, and a thread left without one does not
    just wait: on a file of one row group (pyarrow writes up to 1,048,576 rows in one), a second thread
    doubled both the CPU and the wall time of a load (measured, benchmarks/README.md).
    """
    return row_groups(con, [f.view.parquet for f in files if f.view.parquet is not None])[0]


def _second_pass(
    con: duckdb.DuckDBPyConnection,
    files: list[FileRows],
    options: Options,
    steps: Steps,
    result: LoadResult,
    sentiment_model: str,
    stored: str,
) -> None:
    """The second pass: quarantine, comments, then the new rows (or only the preview)."""
    rows = _union(files)
    if options.preview:
        result.preview = _preview(con, rows, options)
        return
    row = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
    load_id = result.load_id = int(row[0]) if row else 1
    result.quarantined = sum(quarantine_lines(con, f.view, f.k, load_id, SIDE) for f in files)
    usable = sum(f.records - f.unusable for f in files)
    result.rows_read = usable + result.quarantined
    if options.strict and result.quarantined:
        _refuse(con, load_id, result)
    if options.kind == "events":
        result.comments_scored = _score_comments(con, sentiment_model)
        write = partial(_write_events, con, _union(files, usable=True), load_id, sentiment_model, stored)
        result.loaded = steps.run("Writing events", con, write)
    else:
        result.loaded, result.replaced = _write_dimension(con, rows, options.kind, load_id)
    result.duplicates = usable - result.loaded


def _union(files: list[FileRows], *, usable: bool = False) -> str:
    """The load's rows, numbered across its files; `usable`: only those with no reason to be quarantined.

    The reason is tested only in files that have such rows: the test reads every column the reason
    depends on, and the engine would work the trimmed texts out twice (once for the test, once for the row).
    """
    return " UNION ALL ".join(
        f"SELECT {f.k} AS __file, __rn + {f.offset} AS __row, * FROM ({f.select})"
        + (" WHERE __reason IS NULL" if usable and f.unusable else "")
        for f in files
    )


def _first_pass(con: duckdb.DuckDBPyConnection, file: FileRows, options: Options, steps: Steps) -> None:
    """Keep the file's quarantined rows and its rows with a comment to score in SIDE, and count its records.

    One aggregate does both: each kept row forms a group of its own (keyed by its record number), every
    other row falls into one group (key NULL) that only counts them and keeps their largest number.
    """
    tested = ["__reason", "comment_hash"] if options.kind == "events" else ["__reason"]
    kept = ["__reason", "__raw", "comment_hash", "comment"] if options.kind == "events" else ["__reason", "__raw"]
    keep = " OR ".join(f"{c} IS NOT NULL" for c in tested)
    verb = f"CREATE OR REPLACE TEMP TABLE {SIDE} AS" if file.k == 0 else f"INSERT INTO {SIDE}"
    sql = f"""{verb} SELECT {file.k} AS __file, __kept AS __rn, {", ".join(f"any_value({c}) AS {c}" for c in kept)},
        count(*) AS records, max(__rn) AS last
    FROM (SELECT CASE WHEN {keep} THEN __rn END AS __kept, * FROM ({file.select}))
    GROUP BY __kept"""
    try:
        steps.run(f"Checking {file.view.source.path.name}", con, partial(con.execute, sql))
    except duckdb.Error as exc:
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{file.view.source.name}: cannot be read: {first}") from None
    counts = con.execute(
        f"SELECT coalesce(sum(records), 0), coalesce(max(last), 0), count(*) FILTER (WHERE __reason IS NOT NULL) "
        f"FROM {SIDE} WHERE __file = {file.k}"
    ).fetchone()
    if counts:
        file.records, file.last, file.unusable = int(counts[0]), int(counts[1]), int(counts[2])


def _refuse(con: duckdb.DuckDBPyConnection, load_id: int, result: LoadResult) -> None:
    """`strict`: name the first bad row, which may be in the quarantine from an earlier load of the same file."""
    sources = _texts(result.sources)
    file, line, reason = con.execute(
        f"SELECT file, line, reason FROM quarantine WHERE load_id = {load_id} OR list_contains({sources}, file) "
        "ORDER BY load_id DESC, file, line LIMIT 1"
    ).fetchall()[0]
    rows = f"{result.quarantined} row{'s' if result.quarantined != 1 else ''}"
    raise InvalidValue(
        lambda face: f"{file}:{line}: {reason}; {face.switch('strict')}: nothing was loaded ({rows} could not be read)"
    )


def _score_comments(con: duckdb.DuckDBPyConnection, model_name: str) -> int:
    """Sentiment for distinct, unscored comments not yet in the cache; the one row-wise Python step.

    The model is built (and its library imported) only when there is something to score.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cx_pending AS SELECT row_number() OVER () AS i, comment_hash, comment FROM ("
        f"SELECT DISTINCT comment_hash, comment FROM {SIDE} s WHERE __reason IS NULL AND comment_hash IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM sentiment_cache c WHERE c.comment_hash = s.comment_hash "
        f"AND c.model = {lit(model_name)}))"
    )
    row = con.execute("SELECT count(*) FROM cx_pending").fetchone()
    total = int(row[0]) if row else 0
    for start in range(0, total, SENTIMENT_BATCH):
        batch = con.execute(
            f"SELECT comment_hash, comment FROM cx_pending WHERE i > {start} AND i <= {start + SENTIMENT_BATCH}"
        ).fetchall()
        scores = get_model(model_name).compound([text for _, text in batch])
        values = ", ".join(
            f"({lit(h)}, {lit(model_name)}, {score!r})" for (h, _), score in zip(batch, scores, strict=True)
        )
        con.execute(f"INSERT INTO sentiment_cache VALUES {values}")
    return total


def _write_events(con: duckdb.DuckDBPyConnection, usable: str, load_id: int, model: str, stored: str) -> int:
    """Insert the `usable` rows whose event id is not stored yet, then keep only the first of an id in this load.

    The check against the store is an uncorrelated anti join (left out while the store is empty); the
    duplicates within the load come from an aggregate on the new rows' event ids alone, not from a window
    carrying whole rows. Either way no statement holds the load's rows, so memory stays within the engine's
    limit whatever the size of the files (the sort fills it, then spills to disk). Rows are written in
    customer and time order, so that a customer's events sit together in the store: the per-customer
    windows and groupings of the analysis take about 0.6 of the time on it (benchmarks/README.md, "Scale").
    Returns how many events the load added.
    """
    found = con.execute(f"SELECT EXISTS (SELECT 1 FROM {stored})").fetchone()
    against_store = f"ANTI JOIN {stored} e ON e.event_id = s.event_id" if found and found[0] else ""
    inserted = con.execute(
        f"""INSERT INTO events
        SELECT s.event_id, s.customer_id, s.account_id, s."timestamp", s.touchpoint, s.channel, s.department,
            s.score, s.scale,
            CASE WHEN s.score IS NOT NULL THEN s.score_emotion ELSE (c.compound + 1) * 5 END,
            CASE WHEN s.score IS NOT NULL THEN 'score' WHEN c.compound IS NOT NULL THEN {lit(model)} END,
            s.nps_class, s.comment, s.attributes, {load_id}, s.__row
        FROM ({usable}) s
        {against_store}
        LEFT JOIN sentiment_cache c ON c.comment_hash = s.comment_hash AND c.model = {lit(model)}
        ORDER BY s.customer_id, s."timestamp", s.__row"""
    ).fetchone()
    added = int(inserted[0]) if inserted else 0
    if added < 2:
        return added
    # Candidates first, from 64-bit hashes of the ids (a third of the memory of the ids themselves), then
    # the ids of those rows only, compared exactly.
    new = f"FROM events WHERE load_id = {load_id}"
    removed = con.execute(
        f"""DELETE FROM events e USING (
            SELECT event_id, min("row") AS first {new}
                AND hash(event_id) IN (SELECT hash(event_id) {new} GROUP BY 1 HAVING count(*) > 1)
            GROUP BY event_id HAVING count(*) > 1
        ) d WHERE e.load_id = {load_id} AND e.event_id = d.event_id AND e."row" <> d.first"""
    ).fetchone()
    return added - (int(removed[0]) if removed else 0)


def _write_dimension(con: duckdb.DuckDBPyConnection, rows: str, kind: str, load_id: int) -> tuple[int, int]:
    """Accounts and contacts: the newest row for an id wins (within a load, the last one)."""
    key = "account_id" if kind == "accounts" else "customer_id"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE cx_latest AS SELECT * EXCLUDE (__file, __reason, __raw, __rn) FROM ({rows}) "
        f"WHERE __reason IS NULL QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __row DESC) = 1"
    )
    replaced_row = con.execute(f"SELECT count(*) FROM {kind} WHERE {key} IN (SELECT {key} FROM cx_latest)").fetchone()
    con.execute(f"DELETE FROM {kind} WHERE {key} IN (SELECT {key} FROM cx_latest)")
    columns = [r[0] for r in con.execute("DESCRIBE cx_latest").fetchall() if r[0] != "__row"]
    listed = ", ".join(columns)
    con.execute(f'INSERT INTO {kind} ({listed}, load_id, "row") SELECT {listed}, {load_id}, __row FROM cx_latest')
    written = con.execute("SELECT count(*) FROM cx_latest").fetchone()
    return (int(written[0]) if written else 0), (int(replaced_row[0]) if replaced_row else 0)


def _record(con: duckdb.DuckDBPyConnection, result: LoadResult, options: Options, started: datetime) -> None:
    """The load's row in `loads`: what was read, with which options, and the counts."""
    scale = lit(options.scale) if options.kind == "events" else "NULL"
    columns = lit(json.dumps(parse_columns(options.columns, options.kind))) if options.columns else "NULL"
    con.execute(
        f"INSERT INTO loads VALUES ({result.load_id}, {lit(options.kind)}, {_texts(result.sources)}, "
        f"TIMESTAMP {lit(started.isoformat())}, now() AT TIME ZONE 'UTC', {scale}, {columns}, "
        f"{result.rows_read}, {result.loaded}, {result.duplicates}, {result.quarantined})"
    )


def _texts(texts: list[str]) -> str:
    """A list literal of texts (parameters would make the DuckDB client import numpy, pandas and pyarrow)."""
    return "[" + ", ".join(lit(t) for t in texts) + "]::VARCHAR[]"


def _preview(con: duckdb.DuckDBPyConnection, rows: str, options: Options) -> list[dict[str, Any]]:
    hidden = "__file, __rn, __raw, comment_hash" if options.kind == "events" else "__file, __rn, __raw"
    cursor = con.execute(f"SELECT * EXCLUDE ({hidden}) FROM ({rows}) ORDER BY __row LIMIT {int(options.preview)}")
    names = [d[0] for d in cursor.description or []]
    return [
        {
            ("row" if n == "__row" else "problem" if n == "__reason" else n): _plain(v)
            for n, v in zip(names, r, strict=True)
        }
        for r in cursor.fetchall()
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)
