"""The events every finding starts from: in scope, mapped onto the map's touchpoints, with a segment.

Raw touchpoint names are mapped once per distinct name (a few dozen), in Python with the map's globs;
the mapping is then joined to the events inside the engine, so no Python touches an event.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from cxmap.errors import NotFound, UsageError, unknown
from cxmap.ids import slugify
from cxmap.model.map import Map
from cxmap.settings import Settings

PERIODS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
# The event's own columns a split may use; one of them wins over an account or contact column of the same
# name (`account_id`: the account on the event, not the contacts file's).
EVENT_SEGMENTS = (
    "channel",
    "department",
    "account_id",
    "customer_id",
    "touchpoint",
    "raw_touchpoint",
    "emotion_source",
)
SAFE_ATTRIBUTE = re.compile(r"^[\w .-]{1,100}$")  # attribute names become a JSON path in the engine
MICROSECONDS = {"hour": 3_600_000_000, "day": 86_400_000_000}


@dataclass(frozen=True)
class Scope:
    """Which events an analysis looks at, and how it splits them."""

    since: date | None = None
    until: date | None = None
    segment: str | None = None
    period: str | None = None
    only: tuple[str, str] | None = None  # (segment column, value): only the events that have that value


@dataclass
class Touchpoint:
    id: str
    name: str
    on_map: bool
    raw_names: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """Events in scope with columns: customer_id, account_id, ts, load_id, row, raw_touchpoint, touchpoint,
    channel, department, emotion, emotion_source, comment, is_recovery, segment, period."""

    events: ir.Table
    touchpoints: dict[str, Touchpoint]
    map: Map | None
    settings: Settings
    scope: Scope

    def name(self, touchpoint_id: str) -> str:
        tp = self.touchpoints.get(touchpoint_id)
        return tp.name if tp else touchpoint_id


def _matches(raw: str, globs: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(raw.lower(), g.lower()) for g in globs)


def map_touchpoints(raw_names: list[str], the_map: Map | None, recovery_globs: list[str]) -> list[dict[str, Any]]:
    """One row per raw name: its touchpoint id and name (map first, first matching glob wins), recovery flag."""
    rows = []
    for raw in sorted(raw_names):
        hit = None
        if the_map is not None:
            hit = next((t for t in the_map.touchpoints if _matches(raw, [*t.matches, t.name, t.id])), None)
        rows.append(
            {
                "raw_touchpoint": raw,
                "touchpoint": hit.id if hit else slugify(raw, "touchpoint"),
                "touchpoint_name": hit.name if hit else raw,
                "on_map": hit is not None,
                "is_recovery": bool(hit and hit.recovery) or _matches(raw, recovery_globs),
            }
        )
    return rows


def elapsed_microseconds(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.IntegerValue:
    """The time from `earlier` to `later` in whole microseconds (the store's resolution), exact on every engine.

    Not a difference of `epoch_seconds()`: DuckDB keeps the fraction of a second there and Spark drops it,
    so half a second would make an event late on one engine and on time on the other.
    """
    return later.delta(earlier, unit="microsecond")


def count_where(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """The number of rows where `condition` holds, as an integer on every engine."""
    return condition.ifelse(1, 0).sum()


def _instant(day: date, zone: str, end: bool) -> datetime:
    """Start (or end, exclusive) of a calendar day in the workspace's zone, as naive UTC."""
    local = datetime.combine(day + timedelta(days=1) if end else day, time(0), ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def prepare(con: Any, the_map: Map | None, settings: Settings, scope: Scope = Scope()) -> Prepared:
    """The analysed events as one Ibis table (nothing is computed until a finding executes it)."""
    events = con.table("events")
    zone = settings.timezone
    if scope.since:
        events = events.filter(events.timestamp >= _instant(scope.since, zone, end=False))
    if scope.until:
        events = events.filter(events.timestamp < _instant(scope.until, zone, end=True))
    raw_names = [str(r) for r in events.select("touchpoint").distinct().to_pyarrow().column(0).to_pylist()]
    if not raw_names:
        raise NotFound(
            "no events to analyse"
            + (" in the chosen period" if scope.since or scope.until else "; load some with `cxmap ingest`")
        )
    mapping_rows = map_touchpoints(raw_names, the_map, settings.recovery.touchpoints)
    # A CASE over the few distinct raw names: cheaper than a join, and the same on every engine.
    ids = {r["raw_touchpoint"]: r["touchpoint"] for r in mapping_rows}
    recovery = [r["raw_touchpoint"] for r in mapping_rows if r["is_recovery"]]
    table = events.select(
        customer_id=events.customer_id,
        account_id=events.account_id,
        ts=events.timestamp,
        load_id=events.load_id,
        row=events.row,
        raw_touchpoint=events.touchpoint,
        touchpoint=events.touchpoint.substitute(ids),
        channel=events.channel,
        department=events.department,
        emotion=events.emotion,
        emotion_source=events.emotion_source,
        comment=events.comment,
        is_recovery=events.touchpoint.isin(recovery) if recovery else ibis.literal(False),
        attributes=events.attributes.cast("json"),  # text on engines without a JSON type
    )
    if scope.only is not None:
        by, value = scope.only
        tagged = _with_segment(con, table, by)
        table = tagged.filter(tagged.segment == value).drop("segment")
    table = _with_segment(con, table, scope.segment)
    table = table.mutate(period=_period(table, scope.period))
    touchpoints: dict[str, Touchpoint] = {}
    for row in mapping_rows:
        tp = touchpoints.setdefault(
            row["touchpoint"], Touchpoint(row["touchpoint"], row["touchpoint_name"], row["on_map"])
        )
        tp.raw_names.append(row["raw_touchpoint"])
    if the_map is not None:  # map touchpoints keep their map names and order, measured or not
        ordered = {t.id: touchpoints.get(t.id, Touchpoint(t.id, t.name, True)) for t in the_map.touchpoints}
        touchpoints = {**ordered, **{k: v for k, v in touchpoints.items() if k not in ordered}}
    return Prepared(table, touchpoints, the_map, settings, scope)


def _with_segment(con: Any, table: ir.Table, name: str | None) -> ir.Table:
    """Add `segment`: an event column, an account or contact column, or an event attribute."""
    if name is None:
        return table.mutate(segment=ibis.literal("all"))
    if name in EVENT_SEGMENTS:
        return table.mutate(segment=table[name].cast("string").fill_null("(none)"))
    for source, key in (("accounts", "account_id"), ("contacts", "customer_id")):
        other = con.table(source)
        if name in other.columns and name != key:
            lookup = other.select(_key=other[key], _segment=other[name].cast("string"))
            joined = table.left_join(lookup, table[key] == lookup._key)
            return joined.mutate(segment=joined._segment.fill_null("(none)")).drop("_key", "_segment")
    if not SAFE_ATTRIBUTE.match(name):
        raise UsageError(
            f"'{name}' is not a column name cxmap can look up (letters, digits, space, _ - .)", field="segment"
        )
    value = table.attributes[name].str
    if not table.filter(value.notnull()).count().execute():
        raise UsageError(
            f"'{name}' is not an event column ({', '.join(EVENT_SEGMENTS)}), an account or contact "
            "column, or an attribute of the events",
            field="segment",
        )
    return table.mutate(segment=value.fill_null("(none)"))


def _period(table: ir.Table, period: str | None) -> ir.Value:
    if period is None:
        return ibis.literal("all")
    if period not in PERIODS:
        raise unknown("period", period, PERIODS)
    return table.ts.truncate(PERIODS[period]).date().cast("string")
