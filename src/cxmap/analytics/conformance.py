"""How far each customer's journey is from the map's planned journey, and which deviations cost outcomes.

Definitions (copied to docs/analysis.md). Steps are taken in map order (stage by stage, step by step);
events in journey order (ts, load_id, row), so ties in time keep the order of the source.

- A step *happens* for a customer at their first event at any of the step's touchpoints. One event can
  make two steps happen when they share a touchpoint; it is then in order for both.
- The customers analysed are those with at least one event at a step's touchpoint. A step that happened
  for none of them is *not measured* (`measured: false`, no data source records it): it is left out of
  every count instead of being skipped by everyone.
- A customer *reached* a measured step when that step or any later step happened for them.
- *done*: the step happened. *skipped*: reached but not done (a later step happened, this one never).
- *out of order*: done, and its first event comes after the first event of some later step.
- *late*: done, one of the step's touchpoints has a map milestone, and the step first happened more than
  `due_days` x 24 h after the customer's first event in scope (any touchpoint; a caller may pass other
  starts, such as the account's start). With several milestones on the step's touchpoints, the smallest
  `due_days` applies.
- *conformant* at a step: done, in order and not late. `conformance_rate` = conformant / reached.
- *Fully conformant* customer: conformant at every step they reached; `fully_conformant_share` is over
  the customers analysed.
- Deviations against outcomes (only with outcomes, only decided customers count in rates) are judged
  only by what happened before the customer's outcome, so that none is true by construction:
  - the journey is cut before the first step that names an outcome touchpoint (the outcome or its
    opposite): that step and every step after it are never deviations;
  - each customer's events count only strictly before their first outcome or opposite event
    (`ended_at`); a step done afterwards was not done in the journey that led to the outcome, and
    "reached" needs a later step *before* the outcome. Otherwise a renewal would make every step before
    it "reached", and skipping it would be judged by the very renewal that reached it.
  For each step and deviation of that cut journey: `outcome_rate` among the reached customers with the
  deviation, `outcome_rate_without` among the reached customers without it (`customers`,
  `customers_without`), `difference` = the first minus the second, with Newcombe's interval
  (`difference_ci`), `evidence` and `significant` as for every comparison (comparison.py: below
  `min_customers` on a side it is "too_few", never significant). Only deviations that occurred are listed:
  significant ones first, then those with enough evidence, then the rest; within each, most harmful
  (most negative difference) first, ties in map order; a difference that cannot be computed (no decided
  customer on one side) is null and listed last.

One query, counted in the engine: each customer's journey numbered once (one window), the first event of
each step found by a grouping per customer (one row per customer, a column per step), then the per-step
counts from those rows. No window over the steps and no (customer, step) grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.comparison import clear, evidence
from cxmap.analytics.prepare import Prepared, count_where, elapsed_microseconds
from cxmap.analytics.stats import clean, newcombe
from cxmap.model.map import Map

ORDER = ("ts", "load_id", "row")
DEVIATIONS = ("skipped", "out_of_order", "late")


@dataclass(frozen=True)
class _Step:
    index: int  # place in the map's placed steps
    id: str
    touchpoints: list[str]
    due_seconds: float | None  # the smallest due time of the step's milestones


def _plan(the_map: Map) -> list[_Step]:
    """The map's steps that name touchpoints, with their due times."""
    due = {m.touchpoint: m.due_days for m in the_map.milestones}
    steps = []
    for placed in the_map.placed_steps:
        days = [due[t] for t in placed.step.touchpoints if t in due]
        if placed.step.touchpoints:
            steps.append(
                _Step(placed.index, placed.step.id, placed.step.touchpoints, min(days) * 86400.0 if days else None)
            )
    return steps


def _extreme(pick: Callable[..., ir.Value], values: list[ir.IntegerValue]) -> ir.Value:
    """`ibis.least` or `ibis.greatest` of the values; one value is its own (Spark's want two or more)."""
    return values[0] if len(values) == 1 else pick(*values)


