"""Account milestones: the planned engagements of the map, due on the account's calendar.

- An account's **start** is its `started_at` in the accounts file; without one, the local date (workspace
  time zone) of the account's first event. Accounts are those of the accounts file plus those seen only in
  the events (through the contacts file, else the account on the customer's events); one without any
  start (no `started_at`, no event) is left out. An account that starts after the as-of day is listed:
  its milestones are planned, so they are `upcoming`.
- A milestone is **due** on start + `due_days` (a calendar date). Milestones are the account's: a contact
  added later does not move the due date.
- It is **done** at the first event at its touchpoint of any contact of the account, up to the as-of
  moment (events after it do not exist for the answer). Status as of a day: `done` when that event's
  local date is on or before the due date (23:30 on the due day is on time), `late` when after it,
  `overdue` when nothing happened and the due date has passed, `upcoming` when nothing happened and it is
  due today or later (today still counts).

Every account is computed at once in the engine; local dates come from the zone's UTC offsets, written
into the query as a CASE over the few daylight-saving changes in the data's span (portable to any engine).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from cxmap.accounts.base import AsOf, events_as_of, memberships
from cxmap.analytics.prepare import Prepared
from cxmap.errors import unknown
from cxmap.model.map import Map
from cxmap.settings import Settings

STATUSES = ("done", "late", "overdue", "upcoming")
OPEN = ("overdue", "upcoming")  # not happened yet
MILESTONE_SCHEMA = {"milestone": "string", "touchpoint": "string", "due_days": "int64"}

LocalDay = Callable[[Any], Any]  # a naive-UTC timestamp expression -> its local date expression


def zone_offsets(zone: str, lo: datetime, hi: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offset (seconds) in pieces over [lo, hi] (naive UTC): (until, offset), last until None."""
    tz = ZoneInfo(zone)

    def offset(at: datetime) -> int:
        delta = at.replace(tzinfo=UTC).astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    pieces: list[tuple[datetime | None, int]] = []
    day, at, end = timedelta(days=1), lo - timedelta(days=1), hi + timedelta(days=1)
    current = offset(at)
    while at < end:
        if offset(at + day) != current:  # a change within this day: find its second
            low, high = at, at + day
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                low, high = (mid, high) if offset(mid) == current else (low, mid)
            pieces.append((high.replace(microsecond=0), current))
            current = offset(high)
        at += day
    return [*pieces, (None, current)]


def event_span(con: Any, as_of: AsOf) -> tuple[datetime, datetime]:
    """The times whose local day can be asked for: from the first event to the last one that is not after
    the as-of moment (the as-of moment itself with no events). An as-of far in the future costs no more
    than the latest event: no event lies beyond it."""
    events = con.table("events")
    row = events.aggregate(first=events.timestamp.min(), last=events.timestamp.max()).to_pyarrow().to_pylist()[0]
    first, last = (_naive_utc(row[k]) for k in ("first", "last"))
    hi = min(last, as_of.instant) if last is not None else as_of.instant
    return (min(first, hi) if first is not None else hi), hi


def _naive_utc(value: Any) -> datetime | None:
    """A time from the engine as naive UTC (some engines give it with a zone); None when there is none."""
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def local_day_of(con: Any, settings: Settings, as_of: AsOf) -> LocalDay:
    """A function turning a naive-UTC timestamp expression of an event (up to the as-of moment) into its
    calendar date in the workspace's zone."""
    pieces = zone_offsets(settings.timezone, *event_span(con, as_of))

    def local_day(ts: Any) -> Any:
        *changes, (_, last) = pieces
        if not changes:
            return (ts + ibis.interval(seconds=last)).date()
        shifted = ibis.cases(
            *((ts < until, ts + ibis.interval(seconds=off)) for until, off in changes),
            else_=ts + ibis.interval(seconds=last),
        )
        return shifted.date()

    return local_day


def to_accounts(per_customer: ir.Table, members: ir.Table) -> ir.Table:
    """Rows keyed by customer_id, with the account they count for (`account_id`; members: customer_id ->
    account_id). Aggregate per customer before this join: there are far fewer customers than events."""
    own = members.select("customer_id", _account="account_id")
    joined = per_customer.join(own, "customer_id")
    return joined.rename(account_id="_account")


def first_columns(the_map: Map, touchpoints: list[str]) -> dict[str, str]:
    """touchpoint id -> the column of `account_firsts` holding the account's first event there (named by the
    touchpoint's place on the map, so that every caller finds the same column)."""
    place = {t.id: i for i, t in enumerate(the_map.touchpoints)}
    return {tp: f"_at{place[tp]}" for tp in dict.fromkeys(touchpoints)}


