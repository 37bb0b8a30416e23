"""Verification activities: is each check the map promises really met, measured on the data?

Every verification names its **measure** (`measure:` in the map; without one, `on_time` when it names a
milestone, `satisfied` when it names a step or a touchpoint, else `manual`). It is measured over accounts,
as of a moment, against its target: `{"verification","kind","measure","text","measured","target","passed",
"accounts","failing_accounts","reason"}`. `accounts` is the denominator below; `measured` the share of it
that passes; `failing_accounts` the others (sorted ids).

- **on_time** (kind `milestone`): the accounts due by the as-of day, that is whose due date has passed, or
  is today and the milestone is already done (one due today and not done yet still has the day, so it is
  neither passing nor failing). Passing: the milestone is `done` (on time); failing: `late` or `overdue`.
- **satisfied** (kind `experience`): the touchpoints are the step's and the named one. The accounts with a
  scored event there in the last `accounts.window_days` days before the as-of moment. An account passes
  when every one of its contacts scored there then has a mean emotion there of at least
  `analysis.good_min` (the account is only as good as its worst contact). Unscored events do not count:
  nothing is known of how they felt.
- **reached** (kind `reach`): the *active* accounts: those with at least one event (of any contact) up to
  the as-of moment whose start (`started_at`, else the local date of their first event) is on or before
  the as-of day. An account passes when any of its contacts had an event at one of the touchpoints (the
  step's and the named one) up to the as-of moment, scored or not.
- **outcome** (kind `outcome`): the outcome is the map's `measure.outcome`, else cxmap.yaml's
  `measure.outcome`, with the `outcome_negative` of the same place (`choose_outcome`). An account has the
  outcome when any of its contacts had an outcome event up to the as-of moment. The denominator is the
  *decided* active accounts: with an `outcome_negative`, the accounts with the outcome or the negative
  event (one with both has the outcome); those with neither are undecided and left out. Without one,
  every active account is decided. Passing: the account has the outcome.
- **manual** (kind `manual`): a check done by hand; not in the events.

`measured` is null when nothing can be counted, and `reason` then says why in a sentence (it is null when
`measured` is not); `passed` (measured >= target) is null when `measured` is. Missing a target is an
answer, not an error. All accounts and all verifications are measured at once in the engine, one query
per measure.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.accounts.base import AsOf, events_as_of, memberships
from cxmap.accounts.milestones import account_firsts, account_starts, local_day_of, milestone_status, to_accounts
from cxmap.accounts.verify_words import place, touchpoints_of
from cxmap.analytics.outcomes import UnknownTouchpoint, choose_outcome, customer_outcomes, resolve_choice
from cxmap.analytics.prepare import Prepared
from cxmap.model.map import Map
from cxmap.model.schema import Verification, unmet_need
from cxmap.settings import Settings

# The JSON `kind` of each measure: the names of the kinds before measures existed, kept for their readers.
KINDS = {
    "on_time": "milestone",
    "satisfied": "experience",
    "reached": "reach",
    "outcome": "outcome",
    "manual": "manual",
}
MANUAL = "manual: this check is not recorded in the events"
NO_OUTCOME = "no outcome is set: add measure: {outcome: ...} to the map"
Counts = dict[str, dict[str, Any]]  # verification id -> {"accounts", "passing", "failing"}
PAIRS = {"verification": "string", "_tp": "string"}


def _count(t: ir.Table, ok: ir.BooleanValue) -> Counts:
    """Per verification: the accounts of `t` (one row each), how many pass (`ok`), the others' ids."""
    agg = t.group_by("verification").aggregate(
        accounts=t.count(), passing=ok.cast("int64").sum(), failing=t.account_id.collect(where=~ok).sort()
    )
    return {r["verification"]: r for r in agg.to_pyarrow().to_pylist()}


def _ids(ids: list[str]) -> ir.Table:
    return ibis.memtable([{"verification": i} for i in ids], schema={"verification": "string"})


