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
- Deviations against outcomes (only with outcomes, only decided customers count in rates): for each step
  and deviation, `outcome_rate` among the reached customers with the deviation, `outcome_rate_without`
  among the reached customers without it (`customers`, `customers_without`), `difference` = the first
  minus the second, with Newcombe's interval (`difference_ci`). Only deviations that occurred are listed,
  most harmful (most negative difference) first; ties in map order; a difference that cannot be computed
  (no decided customer on one side) is null and listed last.

One query: the (customer, reached step) grid with its flags, counted per step in the engine.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import Prepared, elapsed_microseconds
from cxmap.analytics.stats import clean, newcombe
from cxmap.model.map import Map

ORDER = ("ts", "load_id", "row")
DEVIATIONS = ("skipped", "out_of_order", "late")


def _plan(the_map: Map) -> ir.Table:
    """One row per (step, touchpoint) of the map, with the step's due time in seconds (or null)."""
    due = {m.touchpoint: m.due_days for m in the_map.milestones}
    rows: dict[str, list[Any]] = {"step_index": [], "plan_touchpoint": [], "due_seconds": []}
    for placed in the_map.placed_steps:
        days = [due[t] for t in placed.step.touchpoints if t in due]
        for tp in placed.step.touchpoints:
            rows["step_index"].append(placed.index)
            rows["plan_touchpoint"].append(tp)
            rows["due_seconds"].append(min(days) * 86400.0 if days else None)
    schema = {"step_index": "int64", "plan_touchpoint": "string", "due_seconds": "float64"}
    return ibis.memtable(rows, schema=schema)


def _starts(events: ir.Table, starts: ir.Table | None) -> ir.Table:
    """customer_id -> start: the given start where there is one, else the customer's first event."""
    first = events.group_by("customer_id").aggregate(start=events.ts.min())
    if starts is None:
        return first
    given = starts.select(_sid=starts.customer_id, _start=starts.start.cast("timestamp"))
    j = first.left_join(given, first.customer_id == given._sid)
    return j.select(customer_id=j.customer_id, start=ibis.coalesce(j._start, j.start))


def customer_steps(prepared: Prepared, starts: ir.Table | None = None) -> ir.Table:
    """One row per customer and measured step they reached, in the engine (nothing runs until executed).

    Columns: customer_id, step_index (place in `prepared.map.placed_steps`), step (id), furthest (index of
    the customer's furthest step), done, skipped, out_of_order, late, fully_conformant (the customer's, on
    each of their rows). `starts` (customer_id, start) moves the moment milestones count from; by default
    it is the customer's first event in scope.
    """
    if prepared.map is None:
        raise ValueError("conformance needs a map")
    e = prepared.events
    plan = _plan(prepared.map)
    hits = e.join(plan, e.touchpoint == plan.plan_touchpoint)
    # `seen`: the highest step of the customer's rows so far, in journey order, this row included. Rows of
    # one event (a touchpoint of two steps) are ordered by step, so a step never sees a later step of its own
    # event. `seen` never decreases, so its minimum over a step's rows is its value at the step's first
    # event, and it exceeds the step exactly when a later step happened before.
    so_far = ibis.window(group_by="customer_id", order_by=[*ORDER, "step_index"], rows=(None, 0))
    hits = hits.mutate(seen=hits.step_index.max().over(so_far))
    done = hits.group_by(["customer_id", "step_index"]).aggregate(
        first_ts=hits.ts.min(), seen=hits.seen.min(), due_seconds=hits.due_seconds.max()
    )
    done = done.join(_starts(e, starts), "customer_id")
    done = done.select(
        "customer_id",
        "step_index",
        ooo=done.seen > done.step_index,
        is_late=done.due_seconds.notnull()
        & (elapsed_microseconds(done.first_ts, done.start) > done.due_seconds * 1_000_000),
    )
    ids = ibis.memtable(
        {
            "grid_step": [p.index for p in prepared.map.placed_steps],
            "step": [p.step.id for p in prepared.map.placed_steps],
        },
        schema={"grid_step": "int64", "step": "string"},
    )
    measured = ids.semi_join(done, ids.grid_step == done.step_index)  # steps nobody did are not measured
    measured = measured.mutate(upto=ibis.row_number().over(order_by="grid_step") + 1)  # measured steps <= it
    per = done.group_by("customer_id").aggregate(
        furthest=done.step_index.max(), n_done=done.count(), deviates=(done.ooo | done.is_late).any()
    )
    last = measured.select(_f=measured.grid_step, _upto=measured.upto)
    per = per.join(last, per.furthest == last._f)
    per = per.select("customer_id", "furthest", fully=~per.deviates & (per.n_done == per._upto))
    grid = per.join(measured, measured.grid_step <= per.furthest)
    full = grid.left_join(done, [grid.customer_id == done.customer_id, grid.grid_step == done.step_index])
    return full.select(
        customer_id=full.customer_id,
        step_index=full.grid_step,
        step=full.step,
        furthest=full.furthest,
        done=full.step_index.notnull(),
        skipped=full.step_index.isnull(),
        out_of_order=full.ooo.fill_null(False),
        late=full.is_late.fill_null(False),
        fully_conformant=full.fully,
    )


