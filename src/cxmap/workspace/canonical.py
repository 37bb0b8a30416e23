"""SQL that turns one file's columns into canonical rows, with the reason a row cannot be used.

Built as text over quoted identifiers and run by DuckDB in one pass over the file; no row passes through
Python. Each kind yields the same shape: canonical columns, `__reason` (NULL when usable), `__raw`.
"""

from __future__ import annotations

from cxmap.workspace.scales import Scale, nps_class_sql
from cxmap.workspace.sql import ident, lit

TEMPORAL = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"


class Columns:
    """Expressions for canonical columns over one file's columns, as resolved for it."""

    def __init__(self, resolved: dict[str, str], types: dict[str, str], sources: list[str]) -> None:
        self.resolved = resolved
        self.types = types
        self.others = [c for c in sources if c not in set(resolved.values())]

    def col(self, name: str) -> str:
        return ident(self.resolved[name]) if name in self.resolved else "NULL"

    def text(self, name: str) -> str:
        return f"nullif(trim(CAST({self.col(name)} AS VARCHAR)), '')"

    def typed(self, name: str) -> str:
        return self.types.get(self.resolved.get(name, ""), "VARCHAR")

    def instant(self, name: str, fmt: str | None) -> str:
        """A TIMESTAMPTZ; naive values are read in the session time zone (the workspace's)."""
        if self.typed(name).upper() in TEMPORAL:
            return f"CAST({self.col(name)} AS TIMESTAMPTZ)"
        text = self.text(name)
        if fmt:
            return f"CAST(try_strptime({text}, {lit(fmt)}) AS TIMESTAMPTZ)"
        return f"TRY_CAST({text} AS TIMESTAMPTZ)"

    def number(self, name: str) -> str:
        if self.typed(name).upper() in ("VARCHAR", "BLOB", "JSON"):
            return f"TRY_CAST({self.text(name)} AS DOUBLE)"
        return f"TRY_CAST({self.col(name)} AS DOUBLE)"

    def attributes(self) -> str:
        """Every other non-empty column as a JSON object of text values (NULL when there are none)."""
        if not self.others:
            return "NULL::JSON"
        pairs = ", ".join(f"struct_pack(k := {lit(c)}, v := CAST({ident(c)} AS VARCHAR))" for c in self.others)
        kept = f"list_filter([{pairs}], p -> p.v IS NOT NULL AND p.v <> '')"
        return f"CASE WHEN len({kept}) > 0 THEN to_json(map_from_entries({kept})) END"


def _shown(expr: str) -> str:
    return f"left({expr}, 60)"


def events_sql(view_select: str, cols: Columns, scale: Scale, raw: str, fmt: str | None, broken: bool) -> str:
    """Canonical events for one file; `__reason` says why a row goes to the quarantine."""
    c = cols
    inner = f"""
        SELECT __rn, {"__broken" if broken else "NULL"} AS __broken,
            {c.text("event_id")} AS x_event_id, {c.text("customer_id")} AS x_customer_id,
            {c.text("account_id")} AS x_account_id, {c.text("touchpoint")} AS x_touchpoint,
            {c.text("channel")} AS x_channel, {c.text("department")} AS x_department,
            {c.text("comment")} AS x_comment, {c.text("timestamp")} AS x_ts_text,
            {c.instant("timestamp", fmt)} AS x_ts, {c.text("score")} AS x_score_text,
            {c.number("score")} AS x_score, {c.attributes()} AS x_attributes, * EXCLUDE ({_passed(broken)})
        FROM ({view_select})"""
    reason = f"""CASE
            WHEN __broken IS NOT NULL THEN __broken
            WHEN x_customer_id IS NULL THEN 'no customer_id'
            WHEN x_touchpoint IS NULL THEN 'no touchpoint'
            WHEN x_ts_text IS NULL THEN 'no timestamp'
            WHEN x_ts IS NULL THEN 'timestamp ''' || {_shown("x_ts_text")} || ''' is not a date or time'
            WHEN x_score_text IS NOT NULL AND x_score IS NULL
                THEN 'score ''' || {_shown("x_score_text")} || ''' is not a number'
            WHEN x_score < {scale.low} OR x_score > {scale.high} OR isnan(x_score)
                THEN 'score ' || {_shown("x_score_text")} || ' is outside the {scale.name} scale'
        END"""
    utc = "(x_ts AT TIME ZONE 'UTC')"
    event_hash = (
        f"left(sha256(concat_ws(chr(31), x_customer_id, strftime({utc}, '{ISO_UTC}'), x_touchpoint, "
        "coalesce(CAST(x_score AS VARCHAR), ''), coalesce(x_comment, ''))), 16)"
    )
    return f"""
    SELECT __rn, __reason,
        CASE WHEN __reason IS NOT NULL THEN {raw} END AS __raw,
        coalesce(x_event_id, {event_hash}) AS event_id,
        x_customer_id AS customer_id, x_account_id AS account_id, {utc} AS "timestamp",
        x_touchpoint AS touchpoint, x_channel AS channel, x_department AS department,
        x_score AS score, CASE WHEN x_score IS NOT NULL THEN {lit(scale.name)} END AS scale,
        {scale.emotion_sql("x_score")} AS score_emotion,
        {nps_class_sql("x_score") if scale.name == "nps" else "NULL"} AS nps_class,
        x_comment AS comment,
        CASE WHEN x_score IS NULL AND x_comment IS NOT NULL THEN md5(x_comment) END AS comment_hash,
        x_attributes AS attributes
    FROM (SELECT {reason} AS __reason, * FROM ({inner}))"""


def _date(cols: Columns, name: str) -> str:
    """A calendar date in the workspace's time zone (the session zone)."""
    if cols.typed(name).upper() == "DATE":
        return cols.col(name)
    return f"CAST({cols.instant(name, None)} AS DATE)"


def dimension_sql(view_select: str, cols: Columns, kind: str, raw: str, broken: bool) -> str:
    """Canonical accounts or contacts for one file."""
    c = cols
    key, when = ("account_id", "started_at") if kind == "accounts" else ("customer_id", "added_at")
    names = ["name", "segment", "owner"] if kind == "accounts" else ["account_id", "role", "name"]
    inner = f"""
        SELECT __rn, {"__broken" if broken else "NULL"} AS __broken, {c.text(key)} AS x_{key},
            {c.text(when)} AS x_when_text, {_date(c, when)} AS x_{when},
            {", ".join(f"{c.text(n)} AS x_{n}" for n in names)},
            {c.attributes()} AS x_attributes, * EXCLUDE ({_passed(broken)})
        FROM ({view_select})"""
    reason = f"""CASE
            WHEN __broken IS NOT NULL THEN __broken
            WHEN x_{key} IS NULL THEN 'no {key}'
            WHEN x_when_text IS NOT NULL AND x_{when} IS NULL
                THEN '{when} ''' || {_shown("x_when_text")} || ''' is not a date'
        END"""
    return f"""
    SELECT __rn, __reason, CASE WHEN __reason IS NOT NULL THEN {raw} END AS __raw,
        {", ".join(f"x_{n} AS {n}" for n in [key, when, *names, "attributes"])}
    FROM (SELECT {reason} AS __reason, * FROM ({inner}))"""


def _passed(broken: bool) -> str:
    """Bookkeeping columns of the view that the canonical SELECT already carries."""
    return "__rn, __broken" if broken else "__rn"