def _with_starts(per: ir.Table, starts: ir.Table | None) -> ir.Table:
    """`start`: the given start where there is one, else the customer's first event (`_first`)."""
    if starts is None:
        return per.rename(start="_first")
    given = starts.select(_sid=starts.customer_id, _start=starts.start.cast("timestamp"))
    j = per.left_join(given, per.customer_id == given._sid)
    return j.mutate(start=ibis.coalesce(j._start, j._first)).drop("_sid", "_start", "_first")


def _journey_steps(prepared: Prepared, steps: list[_Step], starts: ir.Table | None) -> ir.Table:
    """One row per analysed customer, with the flags of every step k as columns `{flag}{k}`.

    A step's first event is found by its place in the customer's journey (`row_number` in journey order,
    one window over the events), so out of order is a comparison of places: no window over the steps, and
    one event that makes two steps happen has one place, in order for both. Whether a step is measured
    (somebody did it) is worked out from the same rows, so it holds for whatever events are given.
    """
    e = prepared.events
    e = e.mutate(_place=ibis.row_number().over(ibis.window(group_by="customer_id", order_by=list(ORDER))))
    firsts: dict[str, ir.Value] = {"_first": e.ts.min()}
    for s in steps:
        hit = e.touchpoint.isin(s.touchpoints)
        firsts[f"at{s.index}"] = e._place.min(where=hit)
        if s.due_seconds is not None:
            firsts[f"ts{s.index}"] = e.ts.min(where=hit)
    per = e.group_by("customer_id").aggregate(**firsts)
    per = _with_starts(per.filter(ibis.or_(*(per[f"at{s.index}"].notnull() for s in steps))), starts)
    flags: dict[str, ir.Value] = {}
    for i, s in enumerate(steps):
        at = per[f"at{s.index}"]
        later = [per[f"at{t.index}"] for t in steps[i + 1 :]]
        flags[f"done{s.index}"] = at.notnull()
        before = (_extreme(ibis.least, later) < at).fill_null(False) if later else ibis.literal(False)
        flags[f"out_of_order{s.index}"] = before
        late = (
            elapsed_microseconds(per[f"ts{s.index}"], per.start) > s.due_seconds * 1_000_000
            if s.due_seconds is not None
            else ibis.literal(False)
        )
        flags[f"late{s.index}"] = late.fill_null(False)
    per = per.select("customer_id", **flags)
    measured = per.aggregate(**{f"measured{s.index}": per[f"done{s.index}"].any() for s in steps})
    per = per.cross_join(measured)  # one row: the steps somebody did
    per = per.mutate(furthest=_extreme(ibis.greatest, [per[f"done{s.index}"].ifelse(s.index, -1) for s in steps]))
    reached = {s.index: per[f"measured{s.index}"] & (per.furthest >= s.index) for s in steps}
    conformant = {
        s.index: per[f"done{s.index}"] & ~per[f"out_of_order{s.index}"] & ~per[f"late{s.index}"] for s in steps
    }
    return per.mutate(
        **{f"reached{k}": r for k, r in reached.items()},
        fully_conformant=ibis.and_(*(~reached[k] | conformant[k] for k in reached)),
    )


def customer_steps(prepared: Prepared, starts: ir.Table | None = None) -> ir.Table:
    """One row per customer and measured step they reached, in the engine (nothing runs until executed).

    Columns: customer_id, step_index (place in `prepared.map.placed_steps`), step (id), furthest (index of
    the customer's furthest step), done, skipped, out_of_order, late, fully_conformant (the customer's, on
    each of their rows). `starts` (customer_id, start) moves the moment milestones count from; by default
    it is the customer's first event in scope.
    """
    if prepared.map is None:
        raise ValueError("conformance needs a map")
    plan = _plan(prepared.map)
    if not plan:
        raise ValueError("the map's steps name no touchpoints")
    per = _journey_steps(prepared, plan, starts)
    rows = [
        per.filter(per[f"reached{s.index}"]).select(
            customer_id=per.customer_id,
            step_index=ibis.literal(s.index, "int64"),
            step=ibis.literal(s.id, "string"),
            furthest=per.furthest.cast("int64"),
            done=per[f"done{s.index}"],
            skipped=~per[f"done{s.index}"],
            out_of_order=per[f"out_of_order{s.index}"],
            late=per[f"late{s.index}"],
            fully_conformant=per.fully_conformant,
        )
        for s in plan
    ]
    return ibis.union(*rows, distinct=False)


