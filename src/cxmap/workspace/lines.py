"""Quarantine rows with the line number a person finds them at in the file.

DuckDB numbers records, not lines: the CSV reader reports a broken record at "line" 1 + its record number,
and good records carry only their order. A record's physical line is 1 (the header) + its record number
(counting broken records too) + the line breaks inside earlier records' quoted values. This is worked out
only for files that have quarantined rows, with one more scan of such a file.

The unusable rows come from `side`, the table the load's first pass over its files keeps them in (with
`__file`, the file's number in the load, and `__rn`, the record's number in its file).
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


def _csv_quarantine(view: SourceView, k: int, load_id: int, side: str) -> str:
    """Rows for the quarantine table from CSV file `k`: its broken records and its unusable ones."""
    text = "concat_ws('', " + ", ".join(f"coalesce({ident(c)}, '')" for c in view.columns) + ")"
    breaks = f"length({text}) - length(replace({text}, chr(10), ''))"
    file = lit(view.source.name)
    return f"""
    WITH counted AS (
        SELECT __rn, coalesce(sum({breaks}) OVER (ORDER BY __rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            AS before, {breaks} AS here FROM ({view.select})
    ), broken AS (
        SELECT DISTINCT ON (line) line, line - row_number() OVER (ORDER BY line) AS next_good,
            {BROKEN_REASON} AS reason, csv_line
        FROM {view.rejects} ORDER BY line
    )
    SELECT {load_id}, {file}, 1 + s.__rn + c.before + (SELECT count(*) FROM broken b WHERE b.next_good <= s.__rn),
        s.__reason, left(s.__raw, 4000)
    FROM {side} s JOIN counted c ON c.__rn = s.__rn
    WHERE s.__file = {k} AND s.__reason IS NOT NULL
    UNION ALL
    SELECT {load_id}, {file},
        b.line + coalesce((SELECT sum(here) FROM counted c WHERE c.__rn < b.next_good), 0), b.reason, b.csv_line
    FROM broken b"""


def quarantine_lines(con: duckdb.DuckDBPyConnection, view: SourceView, k: int, load_id: int, side: str) -> int:
    """Move file `k`'s unreadable and unusable rows into the quarantine table; returns how many."""
    bad_row = con.execute(f"SELECT count(*) FROM {side} WHERE __file = {k} AND __reason IS NOT NULL").fetchone()
    bad = int(bad_row[0]) if bad_row else 0
    broken = 0
    if view.rejects is not None:
        row = con.execute(f"SELECT count(DISTINCT line) FROM {view.rejects}").fetchone()
        broken = int(row[0]) if row else 0
    if not bad and not broken:
        return 0
    if view.rejects is not None:
        rows = _csv_quarantine(view, k, load_id, side)
    else:  # JSON Lines number their lines exactly; Parquet has rows, not lines
        rows = (
            f"SELECT {load_id}, {lit(view.source.name)}, __rn, __reason, left(__raw, 4000) FROM {side} "
            f"WHERE __file = {k} AND __reason IS NOT NULL"
        )
    _insert_new(con, rows)
    return bad + broken


def _insert_new(con: duckdb.DuckDBPyConnection, rows: str) -> None:
    """Quarantine rows not already there from an earlier load of the same file (re-loading adds none)."""
    con.execute(
        f"""INSERT INTO quarantine SELECT * FROM ({rows}) n(load_id, file, line, reason, raw) WHERE NOT EXISTS (
            SELECT 1 FROM quarantine q WHERE q.file = n.file AND q.line IS NOT DISTINCT FROM n.line
            AND q.reason = n.reason AND q.raw IS NOT DISTINCT FROM n.raw)"""
    )