def _counts(prepared: Prepared, outcomes: ir.Table | None, starts: ir.Table | None) -> dict[int, dict[str, int]]:
    """Per step index: counts of reached/done/deviating/conformant customers, and decided/won among them."""
    cs = customer_steps(prepared, starts)
    if outcomes is not None:
        o = outcomes.select(_cid=outcomes.customer_id, _outcome=outcomes.outcome, _decided=outcomes.decided)
        cs = cs.left_join(o, cs.customer_id == o._cid)
        decided = cs._decided.fill_null(False)
        cs = cs.mutate(decided=decided, won=decided & (cs._outcome.fill_null(0) == 1))
    else:
        cs = cs.mutate(decided=ibis.literal(False), won=ibis.literal(False))
    cs = cs.mutate(conformant=cs.done & ~cs.out_of_order & ~cs.late)
    last = cs.step_index == cs.furthest  # one row per customer

    def n(cond: ir.BooleanValue) -> ir.IntegerScalar:
        return cond.ifelse(1, 0).sum()

    metrics = {
        "reached": cs.count(),
        "reached_decided": n(cs.decided),
        "reached_won": n(cs.won),
        "done": n(cs.done),
        "conformant": n(cs.conformant),
        "customers": n(last),
        "fully_conformant": n(last & cs.fully_conformant),
    }
    for flag in DEVIATIONS:
        metrics[flag] = n(cs[flag])
        metrics[f"{flag}_decided"] = n(cs[flag] & cs.decided)
        metrics[f"{flag}_won"] = n(cs[flag] & cs.won)
    rows = cs.group_by("step_index").aggregate(**metrics).to_pyarrow().to_pylist()
    return {r.pop("step_index"): r for r in rows}


def _rate(k: int, n: int) -> float | None:
    return k / n if n else None


def conformance(prepared: Prepared, outcomes: ir.Table | None = None, starts: ir.Table | None = None) -> dict[str, Any]:
    """Conformance of the measured journeys to the map (definitions in the module docstring).

    `outcomes` is :func:`cxmap.analytics.outcomes.customer_outcomes`; `starts` see :func:`customer_steps`.
    """
    if prepared.map is None:
        return {"available": False, "reason": "conformance compares journeys with a map; pass a map to analyse"}
    if not any(p.step.touchpoints for p in prepared.map.placed_steps):
        return {"available": False, "reason": "the map's steps name no touchpoints"}
    counts = _counts(prepared, outcomes, starts)
    per = [(p.step.id, counts.get(p.index, {})) for p in prepared.map.placed_steps]
    customers = sum(c["customers"] for c in counts.values())
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
        "fully_conformant_share": _rate(sum(c["fully_conformant"] for c in counts.values()), customers),
    }
    if outcomes is not None:
        result["deviations"] = _deviations(per, prepared.settings.analysis.confidence)
    return result


def _deviations(per: list[tuple[str, dict[str, int]]], confidence: float) -> list[dict[str, Any]]:
    """Outcome rates with and without each deviation that occurred, most harmful first."""
    found = [(step, flag, c) for step, c in per for flag in DEVIATIONS if c.get(flag, 0)]
    if not found:
        return []
    k1 = [c[f"{flag}_won"] for _, flag, c in found]
    n1 = [c[f"{flag}_decided"] for _, flag, c in found]
    k2 = [c["reached_won"] - c[f"{flag}_won"] for _, flag, c in found]
    n2 = [c["reached_decided"] - c[f"{flag}_decided"] for _, flag, c in found]
    diff, low, high = newcombe(k1, n1, k2, n2, confidence)
    rows = [
        {
            "step": step,
            "deviation": flag,
            "customers": c[flag],
            "customers_without": c["reached"] - c[flag],
            "outcome_rate": _rate(k1[i], n1[i]),
            "outcome_rate_without": _rate(k2[i], n2[i]),
            "difference": clean(diff[i]),
            "difference_ci": [clean(low[i]), clean(high[i])],
        }
        for i, (step, flag, c) in enumerate(found)
    ]
    # ties keep map order, then the order of DEVIATIONS (the sort is stable)
    return sorted(rows, key=lambda r: (r["difference"] is None, r["difference"] or 0.0))
