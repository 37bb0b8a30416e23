"""Each input format as a DuckDB relation: the source's columns plus its record number, read in the engine."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cxmap.errors import CxmapError
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
    rejects: str | None = None  # temp table of unreadable CSV lines, filled when `select` runs
    rescan: str | None = None  # the same records again without recording rejects (for line numbers)


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
    columns = [name for name, _ in _describe(con, f"SELECT * FROM {scan}", source)]
    select = f"SELECT row_number() OVER () AS __rn, * FROM {scan}"
    quiet = scan.replace(
        f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = 'cx_scan_{k}'",
        "ignore_errors = true",
    )
    rescan = f"SELECT row_number() OVER () AS __rn, * FROM {quiet}"
    sep = "'\t'" if source.fmt == "tsv" else "','"
    raw = f"concat_ws({sep}, " + ", ".join(f"coalesce({ident(c)}, '')" for c in columns) + ")"
    return SourceView(source, select, columns, dict.fromkeys(columns, "VARCHAR"), raw, rejects, rescan)


def _jsonl(con: duckdb.DuckDBPyConnection, source: Source) -> SourceView:
    lines = (
        f"read_csv({lit(str(source.path))}, columns = {{'__text': 'VARCHAR'}}, header = false, "
        "delim = '\x01', quote = '', escape = '', auto_detect = false)"
    )
    valid = "CASE WHEN json_valid(__text) THEN json_type(__text) = 'OBJECT' ELSE false END"
    numbered = f"(SELECT row_number() OVER () AS __rn, __text, {valid} AS __ok FROM {lines})"
    try:
        keys = con.execute(
            f"SELECT k FROM (SELECT __rn, unnest(json_keys(__text)) AS k FROM {numbered} WHERE __ok) "
            "GROUP BY k ORDER BY min(__rn), k"
        ).fetchall()
    except duckdb.Error as exc:
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{source.name}: cannot be read as JSON Lines: {first}") from None
    columns = [k[0] for k in keys]
    fields = ", ".join(
        f"CASE WHEN __ok THEN json_extract_string(__text, {lit(_json_path(c))}) END AS {ident(c)}" for c in columns
    )
    select = (
        f"SELECT __rn, __text, CASE WHEN __ok THEN NULL ELSE 'broken line: not a JSON object' END AS __broken"
        f"{', ' + fields if fields else ''} FROM {numbered} WHERE __text IS NOT NULL AND trim(__text) <> ''"
    )
    return SourceView(source, select, columns, dict.fromkeys(columns, "VARCHAR"), "__text")


def _json_path(key: str) -> str:
    """A JSON path selecting one top-level key, whatever characters it holds."""
    return '$."' + key.replace('"', '\\"') + '"'


def _parquet(con: duckdb.DuckDBPyConnection, source: Source) -> SourceView:
    scan = f"read_parquet({lit(str(source.path))}, file_row_number = true)"
    described = [(n, t) for n, t in _describe(con, f"SELECT * FROM {scan}", source) if n != "file_row_number"]
    columns = [n for n, _ in described]
    select = f"SELECT file_row_number + 1 AS __rn, * EXCLUDE (file_row_number) FROM {scan}"
    raw = "to_json(struct_pack(" + ", ".join(f"{ident(c)} := {ident(c)}" for c in columns) + "))::VARCHAR"
    return SourceView(source, select, columns, dict(described), raw)


def open_source(con: duckdb.DuckDBPyConnection, source: Source, k: int, encoding: str = "utf-8") -> SourceView:
    """The relation for file number `k` of a load."""
    if source.fmt in ("csv", "tsv"):
        return _csv(con, source, k, encoding)
    if source.fmt == "jsonl":
        return _jsonl(con, source)
    return _parquet(con, source)