def _on_time(statuses: ir.Table, milestones: dict[str, str], as_of: AsOf) -> Counts:
    """on_time, for verification id -> milestone id."""
    plan = ibis.memtable(
        [{"verification": k, "_ms": m} for k, m in milestones.items()],
        schema={"verification": "string", "_ms": "string"},
    )
    t = statuses.filter((statuses.due <= as_of.day) & (statuses.status != "upcoming"))
    t = t.join(plan, t.milestone == plan._ms)
    return _count(t, t.status == "done")


def _satisfied(
    events: ir.Table, members: ir.Table, pairs: list[dict[str, str]], good_min: float, since: Any, as_of: AsOf
) -> Counts:
    """satisfied, for (verification, touchpoint) pairs."""
    wanted = ibis.memtable(pairs, schema=PAIRS)
    e = events.filter(events.emotion.notnull() & (events.ts > since) & (events.ts <= as_of.instant))
    e = e.join(wanted, e.touchpoint == wanted._tp)
    per_contact = e.group_by(["verification", "customer_id"]).aggregate(mean=e.emotion.mean())
    contacts = to_accounts(per_contact, members)
    accounts = contacts.group_by(["verification", "account_id"]).aggregate(worst=contacts["mean"].min())
    return _count(accounts, accounts.worst >= good_min)


def _active(con: Any, the_map: Map, settings: Settings, as_of: AsOf, events: ir.Table, members: ir.Table) -> ir.Table:
    """account_id of the active accounts: an event by the as-of moment, a start on or before its day."""
    starts = account_starts(con, account_firsts(events, members, the_map, []), local_day_of(con, settings, as_of))
    return starts.filter(starts.first_ts.notnull() & (starts.start <= as_of.day)).select("account_id")


def _reached(events: ir.Table, members: ir.Table, pairs: list[dict[str, str]], active: ir.Table) -> Counts:
    """reached, for (verification, touchpoint) pairs, over the active accounts."""
    wanted = ibis.memtable(pairs, schema=PAIRS)
    e = events.join(wanted, events.touchpoint == wanted._tp)
    contacts = to_accounts(e.select("verification", "customer_id").distinct(), members)
    hits = contacts.select("verification", _hit="account_id").distinct()
    grid = active.cross_join(wanted.select("verification").distinct())
    joined = grid.left_join(hits, (grid.verification == hits.verification) & (grid.account_id == hits._hit))
    t = joined.select(verification=grid.verification, account_id=grid.account_id, _ok=hits._hit.notnull())
    return _count(t, t._ok)


def _outcome(
    prepared: Prepared, members: ir.Table, active: ir.Table, outcome: str, negative: str | None, ids: list[str]
) -> Counts:
    """outcome, for the given verification ids (one answer, the same for each)."""
    per = customer_outcomes(prepared, outcome, negative)
    per = per.select("customer_id", won=per.outcome, decided=per.decided.cast("int64"))
    mine = to_accounts(per, members)
    accounts = mine.group_by("account_id").aggregate(won=mine.won.max(), decided=mine.decided.max())
    accounts = accounts.filter(accounts.decided == 1).join(active, "account_id")
    t = accounts.cross_join(_ids(ids))
    return _count(t, t.won == 1)


def _outcome_ids(prepared: Prepared, the_map: Map, settings: Settings) -> tuple[str, str | None] | str:
    """The outcome's touchpoint id and its opposite's, or the reason there are none."""
    choice = choose_outcome(the_map, settings)
    if not choice.outcome:
        return NO_OUTCOME
    try:
        outcome, negative = resolve_choice(prepared, choice)
    except UnknownTouchpoint as exc:
        opposite = exc.given_for == "outcome_negative"
        what, name = ("outcome's opposite", choice.outcome_negative) if opposite else ("outcome", choice.outcome)
        return f"the {what} '{name}' is not a touchpoint of the map or the data"
    return str(outcome), negative


