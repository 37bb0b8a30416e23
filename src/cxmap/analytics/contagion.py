"""Contagion: does a bad moment with one department keep customers away from the others?

Definitions (per ordered pair of departments A -> B, A != B; events without a department are ignored):

- A **negative moment** is a scored event with emotion <= `analysis.negative_max` (default 3).
- **Exposed** customers had at least one negative moment in A; their start t0 is their first negative
  moment in A. **Control** customers met A without any negative moment there; their t0 is their first
  interaction with A.
- A customer **engaged** with B when they had an interaction with B in (t0, t0 + window], window =
  `analysis.contagion_window_days` x 24 h of elapsed time (default 90 days). Events at t0's own timestamp
  are not later. Recovery touchpoints do not count as engagement: they are the organisation reaching
  out because of the bad moment (the recovery finding measures them), not the customer coming back, and
  counting them would hide exactly the avoidance this finding looks for.
- exposed_rate = exposed_engaged / exposed_customers, control_rate likewise; difference = exposed_rate -
  control_rate with Newcombe's hybrid score interval at `analysis.confidence`; significant when the
  interval excludes 0. A negative difference means avoidance.
- Every pair with customers on both sides is reported, with `evidence` as for every comparison
  (comparison.py): below `analysis.min_customers` (default 20) in a group it is "too_few" and never
  significant. Rows with enough evidence come first, sorted by difference, strongest avoidance first.

Counted in the engine, in one query after a small one for the departments' names: each customer's start
in every department is one row (a column per department), joined to their own later events; each event
marks, as bits, the departments whose window it falls in. The work grows with the events times the
departments (each event is compared with every department's start), not with pairs of a customer's events.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from cxmap.analytics.comparison import clear, evidence
from cxmap.analytics.prepare import Prepared, count_where
from cxmap.analytics.stats import clean, newcombe
from cxmap.engines.functions import bit_or

# Departments per mask: 62 of the 63 bits of a 64-bit integer below its sign bit. Ibis writes the bits as
# plain literals (32-bit up to bit 30), added from bit 0 up: bits 0 to 30 sum to at most 2^31 - 1, and a
# 64-bit literal then makes the rest of the sum 64-bit, so no sum overflows on any engine.
MASK_BITS = 62


def departments(prepared: Prepared) -> list[str]:
    """The departments of the events in scope, sorted (a small query of its own)."""
    ev = prepared.events
    found = ev.filter(ev.department.notnull()).select("department").distinct().to_pyarrow().column(0).to_pylist()
    return sorted(str(d) for d in found)


def _bit(index: int) -> ir.IntegerScalar:
    return ibis.literal(1 << (index % MASK_BITS), "int64")


def _has(mask: ir.IntegerValue, index: int) -> ir.BooleanValue:
    return (mask & _bit(index)) != 0


def _masks(flags: list[ir.BooleanValue]) -> list[ir.IntegerValue]:
    """The flags as bits: department i is bit i % MASK_BITS of mask i // MASK_BITS."""
    chunks = [flags[i : i + MASK_BITS] for i in range(0, len(flags), MASK_BITS)]
    return [
        reduce(operator.add, (f.ifelse(_bit(i), ibis.literal(0, "int64")) for i, f in enumerate(chunk)))
        for chunk in chunks
    ]