def _counts(
    prepared: Prepared, steps: list[_Step], outcomes: ir.Table | None, starts: ir.Table | None
) -> tuple[dict[int, dict[str, int]], dict[str, int]]:
    """Per measured step index: counts of reached/done/deviating/conformant customers, and decided/won among
    them; and the totals: customers analysed, fully conformant. One aggregate row holds every step's counts,
    named "index:count" and split back here."""
    if not steps:
        return {}, {"customers": 0, "fully_conformant": 0}
    cs = _journey_steps(prepared, steps, starts)
    if outcomes is not None:
        o = outcomes.select(_cid=outcomes.customer_id, _outcome=outcomes.outcome, _decided=outcomes.decided)
        cs = cs.left_join(o, cs.customer_id == o._cid)
        decided = cs._decided.fill_null(False)
        cs = cs.mutate(decided=decided, won=decided & (cs._outcome.fill_null(0) == 1))
    else:
        cs = cs.mutate(decided=ibis.literal(False), won=ibis.literal(False))

    metrics: dict[str, ir.Scalar] = {"customers": cs.count(), "fully_conformant": count_where(cs.fully_conformant)}
    for s in steps:
        k = s.index
        reached, done = cs[f"reached{k}"], cs[f"done{k}"]
        flags = {"skipped": reached & ~done, "out_of_order": cs[f"out_of_order{k}"], "late": cs[f"late{k}"]}
        metrics |= {
            f"{k}:reached": count_where(reached),
            f"{k}:reached_decided": count_where(reached & cs.decided),
            f"{k}:reached_won": count_where(reached & cs.won),
            f"{k}:done": count_where(done),
            f"{k}:conformant": count_where(done & ~flags["out_of_order"] & ~flags["late"]),
        }
        for flag, value in flags.items():
            metrics |= {
                f"{k}:{flag}": count_where(value),
                f"{k}:{flag}_decided": count_where(value & cs.decided),
                f"{k}:{flag}_won": count_where(value & cs.won),
            }
    row = cs.aggregate(**metrics).to_pyarrow().to_pylist()[0]
    per: dict[int, dict[str, int]] = {s.index: {} for s in steps}
    for key, value in row.items():
        index, _, name = key.partition(":")
        if name:
            per[int(index)][name] = int(value or 0)
    measured = {k: c for k, c in per.items() if c["done"]}  # a step nobody did is not measured
    return measured, {"customers": int(row["customers"] or 0), "fully_conformant": int(row["fully_conformant"] or 0)}


def _rate(k: int, n: int) -> float | None:
    return k / n if n else None