def account_firsts(events: ir.Table, members: ir.Table, the_map: Map, touchpoints: list[str]) -> ir.Table:
    """account_id, first_ts (its first event) and, per touchpoint, its first event there (`first_columns`).

    One pass over the events and one join with the members, whatever the number of touchpoints."""
    columns = first_columns(the_map, touchpoints)
    per_customer = events.group_by("customer_id").aggregate(
        first_ts=events.ts.min(), **{c: events.ts.min(where=events.touchpoint == tp) for tp, c in columns.items()}
    )
    mine = to_accounts(per_customer, members)
    return mine.group_by("account_id").aggregate(**{c: mine[c].min() for c in ["first_ts", *columns.values()]})


def account_starts(con: Any, firsts: ir.Table, local_day: LocalDay) -> ir.Table:
    """account_id, start and the columns of `firsts`: every account with a start (see the module docstring)."""
    accounts = con.table("accounts")
    listed = accounts.select(account_id=accounts.account_id.cast("string"), started_at=accounts.started_at)
    ids = listed.select("account_id").union(firsts.select("account_id")).distinct()
    joined = ids.left_join(listed, "account_id").drop("account_id_right")
    joined = joined.left_join(firsts, "account_id").drop("account_id_right")
    start = joined.started_at.cast("date").coalesce(local_day(joined.first_ts))
    out = joined.mutate(start=start).drop("started_at")
    return out.filter(out.account_id.notnull() & out.start.notnull())


def status_of(starts: ir.Table, the_map: Map, local_day: LocalDay, as_of: AsOf) -> ir.Table:
    """One row per account x milestone (see the module docstring), for the accounts in `starts` (which carry
    the `account_firsts` columns of the milestones' touchpoints)."""
    plan = ibis.memtable(
        [{"milestone": m.id, "touchpoint": m.touchpoint, "due_days": m.due_days} for m in the_map.milestones],
        schema=MILESTONE_SCHEMA,
    )
    grid = starts.cross_join(plan)
    columns = first_columns(the_map, [m.touchpoint for m in the_map.milestones])
    done_at = ibis.cases(*((grid.touchpoint == tp, grid[c]) for tp, c in columns.items()))
    grid = grid.mutate(due=(grid.start + grid.due_days.as_interval("D")).cast("date"), done_at=done_at)
    status = ibis.cases(
        (grid.done_at.isnull() & (grid.due < as_of.day), "overdue"),
        (grid.done_at.isnull(), "upcoming"),
        (local_day(grid.done_at) <= grid.due, "done"),
        else_="late",
    )
    return grid.select("account_id", "milestone", "touchpoint", "due", status=status, done_at=grid.done_at)


def milestone_status(
    con: Any,
    the_map: Map,
    settings: Settings,
    as_of: AsOf,
    prepared: Prepared | None = None,
    members: ir.Table | None = None,
) -> ir.Table:
    """account_id, milestone, touchpoint, due (date), status, done_at (naive UTC or null), all accounts.

    `prepared` (events as of) and `members` (`memberships`) may be passed when the caller has them."""
    prepared = prepared or events_as_of(con, the_map, settings, as_of)
    local_day = local_day_of(con, settings, as_of)
    events = prepared.events
    members = members if members is not None else memberships(con, events)
    firsts = account_firsts(events, members, the_map, [m.touchpoint for m in the_map.milestones])
    return status_of(account_starts(con, firsts, local_day), the_map, local_day, as_of)


def milestones(
    con: Any,
    the_map: Map,
    settings: Settings,
    as_of: AsOf,
    status: str | None = None,
    prepared: Prepared | None = None,
    members: ir.Table | None = None,
) -> list[dict[str, Any]]:
    """The `milestones` answer: `{"account_id","milestone","touchpoint","due","status","done_at"}` rows,
    by due date, account and milestone; only those with `status` when given."""
    if status is not None and status not in STATUSES:
        raise unknown("status", status, STATUSES)
    if not the_map.milestones:
        return []
    table = milestone_status(con, the_map, settings, as_of, prepared, members)
    if status is not None:
        table = table.filter(table.status == status)
    rows = table.order_by("due", "account_id", "milestone").to_pyarrow().to_pylist()
    return [
        {
            "account_id": r["account_id"],
            "milestone": r["milestone"],
            "touchpoint": r["touchpoint"],
            "due": r["due"].isoformat(),
            "status": r["status"],
            "done_at": r["done_at"].isoformat() if r["done_at"] is not None else None,
        }
        for r in rows
    ]