def pair_counts(prepared: Prepared) -> list[dict[str, Any]]:
    """Per pair (A, B): customers and engaged customers, exposed and control (every ordered pair of departments).

    One row per customer holds each department's start t0 (a column per department); each later event is
    joined to its customer's row and marks, as bits, the departments whose window it falls in; a grouping
    by (customer, department of the event) ORs those bits. So the work grows with events x departments,
    and no row is made per (customer, pair).
    """
    names = departments(prepared)
    if len(names) < 2:
        return []
    analysis = prepared.settings.analysis
    ev = prepared.events
    e = ev.filter(ev.department.notnull())
    negative = (e.emotion <= analysis.negative_max).fill_null(False)
    firsts: dict[str, ir.Value] = {}
    for i, name in enumerate(names):
        firsts[f"neg{i}"] = e.ts.min(where=(e.department == name) & negative)
        firsts[f"seen{i}"] = e.ts.min(where=e.department == name)
    per = e.group_by("customer_id").aggregate(**firsts)
    starts = per.select(
        "customer_id",
        **{f"t{i}": ibis.coalesce(per[f"neg{i}"], per[f"seen{i}"]) for i in range(len(names))},
        **{f"x{i}": per[f"neg{i}"].notnull() for i in range(len(names))},
        **{f"m{i}": per[f"seen{i}"].notnull() for i in range(len(names))},
    )
    window = ibis.interval(hours=analysis.contagion_window_days * 24)
    later = ev.filter(ev.department.notnull() & ~ev.is_recovery.fill_null(False))
    later = later.select(_customer=later.customer_id, to_department=later.department, _ts=later.ts)
    hits = later.join(starts, later._customer == starts.customer_id)
    inside = [(hits._ts > hits[f"t{i}"]) & (hits._ts <= hits[f"t{i}"] + window) for i in range(len(names))]
    exposed = _masks([hits[f"x{i}"] for i in range(len(names))])
    met = _masks([hits[f"m{i}"] for i in range(len(names))])
    engaged = hits.group_by(["customer_id", "to_department"]).aggregate(
        **{f"in{c}": bit_or(m) for c, m in enumerate(_masks(inside))},
        **{f"xm{c}": m.max() for c, m in enumerate(exposed)},
        **{f"mm{c}": m.max() for c, m in enumerate(met)},
    )

    counts = {}
    for i in range(len(names)):
        c = i // MASK_BITS
        was_in = _has(engaged[f"in{c}"], i)
        was_exposed = _has(engaged[f"xm{c}"], i)
        counts[f"exposed_engaged{i}"] = count_where(was_exposed & was_in)
        counts[f"control_engaged{i}"] = count_where(_has(engaged[f"mm{c}"], i) & ~was_exposed & was_in)
    pairs = engaged.group_by("to_department").aggregate(**counts)
    sizes = starts.aggregate(
        **{f"exposed_customers{i}": count_where(starts[f"x{i}"]) for i in range(len(names))},
        **{f"control_customers{i}": count_where(starts[f"m{i}"] & ~starts[f"x{i}"]) for i in range(len(names))},
    )
    rows = pairs.cross_join(sizes).to_pyarrow().to_pylist()
    by_target = {r["to_department"]: r for r in rows}
    total = rows[0] if rows else sizes.to_pyarrow().to_pylist()[0]
    return [
        {
            "from_department": a,
            "to_department": b,
            "exposed_customers": int(total[f"exposed_customers{i}"] or 0),
            "exposed_engaged": int(by_target.get(b, {}).get(f"exposed_engaged{i}") or 0),
            "control_customers": int(total[f"control_customers{i}"] or 0),
            "control_engaged": int(by_target.get(b, {}).get(f"control_engaged{i}") or 0),
        }
        for i, a in enumerate(names)
        for b in names
        if a != b
    ]


def contagion(prepared: Prepared) -> list[dict[str, Any]]:
    """Engagement with each other department after a bad moment, against customers without one."""
    analysis = prepared.settings.analysis
    rows = [r for r in pair_counts(prepared) if r["exposed_customers"] and r["control_customers"]]
    if not rows:
        return []
    k1, n1, k2, n2 = (
        np.array([r[key] for r in rows], dtype=float)
        for key in ("exposed_engaged", "exposed_customers", "control_engaged", "control_customers")
    )
    diff, low, high = newcombe(k1, n1, k2, n2, analysis.confidence)
    out = []
    for i, r in enumerate(rows):
        lo, hi = clean(low[i]), clean(high[i])
        kind = evidence(int(n1[i]), int(n2[i]), int(k1[i]), int(k2[i]), analysis.min_customers)
        out.append(
            {
                "from_department": r["from_department"],
                "to_department": r["to_department"],
                "exposed_customers": r["exposed_customers"],
                "exposed_engaged": r["exposed_engaged"],
                "exposed_rate": clean(k1[i] / n1[i]),
                "control_customers": r["control_customers"],
                "control_engaged": r["control_engaged"],
                "control_rate": clean(k2[i] / n2[i]),
                "difference": clean(diff[i]),
                "difference_ci": [lo, hi],
                "significant": clear(kind, lo, hi),
                "evidence": kind,
            }
        )
    out.sort(key=lambda r: (r["evidence"] != "enough", r["difference"], r["from_department"], r["to_department"]))
    return out
