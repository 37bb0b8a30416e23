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
- A pair is reported when both groups have at least `analysis.min_customers` customers (default 20).
  Rows are sorted by difference, strongest avoidance first.

Everything is counted in the engine in one query: a customer's start in each department is joined to
their own later events, so the work grows with events per customer, never with the number of pairs.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from cxmap.analytics.prepare import Prepared
from cxmap.analytics.stats import clean, newcombe


def department_starts(prepared: Prepared) -> ir.Table:
    """One row per customer and department met: `exposed` and its start `t0` (see the module docstring)."""
    ev = prepared.events
    e = ev.filter(ev.department.notnull())
    negative = (e.emotion <= prepared.settings.analysis.negative_max).fill_null(False)
    per = e.group_by([e.customer_id, e.department]).aggregate(
        first_negative=e.ts.min(where=negative),
        first_seen=e.ts.min(),
    )
    return per.select(
        customer_id=per.customer_id,
        from_department=per.department,
        exposed=per.first_negative.notnull(),
        t0=per.first_negative.fill_null(per.first_seen),
    )


def pair_counts(prepared: Prepared) -> ir.Table:
    """Per pair (A, B): customers and engaged customers, exposed and control (all pairs of departments)."""
    ev = prepared.events
    window = ibis.interval(hours=prepared.settings.analysis.contagion_window_days * 24)
    starts = department_starts(prepared)
    later = ev.filter(ev.department.notnull() & ~ev.is_recovery.fill_null(False))
    later = later.select(_customer=later.customer_id, to_department=later.department, _ts=later.ts)
    hits = starts.join(
        later,
        [
            starts.customer_id == later._customer,
            starts.from_department != later.to_department,
            later._ts > starts.t0,
            later._ts <= starts.t0 + window,
        ],
    )
    engaged = hits.select("customer_id", "from_department", "to_department", "exposed").distinct()
    engaged = engaged.group_by(["from_department", "to_department"]).aggregate(
        exposed_engaged=engaged.exposed.sum(),
        control_engaged=(~engaged.exposed).sum(),
    )
    sizes = starts.group_by("from_department").aggregate(
        exposed_customers=starts.exposed.sum(),
        control_customers=(~starts.exposed).sum(),
    )
    targets = starts.select(to_department=starts.from_department).distinct()
    grid = sizes.cross_join(targets)
    grid = grid.filter(grid.from_department != grid.to_department)
    joined = grid.left_join(
        engaged,
        [grid.from_department == engaged.from_department, grid.to_department == engaged.to_department],
    )
    return joined.select(
        from_department=grid.from_department,
        to_department=grid.to_department,
        exposed_customers=grid.exposed_customers.cast("int64"),
        exposed_engaged=joined.exposed_engaged.fill_null(0).cast("int64"),
        control_customers=grid.control_customers.cast("int64"),
        control_engaged=joined.control_engaged.fill_null(0).cast("int64"),
    )


def contagion(prepared: Prepared) -> list[dict[str, Any]]:
    """Engagement with each other department after a bad moment, against customers without one."""
    analysis = prepared.settings.analysis
    least = max(analysis.min_customers, 1)
    rows = pair_counts(prepared).to_pyarrow().to_pylist()
    rows = [r for r in rows if r["exposed_customers"] >= least and r["control_customers"] >= least]
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
                "significant": lo is not None and hi is not None and (lo > 0 or hi < 0),
            }
        )
    out.sort(key=lambda r: (r["difference"], r["from_department"], r["to_department"]))
    return out
