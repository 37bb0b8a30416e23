"""Ideal-map progress: where an account (or a customer) is on the map, and the next planned engagement.

- A step is **done** when any of its touchpoints happened up to the as-of moment: for an account, at any
  of its contacts; for a customer, their own events. `last_step` is the done step latest in map order
  (customers skip steps, so it is where they got to, not a proof of every step before it).
- `next_step` is the map step right after `last_step` (the first step when none is done); null at the end.
- `next` is the earliest milestone (by due date, then id) that has not happened yet, `overdue` or
  `upcoming` (see accounts.milestones); null when every milestone happened. Milestones are the account's:
  a customer of an account gets the account's; a customer without one is their own account, started on
  their contacts-file `added_at`, else on the local date of their first event.

Both come from one pass over the events (`account_firsts`: each account's first event per touchpoint).
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.accounts.base import AsOf, events_as_of, memberships
from cxmap.accounts.milestones import (
    OPEN,
    LocalDay,
    account_firsts,
    account_starts,
    first_columns,
    local_day_of,
    status_of,
)
from cxmap.analytics.prepare import Prepared
from cxmap.errors import NotFound, UsageError
from cxmap.model.map import Map
from cxmap.settings import Settings

MEMBERS = {"customer_id": "string", "account_id": "string"}


def _tracked(the_map: Map) -> list[str]:
    """Every touchpoint progress looks at: the steps' and the milestones'."""
    return [*(tp for s in the_map.steps for tp in s.touchpoints), *(m.touchpoint for m in the_map.milestones)]


def _next_milestone(statuses: ir.Table) -> dict[str, Any] | None:
    rows = statuses.filter(statuses.status.isin(OPEN)).order_by("due", "milestone").limit(1).to_pyarrow().to_pylist()
    if not rows:
        return None
    return {k: rows[0][k] for k in ("milestone", "touchpoint", "status")} | {"due": rows[0]["due"].isoformat()}


def _scope(con: Any, e: ir.Table, account_id: str | None, customer_id: str | None) -> tuple[str, ir.Table, bool]:
    """(the unit whose milestones count, its members: customer_id -> unit, whether it is an account)."""
    everyone = memberships(con, e).select("customer_id", "account_id")
    if customer_id is not None:
        found = everyone.filter(everyone.customer_id == customer_id).account_id.to_pyarrow().to_pylist()
        if found:
            account_id = found[0]
        else:
            contacts = con.table("contacts")
            known = contacts.filter(contacts.customer_id == customer_id).count().execute()
            if not known and not e.filter(e.customer_id == customer_id).count().execute():
                raise NotFound(f"no customer '{customer_id}' in the workspace (not in the contacts file or the events)")
            alone = ibis.memtable([{"customer_id": customer_id, "account_id": customer_id}], schema=MEMBERS)
            return customer_id, alone, False
    rows = everyone.filter(everyone.account_id == account_id).to_pyarrow().to_pylist()  # a few contacts
    accounts = con.table("accounts")
    if not rows and not accounts.filter(accounts.account_id == account_id).count().execute():
        raise NotFound(f"no account '{account_id}' in the workspace (not in the accounts file or the events)")
    return str(account_id), ibis.memtable(rows, schema=MEMBERS), True


def _own_starts(con: Any, firsts: ir.Table, customer_id: str, local_day: LocalDay) -> ir.Table:
    """A customer on their own starts on their contacts-file `added_at`, else on their first local day."""
    contacts = con.table("contacts")
    added = contacts.filter(contacts.customer_id == customer_id).added_at.max()
    return firsts.mutate(start=added.as_scalar().cast("date").coalesce(local_day(firsts.first_ts)))


def map_progress(
    con: Any,
    the_map: Map,
    settings: Settings,
    as_of: AsOf,
    account_id: str | None = None,
    customer_id: str | None = None,
) -> dict[str, Any]:
    """`{"account_id","customer_id","last_step","steps_done","next","next_step"}` for one account or customer."""
    if (account_id is None) == (customer_id is None):
        raise UsageError("give one account or one customer (exactly one of the two)")
    prepared = events_as_of(con, the_map, settings, as_of)
    local_day = local_day_of(con, settings, as_of)
    e = prepared.events
    unit, members, is_account = _scope(con, e, account_id, customer_id)
    tracked = _tracked(the_map)
    ids = members.customer_id.to_pyarrow().to_pylist()
    firsts = account_firsts(e.filter(e.customer_id.isin(ids)), members, the_map, tracked)
    if is_account:
        starts = account_starts(con, firsts, local_day)
        starts = starts.filter(starts.account_id == unit)
    else:
        starts = _own_starts(con, firsts, unit, local_day)
    mine = firsts
    if customer_id is not None and is_account:  # a contact's steps are their own, the milestones the account's
        me = members.filter(members.customer_id == customer_id)
        mine = account_firsts(e.filter(e.customer_id == customer_id), me, the_map, tracked)
    row: dict[str, Any] = next(iter(mine.to_pyarrow().to_pylist()), {})
    columns = first_columns(the_map, tracked)
    steps = the_map.steps
    done = [s for s in steps if any(row.get(columns[tp]) for tp in s.touchpoints)]
    last = done[-1] if done else None
    after = steps.index(last) + 1 if last else 0
    following = steps[after] if after < len(steps) else None
    return {
        "account_id": unit if is_account else None,
        "customer_id": customer_id,
        "last_step": last.id if last else None,
        "steps_done": [s.id for s in done],
        "next": _next_milestone(status_of(starts, the_map, local_day, as_of)) if the_map.milestones else None,
        "next_step": {"id": following.id, "action": following.action} if following else None,
    }


def progress_table(
    con: Any,
    the_map: Map,
    settings: Settings,
    as_of: AsOf,
    prepared: Prepared | None = None,
    members: ir.Table | None = None,
) -> ir.Table:
    """Every account at once: account_id, last_step, steps_done (count), next_milestone, next_due, next_status."""
    prepared = prepared or events_as_of(con, the_map, settings, as_of)
    local_day = local_day_of(con, settings, as_of)
    events = prepared.events
    members = members if members is not None else memberships(con, events)
    tracked = _tracked(the_map)
    starts = account_starts(con, account_firsts(events, members, the_map, tracked), local_day)
    columns = first_columns(the_map, tracked)
    reached = [
        reduce(lambda a, b: a | b, (starts[columns[tp]].notnull() for tp in s.touchpoints), ibis.literal(False))
        for s in the_map.steps
    ]
    last = ibis.cases(*((r, s.id) for r, s in reversed(list(zip(reached, the_map.steps, strict=True)))))
    done = reduce(lambda a, b: a + b, (r.cast("int64") for r in reached), ibis.literal(0, "int64"))
    out = starts.select("account_id", last_step=last, steps_done=done)
    if not the_map.milestones:
        nothing = {"next_milestone": ibis.null("string"), "next_due": ibis.null("date")}
        return out.mutate(**nothing, next_status=ibis.null("string"))
    statuses = status_of(starts, the_map, local_day, as_of)
    open_ = statuses.filter(statuses.status.isin(OPEN))
    rank = ibis.row_number().over(ibis.window(group_by="account_id", order_by=["due", "milestone"]))
    first = open_.mutate(_r=rank).filter(ibis._._r == 0)
    first = first.select(_account="account_id", next_milestone="milestone", next_due="due", next_status="status")
    return out.left_join(first, out.account_id == first._account).drop("_account")