class _Run:
    """One verify call: counts every verification of a measure in one query, and says why where nothing counts."""

    def __init__(
        self,
        con: Any,
        the_map: Map,
        settings: Settings,
        as_of: AsOf,
        prepared: Prepared,
        members: ir.Table,
        statuses: ir.Table | None,
    ):
        self.con, self.map, self.settings, self.as_of = con, the_map, settings, as_of
        self.prepared, self.members, self.statuses = prepared, members, statuses
        self._active: ir.Table | None = None
        self.inactive = f"no account was active (started, with an event) by {as_of.day}"

    def active(self) -> ir.Table:
        if self._active is None:
            self._active = _active(self.con, self.map, self.settings, self.as_of, self.prepared.events, self.members)
        return self._active

    def unmeasurable(self, v: Verification, measure: str) -> str | None:
        """Why `v` cannot be counted at all, before any query."""
        if measure == "manual":
            return MANUAL
        wanted = unmet_need(measure, v.model_dump())
        if wanted:
            return f"{measure} needs {wanted}; the verification names none"
        if measure in ("reached", "satisfied") and not touchpoints_of(self.map, v):
            return f"step '{v.step}' lists no touchpoints to count"
        return None

    def pairs(self, vs: list[Verification]) -> list[dict[str, str]]:
        return [{"verification": v.id, "_tp": tp} for v in vs for tp in touchpoints_of(self.map, v)]

    def on_time(self, vs: list[Verification]) -> tuple[Counts, dict[str, str]]:
        statuses = self.statuses
        if statuses is None:
            statuses = milestone_status(self.con, self.map, self.settings, self.as_of, self.prepared, self.members)
        counts = _on_time(statuses, {v.id: str(v.milestone) for v in vs}, self.as_of)
        return counts, {v.id: f"no account is due yet by {self.as_of.day}" for v in vs}

    def satisfied(self, vs: list[Verification]) -> tuple[Counts, dict[str, str]]:
        days, good = self.settings.accounts.window_days, self.settings.analysis.good_min
        since = self.as_of.days_ago(days)
        counts = _satisfied(self.prepared.events, self.members, self.pairs(vs), good, since, self.as_of)
        where = {v.id: place(self.map, v) for v in vs}
        return counts, {k: f"no account scored at {p} in the {days} days to {self.as_of.day}" for k, p in where.items()}

    def reached(self, vs: list[Verification]) -> tuple[Counts, dict[str, str]]:
        counts = _reached(self.prepared.events, self.members, self.pairs(vs), self.active())
        return counts, dict.fromkeys((v.id for v in vs), self.inactive)

    def outcome(self, vs: list[Verification]) -> tuple[Counts, dict[str, str]]:
        ids = _outcome_ids(self.prepared, self.map, self.settings)
        if isinstance(ids, str):
            return {}, dict.fromkeys((v.id for v in vs), ids)
        outcome, negative = ids
        counts = _outcome(self.prepared, self.members, self.active(), outcome, negative, [v.id for v in vs])
        why = self.inactive
        if negative:
            why = f"no account had {self.prepared.name(outcome)} or {self.prepared.name(negative)} by {self.as_of.day}"
        return counts, dict.fromkeys((v.id for v in vs), why)


def _entry(v: Verification, measure: str, found: dict[str, Any] | None, reason: str) -> dict[str, Any]:
    """One verification's JSON entry from its counts (None: nothing counted, `reason` says why)."""
    n = int(found["accounts"]) if found else 0
    measured = int(found["passing"]) / n if found and n else None
    return {
        "verification": v.id,
        "kind": KINDS[measure],
        "measure": measure,
        "text": v.text,
        "measured": measured,
        "target": v.target,
        "passed": None if measured is None else measured >= v.target,
        "accounts": n,
        "failing_accounts": list(found["failing"] or []) if found else [],
        "reason": None if measured is not None else reason,
    }


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
    run = _Run(con, the_map, settings, as_of, prepared, members, statuses)
    measures = {v.id: v.effective_measure() for v in the_map.verifications}
    counts: Counts = {}
    reasons: dict[str, str] = {}
    grouped: dict[str, list[Verification]] = {}
    for v in the_map.verifications:
        why = run.unmeasurable(v, measures[v.id])
        if why:
            reasons[v.id] = why
        else:
            grouped.setdefault(measures[v.id], []).append(v)
    queries = {"on_time": run.on_time, "satisfied": run.satisfied, "reached": run.reached, "outcome": run.outcome}
    for measure, vs in grouped.items():
        counted, said = queries[measure](vs)
        counts.update(counted)
        reasons.update(said)
    return [_entry(v, measures[v.id], counts.get(v.id), reasons[v.id]) for v in the_map.verifications]
