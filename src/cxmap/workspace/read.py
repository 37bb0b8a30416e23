"""Each input format as a DuckDB relation: the source's columns plus its record number, read in the engine.

A Parquet file is read where it is. A text file (CSV, TSV, JSON Lines) is read once, by `stage`, into a
Parquet file in the workspace's scratch folder, which the load then reads as often as it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from cxmap.errors import CxmapError, InvalidValue
from cxmap.workspace.sources import Source
from cxmap.workspace.sql import ident, lit


@dataclass
class SourceView:
    """What one file offers: a SELECT with `__rn` (1-based record number) and the file's columns."""

    source: Source
    select: str
    columns: list[str]
    types: dict[str, str]
    raw: str  # SQL giving the record's text, for the quarantine
    rejects: str | None = None  # temp table of unreadable CSV lines, filled when `records` is read
    parquet: Path | None = None  # the Parquet file `select` reads (the source's, or its staged copy)
    records: str = ""  # a text file: its records in file order, unnumbered (what `stage` copies)
    shape: Callable[[str], str] = lambda numbered: numbered  # `select` over the staged records, numbered


COPY_GROUP_ROWS = 122_880  # the row group size of a staged copy (DuckDB's own default)


def unused(name: str, taken: list[str]) -> str:
    """`name`, with underscores added until no column of `taken` has it (the engine ignores case)."""
    names = {t.lower() for t in taken}
    while name.lower() in names:
        name += "_"
    return name


def _numbered(scan: str) -> str:
    """The rows of a Parquet scan (with `file_row_number`) numbered from 1 in file order: `__rn`."""
    return f"SELECT file_row_number + 1 AS __rn, * EXCLUDE (file_row_number) FROM {scan}"


def _read_numbered(records: str) -> str:
    """Records numbered from 1 as they are read: a window over the whole file, which runs on one thread.
    A text file's `select` until `stage` copies it, and the copy's numbering when a column is called
    file_row_number."""
    return f"SELECT row_number() OVER () AS __rn, * FROM ({records})"


def _describe(con: duckdb.DuckDBPyConnection, select: str, source: Source) -> list[tuple[str, str]]:
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {select}").fetchall()]
    except duckdb.Error as exc:
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{source.name}: cannot be read as {source.fmt.upper()}: {first}") from None


def _csv(con: duckdb.DuckDBPyConnection, source: Source, k: int, encoding: str) -> SourceView:
    delim = ", delim = '\t'" if source.fmt == "tsv" else ""
    rejects = f"cx_rejects_{k}"
    options = (
        f"all_varchar = true, header = true, encoding = {lit(encoding)}{delim}, "
        f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = 'cx_scan_{k}'"
    )
    scan = f"read_csv({lit(str(source.path))}, {options})"
    records = f"SELECT * FROM {scan}"
    columns = [name for name, _ in _describe(con, records, source)]
    select = _read_numbered(records)
    sep = "'\t'" if source.fmt == "tsv" else "','"
    raw = f"concat_ws({sep}, " + ", ".join(f"coalesce({ident(c)}, '')" for c in columns) + ")"
    return SourceView(source, select, columns, dict.fromkeys(columns, "VARCHAR"), raw, rejects, records=records)


def _jsonl(con: duckdb.DuckDBPyConnection, source: Source) -> SourceView:
    lines = (
        f"read_csv({lit(str(source.path))}, columns = {{'__text': 'VARCHAR'}}, header = false, "
        "delim = '\x01', quote = '', escape = '', auto_detect = false)"
    )
    valid = "CASE WHEN json_valid(__text) THEN json_type(__text) = 'OBJECT' ELSE false END"
    numbered = f"({_read_numbered(f'SELECT __text, {valid} AS __ok FROM {lines}')})"
    try:
        keys = con.execute(
            f"SELECT k FROM (SELECT __rn, unnest(json_keys(__text)) AS k FROM {numbered} WHERE __ok) "
            "GROUP BY k ORDER BY min(__rn), k"
        ).fetchall()
    except duckdb.Error as exc:
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{source.name}: cannot be read as JSON Lines: {first}") from None
    columns = [k[0] for k in keys]
    ok = ident(unused("__ok", columns))  # the line is a JSON object; a key of the file may be called __ok
    fields = "".join(
        f", CASE WHEN {ok} THEN json_extract_string(__text, {lit(_json_path(c))}) END AS {ident(c)}" for c in columns
    )

    def shape(rows: str) -> str:
        return (
            f"SELECT __rn, __text, CASE WHEN {ok} THEN NULL ELSE 'broken line: not a JSON object' END AS __broken, "
            f"* EXCLUDE (__rn, __text, {ok}) FROM ({rows}) WHERE __text IS NOT NULL AND trim(__text) <> ''"
        )

    records = f"SELECT __text, {ok}{fields} FROM (SELECT __text, {valid} AS {ok} FROM {lines})"
    select = shape(_read_numbered(records))
    return SourceView(
        source, select, columns, dict.fromkeys(columns, "VARCHAR"), "__text", records=records, shape=shape
    )


def _json_path(key: str) -> str:
    """A JSON path selecting one top-level key, whatever characters it holds."""
    return '$."' + key.replace('"', '\\"') + '"'