def conformance(
    prepared: Prepared,
    outcomes: ir.Table | None = None,
    starts: ir.Table | None = None,
    outcome_touchpoints: set[str] | None = None,
) -> dict[str, Any]:
    """Conformance of the measured journeys to the map (definitions in the module docstring).

    `outcomes` is :func:`cxmap.analytics.outcomes.customer_outcomes`; `starts` see :func:`customer_steps`;
    `outcome_touchpoints` are the outcome and its opposite, where deviations stop.
    """
    if prepared.map is None:
        return {"available": False, "reason": "conformance compares journeys with a map; pass a map to analyse"}
    if not any(p.step.touchpoints for p in prepared.map.placed_steps):
        return {"available": False, "reason": "the map's steps name no touchpoints"}
    plan = _plan(prepared.map)
    counts, totals = _counts(prepared, plan, None, starts)
    per = [(p.step.id, counts.get(p.index, {})) for p in prepared.map.placed_steps]
    customers = totals["customers"]
    steps = [
        {
            "step": step,
            "measured": bool(c),
            "reached": c.get("reached", 0),
            "done": c.get("done", 0),
            "skipped": c.get("skipped", 0),
            "out_of_order": c.get("out_of_order", 0),
            "late": c.get("late", 0),
            "conformance_rate": _rate(c.get("conformant", 0), c.get("reached", 0)),
        }
        for step, c in per
    ]
    result: dict[str, Any] = {
        "available": True,
        "customers": customers,
        "steps": steps,
        "fully_conformant_share": _rate(totals["fully_conformant"], customers),
    }
    if outcomes is not None:
        cut = _before_outcome_steps(plan, outcome_touchpoints or set())
        judged, _ = _counts(_before_outcome(prepared, outcomes, outcome_touchpoints or set()), cut, outcomes, starts)
        ids = {s.index: s.id for s in cut}
        a = prepared.settings.analysis
        result["deviations"] = _deviations([(ids[k], c) for k, c in judged.items()], a.confidence, a.min_customers)
        result["deviations_judged_until"] = cut[-1].id if cut else None
    return result


def _before_outcome_steps(plan: list[_Step], outcome_touchpoints: set[str]) -> list[_Step]:
    """The planned steps before the first one that names an outcome touchpoint."""
    end = next((i for i, s in enumerate(plan) if outcome_touchpoints & set(s.touchpoints)), len(plan))
    return plan[:end]


def _before_outcome(prepared: Prepared, outcomes: ir.Table, outcome_touchpoints: set[str]) -> Prepared:
    """The events strictly before each customer's first outcome (or opposite) event, outcome events left out."""
    e = prepared.events
    ends = outcomes.select(_cid=outcomes.customer_id, _ended_at=outcomes.ended_at)
    j = e.left_join(ends, e.customer_id == ends._cid)
    kept = j.filter(j._ended_at.isnull() | (j.ts < j._ended_at))
    if outcome_touchpoints:
        kept = kept.filter(~kept.touchpoint.isin(sorted(outcome_touchpoints)))
    return replace(prepared, events=kept.drop("_cid", "_ended_at"))


def _deviations(per: list[tuple[str, dict[str, int]]], confidence: float, least: int) -> list[dict[str, Any]]:
    """Outcome rates with and without each deviation that occurred: findings first, most harmful first."""
    found = [(step, flag, c) for step, c in per for flag in DEVIATIONS if c.get(flag, 0)]
    if not found:
        return []
    k1 = [c[f"{flag}_won"] for _, flag, c in found]
    n1 = [c[f"{flag}_decided"] for _, flag, c in found]
    k2 = [c["reached_won"] - c[f"{flag}_won"] for _, flag, c in found]
    n2 = [c["reached_decided"] - c[f"{flag}_decided"] for _, flag, c in found]
    diff, low, high = newcombe(k1, n1, k2, n2, confidence)
    rows = []
    for i, (step, flag, c) in enumerate(found):
        kind = evidence(n1[i], n2[i], k1[i], k2[i], least)
        rows.append(
            {
                "step": step,
                "deviation": flag,
                "customers": c[flag],
                "customers_without": c["reached"] - c[flag],
                "outcome_rate": _rate(k1[i], n1[i]),
                "outcome_rate_without": _rate(k2[i], n2[i]),
                "difference": clean(diff[i]),
                "difference_ci": [clean(low[i]), clean(high[i])],
                "evidence": kind,
                "significant": clear(kind, clean(low[i]), clean(high[i])),
            }
        )
    # ties keep map order, then the order of DEVIATIONS (the sort is stable)
    return sorted(
        rows,
        key=lambda r: (not r["significant"], r["evidence"] != "enough", r["difference"] is None, r["difference"] or 0),
    )
