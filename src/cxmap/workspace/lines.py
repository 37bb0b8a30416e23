"""Quarantine rows with the line number a person finds them at in the file.

DuckDB numbers the records it reads but does not say on which line each one starts. A record's line is
1 (the header) + its record number + the line breaks inside earlier records' quoted values + the broken
lines before it (which the CSV reader set aside with their own line numbers). This is worked out only
for files that have quarantined rows, with one more scan of such a file.
"""

from __future__ import annotations

import duckdb

from cxmap.workspace.read import SourceView
from cxmap.workspace.sql import ident, lit

BROKEN_REASON = """CASE
    WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') THEN
        'broken line: expected ' || regexp_extract(error_message, 'Columns: (\\d+)', 1) || ' columns, found '
        || regexp_extract(error_message, 'Found: (\\d+)', 1)
    WHEN error_type = 'UNQUOTED VALUE' THEN 'broken line: a quoted value is not closed properly'
    ELSE 'broken line: ' || lower(error_type)
END"""


def _csv_lines(view: SourceView, k: int) -> str:
    """SQL giving (__rn, line) for the quarantined records of CSV file `k`."""
    text = "concat_ws('', " + ", ".join(f"coalesce({ident(c)}, '')" for c in view.columns) + ")"
    breaks = f"length({text}) - length(replace({text}, chr(10), ''))"
    rejects = (
        f"(SELECT line - (row_number() OVER (ORDER BY line) - 1) AS t FROM "
        f"(SELECT DISTINCT line FROM {view.rejects}))"
    )
    return f"""
    WITH counted AS (
        SELECT __rn, coalesce(sum({breaks}) OVER (ORDER BY __rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            AS before FROM ({view.rescan})
    ), wanted AS (
        SELECT c.__rn, 1 + c.__rn + c.before AS plain FROM counted c
        JOIN staged s ON s.__file = {k} AND s.__rn = c.__rn AND s.__reason IS NOT NULL
    )
    SELECT __rn, plain + (SELECT count(*) FROM {rejects} r WHERE r.t <= plain) AS line FROM wanted"""


def quarantine_lines(con: duckdb.DuckDBPyConnection, view: SourceView, k: int, load_id: int) -> int:
    """Move file `k`'s unusable rows into the quarantine table; returns how many."""
    file = lit(view.source.name)
    count = 0
    if view.rejects is not None:
        row = con.execute(f"SELECT count(DISTINCT line) FROM {view.rejects}").fetchone()
        count += int(row[0]) if row else 0
        _insert_new(con, f"""SELECT DISTINCT ON (line) {load_id} AS load_id, {file} AS file, line,
            {BROKEN_REASON} AS reason, csv_line AS raw FROM {view.rejects} ORDER BY line""")
    bad = con.execute(f"SELECT count(*) FROM staged WHERE __file = {k} AND __reason IS NOT NULL").fetchone()
    if not bad or not bad[0]:
        return count
    if view.rejects is not None:
        lines = _csv_lines(view, k)
    else:
        lines = f"SELECT __rn, __rn AS line FROM staged WHERE __file = {k} AND __reason IS NOT NULL"
    _insert_new(con, f"""SELECT {load_id} AS load_id, {file} AS file, l.line, s.__reason AS reason,
        left(s.__raw, 4000) AS raw FROM staged s JOIN ({lines}) l ON l.__rn = s.__rn
        WHERE s.__file = {k} AND s.__reason IS NOT NULL""")
    return count + int(bad[0])


def _insert_new(con: duckdb.DuckDBPyConnection, rows: str) -> None:
    """Quarantine rows not already there from an earlier load of the same file (re-loading adds none)."""
    con.execute(
        f"""INSERT INTO quarantine SELECT * FROM ({rows}) n WHERE NOT EXISTS (
            SELECT 1 FROM quarantine q WHERE q.file = n.file AND q.line IS NOT DISTINCT FROM n.line
            AND q.reason = n.reason AND q.raw IS NOT DISTINCT FROM n.raw)"""
    )