def _parquet(con: duckdb.DuckDBPyConnection, source: Source) -> SourceView:
    scan = f"read_parquet({lit(str(source.path))}, file_row_number = true)"
    described = [(n, t) for n, t in _describe(con, f"SELECT * FROM {scan}", source) if n != "file_row_number"]
    columns = [n for n, _ in described]
    select = _numbered(scan)
    raw = "to_json(struct_pack(" + ", ".join(f"{ident(c)} := {ident(c)}" for c in columns) + "))::VARCHAR"
    records = f"SELECT * FROM read_parquet({lit(str(source.path))})"
    return SourceView(source, select, columns, dict(described), raw, parquet=source.path, records=records)


def worth_copying(con: duckdb.DuckDBPyConnection, view: SourceView) -> bool:
    """Whether a Parquet file has fewer row groups than the engine has threads, and rows enough to share.

    The engine reads a Parquet file in parallel by row groups only, and pandas and pyarrow write up to
    1,048,576 rows in one: such a file is read on one thread by every pass of the load. Copying it once
    into row groups of 122,880 rows (one thread, about 0.4 CPU s per million events) lets the passes,
    where the work is, run on all of them: 3.8 s against 2.7 s for a million events on two cores.
    """
    groups, rows = row_groups(con, [view.source.path])
    row = con.execute("SELECT current_setting('threads')").fetchone()
    threads = int(row[0]) if row else 1
    return groups < threads and rows >= 2 * COPY_GROUP_ROWS


def row_groups(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> tuple[int, int]:
    """How many row groups and rows the Parquet files at `paths` have together (0, 0 for none)."""
    if not paths:
        return 0, 0
    listed = ", ".join(lit(str(p)) for p in paths)
    row = con.execute(f"SELECT sum(num_row_groups), sum(num_rows) FROM parquet_file_metadata([{listed}])").fetchone()
    return (int(row[0]), int(row[1])) if row and row[0] is not None else (0, 0)


def open_source(con: duckdb.DuckDBPyConnection, source: Source, k: int, encoding: str = "utf-8") -> SourceView:
    """The relation for file number `k` of a load."""
    if source.fmt in ("csv", "tsv"):
        return _csv(con, source, k, encoding)
    if source.fmt == "jsonl":
        return _jsonl(con, source)
    return _parquet(con, source)


@contextmanager
def fewer_threads(con: duckdb.DuckDBPyConnection, most: int) -> Iterator[None]:
    """Run the block on at most `most` engine threads (no change when `most` is 0 or more than set).

    The setting is put back when the block ends normally; after an error it is not, because a failed
    statement leaves the transaction aborted and any statement would then fail in place of the error.
    """
    row = con.execute("SELECT current_setting('threads')").fetchone()
    before = int(row[0]) if row else 1
    if 0 < most < before:
        con.execute(f"SET threads = {most}")
    yield
    con.execute(f"SET threads = {before}")


def stage(con: duckdb.DuckDBPyConnection, view: SourceView, path: Path, encoding: str, extra: str = "") -> SourceView:
    """A file's records, written once to the Parquet file `path`, which the load then reads.

    Text files are always copied; a Parquet file only when `worth_copying`. `extra`: more columns for the
    copy (`, expr AS name`), worked out once here instead of in every pass.
    The copy is written in parallel and in file order, so a record's number is its row number in the copy
    (numbering the records as they are read would be a window over the whole file, which the engine runs on
    one thread); the copy is then read in parallel, by row groups, for the work that costs. Memory does not
    grow with the file. Unreadable CSV lines are recorded in `view.rejects` while it is written.
    """
    # A Parquet dictionary takes -0.0 and 0.0 for one value, which would change a score's text and so its
    # event id: a typed file is copied without one (a text file's values are all text, compared exactly).
    plain = ", DICTIONARY_SIZE_LIMIT 0" if view.source.fmt == "parquet" else ""
    # Uncompressed: the copy lives for one load, and both passes read it (0.3 CPU s less per million events,
    # for a copy of about a third of a CSV's size instead of a seventh).
    options = f"FORMAT parquet, ROW_GROUP_SIZE {COPY_GROUP_ROWS}, COMPRESSION uncompressed{plain}"
    # The engine cannot number the rows of a file that has a column called file_row_number: such a file is
    # numbered as it is read, on one thread.
    windowed = unused("file_row_number", view.columns) != "file_row_number"
    records = _read_numbered(view.records) if windowed else view.records
    try:
        with fewer_threads(con, 1 if windowed else 0):
            con.execute(f"COPY (SELECT *{extra} FROM ({records})) TO {lit(str(path))} ({options})")
    except duckdb.Error as exc:
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{view.source.name}: cannot be read: {first}") from None
    _check_encoding(con, view, encoding)
    rows = f"SELECT * FROM read_parquet({lit(str(path))})"
    scan = f"read_parquet({lit(str(path))}, file_row_number = true)"
    return replace(view, select=view.shape(rows if windowed else _numbered(scan)), parquet=path)


def _check_encoding(con: duckdb.DuckDBPyConnection, view: SourceView, encoding: str) -> None:
    if view.rejects is None:
        return
    bad = con.execute(f"SELECT min(line) FROM {view.rejects} WHERE error_type = 'INVALID ENCODING'").fetchone()
    if bad and bad[0] is not None:
        other = "latin-1" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else "utf-8"
        raise InvalidValue(
            lambda face: (
                f"{view.source.name}: line {bad[0]} is not {encoding} text; give the file's encoding with "
                f"{face.field('encoding')} (for example {face.setting('encoding', other)})"
            )
        )
