"""SQL that turns one file's columns into canonical rows, with the reason a row cannot be used.

Built as text over quoted identifiers and run by DuckDB in one pass over the file; no row passes through
Python. Each kind yields the same shape: canonical columns, `__reason` (NULL when usable), `__raw`.

The expressions are chosen for speed as well as meaning, since they run on every row: a typed column (a
Parquet timestamp or number) is used as it is and tested for NULL, never cast to text for a check (its text
is made only for the message of a row that goes to the quarantine), and a time goes through the time zone
library at most once (not at all for a naive timestamp in a UTC workspace).
"""

from __future__ import annotations

from cxmap.workspace.scales import Scale, nps_class_sql
from cxmap.workspace.sql import ident, lit

NAIVE = ("TIMESTAMP", "DATE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
ZONED = "TIMESTAMP WITH TIME ZONE"
TEMPORAL = (*NAIVE, ZONED)
TEXT = ("VARCHAR", "BLOB", "JSON")
ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"


class Columns:
    """Expressions for canonical columns over one file's columns, as resolved for it.

    `zone` is the workspace's time zone, which is also the session's: naive times are read in it.
    """

    def __init__(self, resolved: dict[str, str], types: dict[str, str], sources: list[str], zone: str = "UTC") -> None:
        self.resolved = resolved
        self.types = types
        self.others = [c for c in sources if c not in set(resolved.values())]
        self.zone = zone

    def col(self, name: str) -> str:
        return ident(self.resolved[name]) if name in self.resolved else "NULL"

    def text(self, name: str) -> str:
        return f"nullif(trim(CAST({self.col(name)} AS VARCHAR)), '')"

    def typed(self, name: str) -> str:
        return self.types.get(self.resolved.get(name, ""), "VARCHAR").upper()

    def temporal(self, name: str) -> bool:
        return self.typed(name) in TEMPORAL

    def numeric(self, name: str) -> bool:
        return self.typed(name) not in TEXT

    def value(self, name: str, native: bool) -> str:
        """The column as it is when `native` (tested for NULL only), else its trimmed text (NULL when blank)."""
        return self.col(name) if native else self.text(name)

    def instant(self, name: str, value: str, fmt: str | None) -> str:
        """`value` (from `self.value`) as a TIMESTAMPTZ; naive values are read in the session's time zone."""
        if self.temporal(name):
            return f"CAST({value} AS TIMESTAMPTZ)"
        if fmt:
            return f"CAST(try_strptime({value}, {lit(fmt)}) AS TIMESTAMPTZ)"
        return f"TRY_CAST({value} AS TIMESTAMPTZ)"

    def utc_direct(self, name: str) -> bool:
        """A naive typed time in a UTC workspace is already UTC: no time zone library at all."""
        return self.typed(name) in NAIVE and self.zone == "UTC"

    def number(self, value: str) -> str:
        return f"TRY_CAST({value} AS DOUBLE)"

    def attributes(self) -> str:
        """Every other non-empty column as a JSON object of text values (NULL when there are none)."""
        if not self.others:
            return "NULL::JSON"
        pairs = ", ".join(f"struct_pack(k := {lit(c)}, v := CAST({ident(c)} AS VARCHAR))" for c in self.others)
        kept = f"list_filter([{pairs}], p -> p.v IS NOT NULL AND p.v <> '')"
        return f"CASE WHEN len({kept}) > 0 THEN to_json(map_from_entries({kept})) END"


def naive_utc(instant: str) -> str:
    """A TIMESTAMPTZ column as the naive UTC TIMESTAMP it holds, without the time zone library.

    The engine keeps a TIMESTAMPTZ as microseconds since the epoch in UTC, so reading them back as a
    TIMESTAMP is exact; only the infinities, which have no epoch, go through `AT TIME ZONE` (same result).
    """
    return (
        f"CASE WHEN isfinite({instant}) THEN make_timestamp(epoch_us({instant})) ELSE {instant} AT TIME ZONE 'UTC' END"
    )


def _shown(expr: str) -> str:
    return f"left(CAST({expr} AS VARCHAR), 60)"


def events_sql(
    view_select: str,
    cols: Columns,
    scale: Scale,
    raw: str,
    fmt: str | None,
    broken: bool,
    instant_column: str | None = None,
) -> str:
    """Canonical events for one file; `__reason` says why a row goes to the quarantine.

    `instant_column`: a column of `view_select` that already holds the timestamp column as an instant (the same
    expression as `cols.instant`), worked out once when the file was copied.

    Four levels, each a projection the engine fuses into one pass: trimmed texts and typed values, the
    instant, the reason, the canonical row (with the event id of DECISIONS.md).
    """
    c = cols
    ts_native, score_native = c.temporal("timestamp"), c.numeric("score")
    utc = "CAST(x_ts AS TIMESTAMP)" if c.utc_direct("timestamp") else naive_utc("x_instant")
    instant = "NULL" if c.utc_direct("timestamp") else instant_column or c.instant("timestamp", "x_ts", fmt)
    inner = f"""
        SELECT __rn, {"__broken" if broken else "NULL"} AS __broken,
            {c.text("event_id")} AS x_event_id, {c.text("customer_id")} AS x_customer_id,
            {c.text("account_id")} AS x_account_id, {c.text("touchpoint")} AS x_touchpoint,
            {c.text("channel")} AS x_channel, {c.text("department")} AS x_department,
            {c.text("comment")} AS x_comment, {c.value("timestamp", ts_native)} AS x_ts,
            {c.value("score", score_native)} AS x_score_value, {c.attributes()} AS x_attributes,
            * EXCLUDE ({_passed(broken)})
        FROM ({view_select})"""
    parsed = f"SELECT {instant} AS x_instant, {c.number('x_score_value')} AS x_score, * FROM ({inner})"
    reason = f"""CASE
            WHEN __broken IS NOT NULL THEN __broken
            WHEN x_customer_id IS NULL THEN 'no customer_id'
            WHEN x_touchpoint IS NULL THEN 'no touchpoint'
            WHEN x_ts IS NULL THEN 'no timestamp'
            WHEN x_utc IS NULL THEN 'timestamp ''' || {_shown("x_ts")} || ''' is not a date or time'
            WHEN x_score_value IS NOT NULL AND x_score IS NULL
                THEN 'score ''' || {_shown("x_score_value")} || ''' is not a number'
            WHEN x_score < {scale.low} OR x_score > {scale.high} OR isnan(x_score)
                THEN 'score ' || {_shown("x_score_value")} || ' is outside the {scale.name} scale'
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
        x_score + 0.0 AS score, CASE WHEN x_score IS NOT NULL THEN {lit(scale.name)} END AS scale,
        ({scale.emotion_sql("x_score")}) + 0.0 AS score_emotion,  -- + 0.0: a source's -0 is stored (and shown) as 0
        {nps_class_sql("x_score") if scale.name == "nps" else "NULL"} AS nps_class,
        x_comment AS comment,
        CASE WHEN x_score IS NULL AND x_comment IS NOT NULL THEN md5(x_comment) END AS comment_hash,
        x_attributes AS attributes
    FROM (SELECT {reason} AS __reason, * FROM (SELECT {utc} AS x_utc, * FROM ({parsed})))"""


def _date(cols: Columns, name: str, value: str) -> str:
    """`value` (from `cols.value`) as a calendar date in the workspace's time zone (the session zone)."""
    if cols.typed(name) == "DATE":
        return value
    return f"CAST({cols.instant(name, value, None)} AS DATE)"


def dimension_sql(view_select: str, cols: Columns, kind: str, raw: str, broken: bool) -> str:
    """Canonical accounts or contacts for one file."""
    c = cols
    key, when = ("account_id", "started_at") if kind == "accounts" else ("customer_id", "added_at")
    names = ["name", "segment", "owner"] if kind == "accounts" else ["account_id", "role", "name"]
    inner = f"""
        SELECT __rn, {"__broken" if broken else "NULL"} AS __broken, {c.text(key)} AS x_{key},
            {c.value(when, c.temporal(when))} AS x_when_value,
            {", ".join(f"{c.text(n)} AS x_{n}" for n in names)},
            {c.attributes()} AS x_attributes, * EXCLUDE ({_passed(broken)})
        FROM ({view_select})"""
    reason = f"""CASE
            WHEN __broken IS NOT NULL THEN __broken
            WHEN x_{key} IS NULL THEN 'no {key}'
            WHEN x_when_value IS NOT NULL AND x_{when} IS NULL
                THEN '{when} ''' || {_shown("x_when_value")} || ''' is not a date'
        END"""
    parsed = f"SELECT {_date(c, when, 'x_when_value')} AS x_{when}, * FROM ({inner})"
    return f"""
    SELECT __rn, __reason, CASE WHEN __reason IS NOT NULL THEN {raw} END AS __raw,
        {", ".join(f"x_{n} AS {n}" for n in [key, when, *names, "attributes"])}
    FROM (SELECT {reason} AS __reason, * FROM ({parsed}))"""


def _passed(broken: bool) -> str:
    """Bookkeeping columns of the view that the canonical SELECT already carries."""
    return "__rn, __broken" if broken else "__rn"
