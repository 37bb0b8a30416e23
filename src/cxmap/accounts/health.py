"""Account health: each contact's current experience, and the account as only as good as its worst contact.

- A contact's **current experience** is the mean emotion of their scored events in the window before the
  as-of moment (`accounts.window_days`, 90: as_of - 90 days < t <= as_of); none without a scored event then.
- An account's experience is, by `accounts.policy`: `worst` (default) the minimum over its contacts'
  current experiences; `mean` their mean; `weighted` their mean weighted by `accounts.role_weights`
  (roles not listed weigh 1). A single-contact account equals its contact. `set_by` is the contact with
  the lowest current experience (ties: the smallest customer id): under `worst`, the one that sets it.
- Contacts without a current experience do not count (they neither help nor hurt the account).

All accounts are computed at once in the engine.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.accounts.alerts import open_alerts
from cxmap.accounts.base import AsOf
from cxmap.analytics.prepare import Prepared

POLICIES = ("worst", "mean", "weighted")


def contact_experience(prepared: Prepared, as_of: AsOf) -> ir.Table:
    """customer_id, experience, scored (events), last_scored_at: over the window before as_of."""
    e = prepared.events
    since = as_of.days_ago(prepared.settings.accounts.window_days)
    recent = e.filter(e.emotion.notnull() & (e.ts > since) & (e.ts <= as_of.instant))
    return recent.group_by("customer_id").aggregate(
        experience=recent.emotion.mean(), scored=recent.count(), last_scored_at=recent.ts.max()
    )


def contacts_with_experience(prepared: Prepared, members: ir.Table, as_of: AsOf) -> ir.Table:
    """Every member (customer_id, account_id, role) with their current experience (or null)."""
    exp = contact_experience(prepared, as_of)
    joined = members.left_join(exp, members.customer_id == exp.customer_id)
    return joined.select(
        customer_id=members.customer_id,
        account_id=members.account_id,
        role=members.role,
        experience=exp.experience,
        scored=exp.scored.fill_null(0),
        last_scored_at=exp.last_scored_at,
    )


def account_health(con: Any, prepared: Prepared, members: ir.Table, as_of: AsOf, policy: str) -> ir.Table:
    """One row per account: name, segment, owner, experience, set_by, contacts, scored_contacts, open_alerts."""
    people = contacts_with_experience(prepared, members, as_of)
    weights = prepared.settings.accounts.role_weights
    table = ibis.memtable([{"_role": k, "_w": float(v)} for k, v in weights.items()] or [{"_role": "", "_w": 1.0}])
    weighted = people.left_join(table, people.role == table._role)
    weighted = weighted.mutate(w=weighted._w.fill_null(1.0)).drop("_role", "_w")
    scored = weighted.filter(weighted.experience.notnull())
    rank = ibis.row_number().over(ibis.window(group_by="account_id", order_by=["experience", "customer_id"]))
    lowest = (
        scored.mutate(r=rank)
        .filter(lambda t: t.r == 0)
        .select("account_id", set_by=ibis._.customer_id, lowest=ibis._.experience)
    )
    rolled = scored.group_by("account_id").aggregate(
        mean=scored.experience.mean(),
        # contacts whose roles all weigh 0: no weighted experience (null; DuckDB would say NaN, Spark fail)
        weighted=(scored.experience * scored.w).sum() / scored.w.sum().nullif(0),
        scored_contacts=scored.count(),
    )
    sizes = people.group_by("account_id").aggregate(contacts=people.count())
    alerts = open_alerts(prepared, members, as_of).group_by("account_id").aggregate(open_alerts=ibis._.count())
    accounts = con.table("accounts").select("account_id", "name", "segment", "owner")
    ids = (
        sizes.select(account_id=sizes.account_id.cast("string"))
        .union(accounts.select(account_id=accounts.account_id.cast("string")))
        .filter(ibis._.account_id.notnull())
        .distinct()
    )
    out = (
        ids.left_join(accounts, "account_id")
        .select(ids.account_id, "name", "segment", "owner")
        .left_join(sizes, "account_id")
        .drop("account_id_right")
        .left_join(rolled, "account_id")
        .drop("account_id_right")
        .left_join(lowest, "account_id")
        .drop("account_id_right")
        .left_join(alerts, "account_id")
        .drop("account_id_right")
    )
    experience = {"worst": out.lowest, "mean": out.mean, "weighted": out.weighted}[policy]
    return out.select(
        "account_id",
        "name",
        "segment",
        "owner",
        experience=experience,
        set_by=out.set_by,
        contacts=out.contacts.fill_null(0),
        scored_contacts=out.scored_contacts.fill_null(0),
        open_alerts=out.open_alerts.fill_null(0),
        policy=ibis.literal(policy),
    )
