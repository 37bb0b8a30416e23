"""What every account answer starts from: the moment it is "as of", the events up to it, who belongs where.

`--as-of DATE` is the end of that day in the workspace's time zone; without it, the latest event in the
workspace. Windows are elapsed time (DECISIONS.md): "the last 90 days" is as_of - 90 days < t <= as_of.
`resolve_as_of` is the one place the moment is worked out; every command, page and API answer shows it
from the `AsOf` it returns (`day`, or `iso()`), never from the UTC instant, whose date can be the day before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.errors import CxmapError
from cxmap.model.map import Map
from cxmap.settings import Settings


@dataclass(frozen=True)
class AsOf:
    instant: datetime  # naive UTC: events at or before it count
    day: date  # the calendar date of `instant` in the workspace's zone: the date every face shows
    zone: str  # the workspace's time zone (IANA name)

    def days_ago(self, days: int) -> datetime:
        return self.instant - timedelta(days=days)

    def iso(self) -> str:
        """The instant in the workspace's zone with its offset (the JSON `as_of` and `X-Cxmap-As-Of`): exact,
        and its date is `day`, so no reader of the answer can take the UTC date for the as-of day."""
        return self.instant.replace(tzinfo=UTC).astimezone(ZoneInfo(self.zone)).isoformat()


def resolve_as_of(con: Any, settings: Settings, as_of: date | AsOf | None) -> AsOf:
    """The moment answers are given for. An `AsOf` already resolved (once per request) is kept as it is, so
    every part of a request answers as of the same moment even if a load commits meanwhile."""
    if isinstance(as_of, AsOf):
        return as_of
    zone = ZoneInfo(settings.timezone)
    if as_of is not None:
        end = datetime.combine(as_of + timedelta(days=1), time(), zone)
        instant = end.astimezone(UTC).replace(tzinfo=None) - timedelta(microseconds=1)
    else:
        latest = con.table("events").timestamp.max().execute()
        if latest is None or (isinstance(latest, float)):
            raise CxmapError("the workspace has no events yet; load some with `cxmap ingest`")
        latest = latest.to_pydatetime() if hasattr(latest, "to_pydatetime") else latest
        instant = latest.astimezone(UTC).replace(tzinfo=None) if latest.tzinfo else latest
    day = instant.replace(tzinfo=UTC).astimezone(zone).date()
    return AsOf(instant, day, settings.timezone)


def events_as_of(con: Any, the_map: Map | None, settings: Settings, as_of: AsOf) -> Prepared:
    """Events up to the as-of moment, mapped onto the map's touchpoints (see analytics.prepare). An as-of
    before the first event is an answer from no events (no experience, no alerts, milestones upcoming),
    not an error: the touchpoints are those of the whole store, the events none of them."""
    prepared = prepare(con, the_map, settings, Scope())
    prepared.events = prepared.events.filter(prepared.events.ts <= as_of.instant)
    return prepared


def memberships(con: Any, events: ir.Table) -> ir.Table:
    """customer_id -> account_id, role: the contacts file first, else the account on the customer's events."""
    contacts = con.table("contacts")
    listed = contacts.filter(contacts.account_id.notnull()).select("customer_id", "account_id", role=contacts.role)
    # the account of the customer's last event with one; ties in time go to the later row (DECISIONS.md)
    last = ibis.struct({"ts": events.ts, "load_id": events.load_id, "row": events.row})
    seen = (
        events.filter(events.account_id.notnull())
        .group_by("customer_id")
        .aggregate(account_id=events.account_id.argmax(last))
    )
    unlisted = seen.anti_join(listed, "customer_id").mutate(role=ibis.null())

    def shaped(t: ir.Table) -> ir.Table:
        return t.select(*(t[c].cast("string").name(c) for c in ("customer_id", "account_id", "role")))

    return shaped(listed).union(shaped(unlisted))
