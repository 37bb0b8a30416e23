"""The outcome of each customer (renewed? recommended? bought again?), the yardstick of hot spots.

The outcome is per customer: did they have an outcome event in the analysed period. With a negative
outcome too (`--outcome-negative churn`), customers with neither are undecided and left out of rates.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import Prepared
from cxmap.errors import CxmapError
from cxmap.ids import slugify


def resolve_touchpoint(prepared: Prepared, name: str, what: str = "--outcome") -> str:
    """A touchpoint id from an id, a raw name or a map name (any case)."""
    wanted = name.strip().lower()
    for tp in prepared.touchpoints.values():
        names = [tp.id, tp.name, *tp.raw_names]
        if wanted in (n.lower() for n in names) or slugify(name) == tp.id:
            return tp.id
    known = ", ".join(sorted(prepared.touchpoints))
    raise CxmapError(f"{what}: no touchpoint '{name}' in the data or the map; touchpoints: {known}")


def customer_outcomes(prepared: Prepared, outcome: str, negative: str | None = None) -> ir.Table:
    """One row per customer: `outcome` (1/0), `outcome_at` (first outcome event) and `decided`."""
    e = prepared.events
    hit = (e.touchpoint == outcome).ifelse(1, 0)
    miss = (e.touchpoint == (negative or "")).ifelse(1, 0)
    per = e.group_by("customer_id").aggregate(
        outcome=hit.max(),
        negative=miss.max(),
        outcome_at=(e.touchpoint == outcome).ifelse(e.ts, ibis.null()).min(),
    )
    decided = ((per.outcome == 1) | (per.negative == 1)) if negative else ibis.literal(True)
    return per.mutate(decided=decided).drop("negative")


def account_starts(con: Any, prepared: Prepared) -> ir.Table | None:
    """Each customer's journey start for milestones: their account's `started_at` (the account's, never the
    contact's own: DECISIONS.md), as the start of that day in UTC; None when no account has a start date."""
    accounts = con.table("accounts")
    if not accounts.filter(accounts.started_at.notnull()).count().execute():
        return None
    e = prepared.events
    per = e.filter(e.account_id.notnull()).group_by("customer_id").aggregate(account_id=e.account_id.min())
    joined = per.join(accounts.select("account_id", "started_at"), "account_id")
    return joined.filter(joined.started_at.notnull()).select(
        customer_id=joined.customer_id, start=joined.started_at.cast("timestamp")
    )
