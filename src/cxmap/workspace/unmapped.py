"""No silent loss: columns of an events file that look like a score or a comment but were kept as attributes.

A file whose CSAT column is called `CSAT (1-5)` loads "successfully" with no score at all, because the
name matches no alias: the column quietly becomes an attribute. The load says so instead (a warning, or
with `strict` an error). A warning holds the column, the role it looks like and the scale its name gives;
each face words the advice in its own terms (the command line's options, the API's parameters). The rule,
also in docs/data.md:

- only for a kind the file has no column for: once a score (or comment) column is mapped or recognised,
  other such columns are legitimately attributes (an event holds one score and one comment, e.g. NPS
  beside CSAT), and `strict` must stay usable on such files;
- score: the name holds one of SCORE_WORDS as a word, and at least 90% of its sampled values are numbers
  (an odd "N/A" does not hide a score column);
- comment: a column whose values are not mostly numbers, and whose name holds one of COMMENT_WORDS as a
  word or whose values are free text (at least half of them have FREE_TEXT_WORDS words or more).

It is decided from the names and the first SAMPLE rows only, counted by one aggregate in the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from cxmap.errors import CxmapError, Face, InvalidValue
from cxmap.workspace.scales import SCALES
from cxmap.workspace.sql import ident

SAMPLE = 500
SCORE_WORDS = frozenset({"score", "scores", "rating", "ratings", "csat", "nps", "ces", "satisfaction"})
COMMENT_WORDS = frozenset(
    {
        "comment",
        "comments",
        "feedback",
        "verbatim",
        "remark",
        "remarks",
        "note",
        "notes",
        "review",
        "message",
        "text",
        "description",
        "reason",
    }
)
FREE_TEXT_WORDS = 4


@dataclass(frozen=True)
class Unmapped:
    """One warning of a load: a column that looks like a `role` (score, comment) but was kept as an attribute;
    `scale` is the scale its name gives, if any."""

    code: str  # unmapped_score | unmapped_comment
    column: str
    role: str
    scale: str | None = None

    def finding(self, face: Face) -> str:
        """What was found, and how this face would load the column."""
        advice = face.column(self.role, self.column)
        text = f"column '{self.column}' looks like a {self.role} but was kept as an attribute"
        scale = f" (and {face.setting('scale', self.scale)})" if self.scale else ""
        return f"{text}; {advice}{scale}" if advice else text

    def say(self, face: Face) -> str:
        return f"{self.finding(face)}, or pass {face.switch('strict')} to refuse such loads"

    def to_json(self, face: Face) -> dict[str, Any]:
        """As `--json` and the API show it."""
        return {"code": self.code, "column": self.column, "message": self.say(face)}


def words(name: str) -> set[str]:
    """The words of a column name, lower case: 'CSAT (1-5)' -> csat, 1, 5; 'npsScore' -> nps, score."""
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)}


def named_scale(name: str) -> str | None:
    """The scale a score column's name gives ('CSAT (1-5)' -> 1-5, 'NPS' -> nps), if any."""
    if "nps" in words(name):
        return "nps"
    for low, high in re.findall(r"(-?\d+)\s*-\s*(\d+)", name):
        if f"{low}-{high}" in SCALES:
            return f"{low}-{high}"
    return None


def unmapped(code: str, column: str) -> Unmapped:
    """The warning for `column`, with the scale its name gives."""
    role = code.removeprefix("unmapped_")
    return Unmapped(code, column, role, named_scale(column) if role == "score" else None)


def find(
    con: duckdb.DuckDBPyConnection, rows: str, columns: list[str], resolved: dict[str, str], where: str
) -> list[Unmapped]:
    """The warnings for events file `where`: `rows` is a relation of its records, `resolved` its mapped columns."""
    wanted = [k for k in ("score", "comment") if k not in resolved]
    taken = set(resolved.values())
    kept = [c for c in columns if c not in taken]
    if "comment" not in wanted:
        kept = [c for c in kept if words(c) & SCORE_WORDS]
    if not wanted or not kept:
        return []
    values = ", ".join(f"nullif(trim(CAST({ident(c)} AS VARCHAR)), '') AS v{i}" for i, c in enumerate(kept))
    counts = ", ".join(
        f"count(v{i}), count(TRY_CAST(v{i} AS DOUBLE)), "
        f"count_if(len(string_split_regex(v{i}, '\\s+')) >= {FREE_TEXT_WORDS})"
        for i in range(len(kept))
    )
    try:
        row = con.execute(f"SELECT {counts} FROM (SELECT {values} FROM {rows} LIMIT {SAMPLE})").fetchone() or ()
    except duckdb.Error as exc:  # the load reads these values too; a failed statement ends the transaction
        first = str(exc).split("\n")[0].split(": ", 1)[-1]
        raise CxmapError(f"{where}: cannot be read: {first}") from None
    found = []
    for i, column in enumerate(kept):
        filled, numbers, wordy = (int(n) for n in row[3 * i : 3 * i + 3])
        numeric = filled > 0 and numbers >= 0.9 * filled
        if "score" in wanted and numeric and words(column) & SCORE_WORDS:
            found.append(unmapped("unmapped_score", column))
        elif "comment" in wanted and filled and not numeric and (words(column) & COMMENT_WORDS or 2 * wordy >= filled):
            found.append(unmapped("unmapped_comment", column))
    return found


def distinct(found: Iterable[Unmapped]) -> list[Unmapped]:
    """One warning per column and kind, in the order found (the files of a load often share their columns)."""
    return list(dict.fromkeys(found))


def refuse(found: list[Unmapped]) -> CxmapError:
    """`strict`: the first warning as one line of error; the others are counted."""
    first = found[0]
    more = [f"'{w.column}'" for w in found[1:]]
    also = f" (also {len(more)} more column{'s' if len(more) > 1 else ''}: {', '.join(more)})" if more else ""
    error = InvalidValue(lambda face: f"{first.finding(face)}; {face.switch('strict')}: nothing was loaded{also}")
    error.code = first.code
    return error
