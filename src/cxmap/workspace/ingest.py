"""`cxmap ingest`: files into the store in one transaction; every unusable row goes to the quarantine.

The engine reads, casts, normalises, de-duplicates and writes; Python only orchestrates (and scores the
distinct comments that carry no score, see sentiment.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import duckdb
import pyarrow as pa

from cxmap.errors import CxmapError
from cxmap.progress import Steps
from cxmap.workspace.canonical import Columns, dimension_sql, events_sql
from cxmap.workspace.columns import parse_columns, resolve_columns
from cxmap.workspace.core import Workspace
from cxmap.workspace.lines import quarantine_lines
from cxmap.workspace.read import SourceView, open_source
from cxmap.workspace.scales import get_scale
from cxmap.workspace.sentiment import get_model
from cxmap.workspace.sources import Source, expand
from cxmap.workspace.sql import lit

KINDS = ("events", "accounts", "contacts")
SENTIMENT_BATCH = 5_000


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
    preview: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Options:
    kind: str = "events"
    scale: str = "0-10"
    columns: str | None = None
    strict: bool = False
    encoding: str = "utf-8"
    timestamp_format: str | None = None
    preview: int = 0  # > 0: show this many rows as they would be read, write nothing


def _staging_sql(view: SourceView, options: Options) -> str:
    mapping = parse_columns(options.columns, options.kind)
    resolved = resolve_columns(view.columns, options.kind, mapping, view.source.name)
    cols = Columns(resolved, view.types, view.columns)
    broken = view.source.fmt == "jsonl"
    if options.kind == "events":
        return events_sql(view.select, cols, get_scale(options.scale), view.raw, options.timestamp_format, broken)
    return dimension_sql(view.select, cols, options.kind, view.raw, broken)


def _check_encoding(con: duckdb.DuckDBPyConnection, view: SourceView, encoding: str) -> None:
    if view.rejects is None:
        return
    bad = con.execute(f"SELECT min(line) FROM {view.rejects} WHERE error_type = 'INVALID ENCODING'").fetchone()
    if bad and bad[0] is not None:
        other = "latin-1" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else "utf-8"
        raise CxmapError(
            f"{view.source.name}: line {bad[0]} is not {encoding} text; "
            f"give the file's encoding with --encoding (for example --encoding {other})"
        )


def _stage(con: duckdb.DuckDBPyConnection, views: list[SourceView], options: Options, steps: Steps) -> None:
    """All files into one temporary table, `__file` and a load-wide `__row` added."""
    offset = 0
    for k, view in enumerate(views):
        select = _staging_sql(view, options)
        verb = "CREATE TEMP TABLE staged AS" if k == 0 else "INSERT INTO staged"
        sql = f"{verb} SELECT {k} AS __file, __rn + {offset} AS __row, * FROM ({select})"
        try:
            steps.run(f"Reading {view.source.path.name}", con, partial(con.execute, sql))
        except duckdb.Error as exc:
            first = str(exc).split("\n")[0].split(": ", 1)[-1]
            raise CxmapError(f"{view.source.name}: cannot be read: {first}") from None
        _check_encoding(con, view, options.encoding)
        row = con.execute("SELECT coalesce(max(__row), 0) FROM staged").fetchone()
        offset = int(row[0]) if row else offset


def _score_comments(con: duckdb.DuckDBPyConnection, model_name: str) -> int:
    """Sentiment for distinct, unscored comments not yet in the cache; the one row-wise Python step."""
    model = get_model(model_name)
    con.execute(
        "CREATE TEMP TABLE pending AS SELECT row_number() OVER () AS i, comment_hash, comment FROM ("
        "SELECT DISTINCT comment_hash, comment FROM staged s WHERE __reason IS NULL AND comment_hash IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM sentiment_cache c WHERE c.comment_hash = s.comment_hash AND c.model = ?))",
        [model.name],
    )
    row = con.execute("SELECT count(*) FROM pending").fetchone()
    total = int(row[0]) if row else 0
    for start in range(0, total, SENTIMENT_BATCH):
        batch = con.execute(
            "SELECT comment_hash, comment FROM pending WHERE i > ? AND i <= ?",
            [start, start + SENTIMENT_BATCH],
        ).fetchall()
        scored = pa.table(
            {
                "comment_hash": [h for h, _ in batch],
                "model": [model.name] * len(batch),
                "compound": model.compound([text for _, text in batch]),
            }
        )
        con.register("scored_batch", scored)
        con.execute("INSERT INTO sentiment_cache SELECT comment_hash, model, compound FROM scored_batch")
        con.unregister("scored_batch")
    return total


def _write_events(con: duckdb.DuckDBPyConnection, load_id: int, model: str, stored: str) -> int:
    """Insert the usable staged events that are new: not in the store, and the first of their id in the load.

    Duplicates within the load come from a narrow aggregate on event ids (not a window carrying whole
    rows), and the check against the store is an uncorrelated anti join, skipped while the store is empty:
    this keeps a re-load of millions of events within the engine's memory.
    """
    known = con.execute(f"SELECT EXISTS (SELECT 1 FROM {stored})").fetchone()
    against_store = f"ANTI JOIN {stored} e ON e.event_id = s.event_id" if known and known[0] else ""
    sql = f"""
    INSERT INTO events
    WITH dups AS (
        SELECT event_id, min(__row) AS first FROM staged WHERE __reason IS NULL
        GROUP BY event_id HAVING count(*) > 1
    )
    SELECT s.event_id, s.customer_id, s.account_id, s."timestamp", s.touchpoint, s.channel, s.department,
        s.score, s.scale,
        CASE WHEN s.score IS NOT NULL THEN s.score_emotion ELSE (c.compound + 1) * 5 END,
        CASE WHEN s.score IS NOT NULL THEN 'score' WHEN c.compound IS NOT NULL THEN {lit(model)} END,
        s.nps_class, s.comment, s.attributes, {load_id}, s.__row
    FROM staged s
    {against_store}
    ANTI JOIN dups d ON d.event_id = s.event_id AND d.first <> s.__row
    LEFT JOIN sentiment_cache c ON c.comment_hash = s.comment_hash AND c.model = {lit(model)}
    WHERE s.__reason IS NULL
    """
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _write_dimension(con: duckdb.DuckDBPyConnection, kind: str, load_id: int) -> tuple[int, int]:
    """Accounts and contacts: the newest row for an id wins (within a load, the last one)."""
    key = "account_id" if kind == "accounts" else "customer_id"
    con.execute(
        f"CREATE TEMP TABLE latest AS SELECT * EXCLUDE (__file, __reason, __raw, __rn) FROM staged "
        f"WHERE __reason IS NULL QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __row DESC) = 1"
    )
    replaced_row = con.execute(f"SELECT count(*) FROM {kind} WHERE {key} IN (SELECT {key} FROM latest)").fetchone()
    con.execute(f"DELETE FROM {kind} WHERE {key} IN (SELECT {key} FROM latest)")
    columns = [r[0] for r in con.execute("DESCRIBE latest").fetchall() if r[0] != "__row"]
    listed = ", ".join(columns)
    con.execute(f'INSERT INTO {kind} ({listed}, load_id, "row") SELECT {listed}, {load_id}, __row FROM latest')
    written = con.execute("SELECT count(*) FROM latest").fetchone()
    return (int(written[0]) if written else 0), (int(replaced_row[0]) if replaced_row else 0)


def _quarantine(con: duckdb.DuckDBPyConnection, views: list[SourceView], load_id: int) -> int:
    total = 0
    for k, view in enumerate(views):
        total += quarantine_lines(con, view, k, load_id)
    return total


def ingest(workspace: Workspace, paths: list[str], options: Options, steps: Steps) -> LoadResult:
    """Load files into the workspace: all of them or, on any error, nothing."""
    if options.kind not in KINDS:
        raise CxmapError(f"--kind: unknown kind '{options.kind}'; use one of: {', '.join(KINDS)}")
    get_scale(options.scale)
    sources = expand(paths)
    if workspace.dataset_root is not None:
        from cxmap.workspace.dataset_ingest import ingest_dataset  # a store of Parquet files, see there

        return ingest_dataset(workspace, sources, options, steps)
    with workspace.connect() as con:
        return load(con, workspace, sources, options, steps)


def load(
    con: duckdb.DuckDBPyConnection,
    workspace: Workspace,
    sources: list[Source],
    options: Options,
    steps: Steps,
    stored: str = "events",
) -> LoadResult:
    """Read `sources` into the store's tables on `con` in one transaction (committed unless a preview).

    `stored` names the relation of event ids already in the store (the events table, or a view over the
    files of a dataset store).
    """
    result = LoadResult(None, options.kind, [s.name for s in sources])
    started = datetime.now(UTC).replace(tzinfo=None)
    con.execute(f"SET TimeZone = {lit(workspace.settings.timezone)}")
    if workspace.settings.ingest.memory_limit:
        con.execute(f"SET memory_limit = {lit(workspace.settings.ingest.memory_limit)}")
    spill = workspace.root / ".cxmap" / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = {lit(str(spill))}")
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    views = [open_source(con, s, k, options.encoding) for k, s in enumerate(sources)]
    con.execute("BEGIN TRANSACTION")
    try:
        _stage(con, views, options, steps)
        if options.preview:
            result.preview = _preview(con, options.preview)
            con.execute("ROLLBACK")
            return result
        _finish(con, views, options, workspace, result, started, stored)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _finish(
    con: duckdb.DuckDBPyConnection,
    views: list[SourceView],
    options: Options,
    workspace: Workspace,
    result: LoadResult,
    started: datetime,
    stored: str,
) -> None:
    row = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
    load_id = int(row[0]) if row else 1
    result.load_id = load_id
    result.quarantined = _quarantine(con, views, load_id)
    counts = con.execute("SELECT count(*), count(*) FILTER (WHERE __reason IS NULL) FROM staged").fetchone()
    staged, usable = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    result.rows_read = staged + result.quarantined - (staged - usable)
    if options.strict and result.quarantined:
        # The rows may already be in the quarantine from an earlier load of the same file (kept once).
        reasons = con.execute(
            "SELECT file, line, reason FROM quarantine WHERE load_id = ? OR list_contains(?, file) "
            "ORDER BY load_id DESC, file, line LIMIT 1",
            [load_id, result.sources],
        ).fetchall()
        file, line, reason = reasons[0]
        raise CxmapError(
            f"{file}:{line}: {reason}; --strict: nothing was loaded "
            f"({result.quarantined} row{'s' if result.quarantined != 1 else ''} could not be read)"
        )
    if options.kind == "events":
        model = workspace.settings.ingest.sentiment_model
        result.comments_scored = _score_comments(con, model)
        result.loaded = _write_events(con, load_id, model, stored)
        result.duplicates = usable - result.loaded
    else:
        result.loaded, result.replaced = _write_dimension(con, options.kind, load_id)
        result.duplicates = usable - result.loaded
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, now() AT TIME ZONE 'UTC', ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            options.kind,
            result.sources,
            started,
            options.scale if options.kind == "events" else None,
            json.dumps(parse_columns(options.columns, options.kind)) if options.columns else None,
            result.rows_read,
            result.loaded,
            result.duplicates,
            result.quarantined,
        ],
    )
    con.execute("COMMIT")


def _preview(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    cursor = con.execute(
        "SELECT * EXCLUDE (__file, __rn, __raw, comment_hash) FROM staged ORDER BY __row LIMIT ?", [limit]
    )
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
