"""Verification activities: is each check the map promises really met, measured on the data?

Every verification of the map is measured over accounts, as of a moment, and reported against its target:
`{"verification","kind","text","measured","target","passed","accounts","failing_accounts"}`.

- **milestone** (the verification names a milestone): the accounts due by the as-of day, that is whose due
  date has passed, or is today and the milestone is already done (one due today and not done yet still
  has the day, so it is neither passing nor failing). `measured` is the share of them whose milestone is
  `done` (on time); `failing_accounts` are the others (`late` or `overdue`).
- **experience** (the verification names a step and/or a touchpoint): the touchpoints are the step's and
  the named one. The accounts with a scored event there in the last `accounts.window_days` days before the
  as-of moment. An account passes when every one of its contacts scored there then has a mean emotion
  there of at least `analysis.good_min` (the account is only as good as its worst contact);
  `failing_accounts` are the others. Unscored events do not count: nothing is known of how they felt.
- **manual** (the verification names none of these): cannot be measured from events.

`accounts` is the denominator; `measured` is null when it is 0, and `passed` (measured >= target) is null
when `measured` is. Missing a target is an answer, not an error. All accounts and all verifications are
measured at once in the engine (one query per kind).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.accounts.base import AsOf, events_as_of, memberships
from cxmap.accounts.milestones import milestone_status, to_accounts
from cxmap.analytics.prepare import Prepared
from cxmap.model.map import Map
from cxmap.model.schema import Verification
from cxmap.settings import Settings


def _kind(v: Verification) -> str:
    if v.milestone:
        return "milestone"
    return "experience" if v.step or v.touchpoint else "manual"


def _touchpoints(the_map: Map, v: Verification) -> list[str]:
    """The touchpoints an experience verification looks at: the step's, then the named one."""
    found = list(the_map.step(v.step).touchpoints) if v.step else []
    return [*found, v.touchpoint] if v.touchpoint and v.touchpoint not in found else found


def _milestone_results(statuses: ir.Table, milestones: list[str], as_of: AsOf) -> dict[str, dict[str, Any]]:
    """Per milestone: accounts (due by as_of, decided), done, failing (sorted ids)."""
    t = statuses.filter(statuses.milestone.isin(milestones) & (statuses.due <= as_of.day))
    t = t.filter(t.status != "upcoming")
    agg = t.group_by("milestone").aggregate(
        accounts=t.count(),
        passing=(t.status == "done").cast("int64").sum(),
        failing=t.account_id.collect(where=t.status != "done").sort(),
    )
    return {r["milestone"]: r for r in agg.to_pyarrow().to_pylist()}


def _experience_results(
    events: ir.Table, members: ir.Table, pairs: list[dict[str, str]], good_min: float, since: Any, as_of: AsOf
) -> dict[str, dict[str, Any]]:
    """Per verification: accounts (scored there in the window), passing, failing (sorted ids)."""
    wanted = ibis.memtable(pairs, schema={"verification": "string", "_tp": "string"})
    e = events.filter(events.emotion.notnull() & (events.ts > since) & (events.ts <= as_of.instant))
    e = e.join(wanted, e.touchpoint == wanted._tp)
    per_contact = e.group_by(["verification", "customer_id"]).aggregate(mean=e.emotion.mean())
    contacts = to_accounts(per_contact, members)
    accounts = contacts.group_by(["verification", "account_id"]).aggregate(worst=contacts["mean"].min())
    ok = accounts.worst >= good_min
    agg = accounts.group_by("verification").aggregate(
        accounts=accounts.count(),
        passing=ok.cast("int64").sum(),
        failing=accounts.account_id.collect(where=~ok).sort(),
    )
    return {r["verification"]: r for r in agg.to_pyarrow().to_pylist()}


def verify(
    con: Any,
    the_map: Map,
    settings: Settings,
    as_of: AsOf,
    statuses: ir.Table | None = None,
    prepared: Prepared | None = None,
    members: ir.Table | None = None,
) -> list[dict[str, Any]]:
    """The `verify` answer, one entry per verification of the map in map order (see the module docstring).

    `statuses` (a `milestone_status` table), `prepared` (the events as of) and `members` (`memberships`) may
    be passed when the caller already has them."""
    if not the_map.verifications:
        return []
    prepared = prepared or events_as_of(con, the_map, settings, as_of)
    members = members if members is not None else memberships(con, prepared.events)
    kinds = {v.id: _kind(v) for v in the_map.verifications}
    by_milestone: dict[str, dict[str, Any]] = {}
    wanted = sorted({v.milestone for v in the_map.verifications if v.milestone})
    if wanted:
        statuses = (
            statuses if statuses is not None else milestone_status(con, the_map, settings, as_of, prepared, members)
        )
        by_milestone = _milestone_results(statuses, wanted, as_of)
    pairs = [
        {"verification": v.id, "_tp": tp}
        for v in the_map.verifications
        if kinds[v.id] == "experience"
        for tp in _touchpoints(the_map, v)
    ]
    by_experience: dict[str, dict[str, Any]] = {}
    if pairs:
        since = as_of.days_ago(settings.accounts.window_days)
        by_experience = _experience_results(prepared.events, members, pairs, settings.analysis.good_min, since, as_of)
    out = []
    for v in the_map.verifications:
        kind = kinds[v.id]
        found = by_milestone.get(v.milestone or "") if kind == "milestone" else by_experience.get(v.id)
        n = int(found["accounts"]) if found else 0
        measured = int(found["passing"]) / n if found and n else None
        out.append(
            {
                "verification": v.id,
                "kind": kind,
                "text": v.text,
                "measured": measured,
                "target": v.target,
                "passed": None if measured is None else measured >= v.target,
                "accounts": n,
                "failing_accounts": list(found["failing"] or []) if found else [],
            }
        )
    return out
