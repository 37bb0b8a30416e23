"""Service recovery: after a bad moment, did the organisation reach out, how fast, and did it help?

Definitions (per customer):

- t0 is the customer's **first negative moment**: the earliest scored event with emotion <=
  `analysis.negative_max` (default 3). Customers without one are not part of this finding.
- A **recovery touchpoint** is a map touchpoint marked `recovery: true` or a raw touchpoint name that
  matches a glob of `recovery.touchpoints` (default `*recover*`, `*follow*up*`, `*callback*`, any case).
- The **recovery** is the customer's first recovery event strictly after t0 (ts > t0: the negative event
  itself, and anything at the same timestamp, is never its recovery). With dt = its ts - t0 and window =
  `recovery.window_days` x 24 h of elapsed time (default 7 days = 168 h): **on time** when dt <= window,
  **late** when dt > window (a late alert, closed late), **unrecovered** without one.
- on_time_share = recovered_on_time / negative_customers; median_hours_to_recovery is the median dt in
  hours over every recovery found (on time and late; the mean of the middle two for an even count).
- later_emotion_recovered / _unrecovered: the mean emotion (0-10) of all scored, non-recovery events
  strictly after t0, pooled over the customers recovered on time / unrecovered (late ones are in neither).
- With an outcome: outcome_rate_recovered / _unrecovered is the share of decided customers recovered on
  time / unrecovered who reached the outcome (see outcomes.py); difference = recovered - unrecovered with
  Newcombe's hybrid score interval at `analysis.confidence`, and `evidence` as for every comparison
  (comparison.py): significant only with enough customers on both sides and an interval that excludes 0.
  Without an outcome these are null.

One query: a window over each customer's events finds t0, one aggregation per customer finds the
recovery and the later emotions, and one more folds the customers into the few numbers reported.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.comparison import clear, evidence
from cxmap.analytics.prepare import MICROSECONDS, Prepared, elapsed_microseconds
from cxmap.analytics.stats import clean, newcombe


def customer_recovery(prepared: Prepared) -> ir.Table:
    """One row per customer with a negative moment: t0, first_recovery, hours, status, later emotions."""
    e = prepared.events
    negative = (e.emotion <= prepared.settings.analysis.negative_max).fill_null(False)
    e = e.mutate(t0=e.ts.min(where=negative).over(ibis.window(group_by=e.customer_id)))
    e = e.filter(e.t0.notnull())
    later = e.ts > e.t0
    recovery = e.is_recovery.fill_null(False)
    scored_later = later & ~recovery & e.emotion.notnull()
    per = e.group_by(e.customer_id).aggregate(
        t0=e.t0.min(),
        first_recovery=e.ts.min(where=later & recovery),
        later_emotion_sum=e.emotion.sum(where=scored_later),
        later_emotion_n=e.emotion.count(where=scored_later),
    )
    window = ibis.interval(hours=prepared.settings.recovery.window_days * 24)
    status = ibis.cases(
        (per.first_recovery.isnull(), "unrecovered"),
        (per.first_recovery <= per.t0 + window, "on_time"),
        else_="late",
    )
    hours = elapsed_microseconds(per.first_recovery, per.t0) / MICROSECONDS["hour"]
    return per.mutate(status=status, hours=hours.cast("float64"))


def recovery(prepared: Prepared, outcomes: ir.Table | None) -> dict[str, Any]:
    """How many negative moments got a recovery on time, late or never, and what it did for customers."""
    per = customer_recovery(prepared)
    if outcomes is not None:
        o = outcomes.select(_customer=outcomes.customer_id, _outcome=outcomes.outcome, _decided=outcomes.decided)
        per = per.left_join(o, per.customer_id == o._customer)
        decided = per._decided.fill_null(False)
        reached = decided & (per._outcome == 1)
    else:
        decided = reached = ibis.literal(False)
    on_time, unrecovered = per.status == "on_time", per.status == "unrecovered"
    totals = per.aggregate(
        negative_customers=per.count(),
        recovered_on_time=on_time.sum(),
        recovered_late=(per.status == "late").sum(),
        unrecovered=unrecovered.sum(),
        median_hours=per.hours.median(),
        rec_sum=per.later_emotion_sum.sum(where=on_time),
        rec_n=per.later_emotion_n.sum(where=on_time),
        unrec_sum=per.later_emotion_sum.sum(where=unrecovered),
        unrec_n=per.later_emotion_n.sum(where=unrecovered),
        rec_decided=(on_time & decided).sum(),
        rec_reached=(on_time & reached).sum(),
        unrec_decided=(unrecovered & decided).sum(),
        unrec_reached=(unrecovered & reached).sum(),
    )
    row = totals.to_pyarrow().to_pylist()[0]
    t = {k: (0 if v is None and k != "median_hours" else v) for k, v in row.items()}
    return _summary(prepared, t, with_outcome=outcomes is not None)


def _ratio(num: float, den: float) -> float | None:
    return float(num) / den if den else None


def _summary(prepared: Prepared, t: dict[str, Any], with_outcome: bool) -> dict[str, Any]:
    """The reported numbers from the engine's totals (one row)."""
    result: dict[str, Any] = {
        "negative_customers": int(t["negative_customers"]),
        "recovered_on_time": int(t["recovered_on_time"]),
        "recovered_late": int(t["recovered_late"]),
        "unrecovered": int(t["unrecovered"]),
        "on_time_share": _ratio(t["recovered_on_time"], t["negative_customers"]),
        "median_hours_to_recovery": None if t["median_hours"] is None else float(t["median_hours"]),
        "later_emotion_recovered": _ratio(t["rec_sum"], t["rec_n"]),
        "later_emotion_unrecovered": _ratio(t["unrec_sum"], t["unrec_n"]),
        "outcome_rate_recovered": None,
        "outcome_rate_unrecovered": None,
        "outcome_customers_recovered": None,
        "outcome_customers_unrecovered": None,
        "difference": None,
        "difference_ci": None,
        "significant": None,
        "evidence": None,
        "window_days": prepared.settings.recovery.window_days,
    }
    if with_outcome:
        k1, n1, k2, n2 = (int(t[k]) for k in ("rec_reached", "rec_decided", "unrec_reached", "unrec_decided"))
        diff, low, high = newcombe(k1, n1, k2, n2, prepared.settings.analysis.confidence)
        lo, hi = clean(float(low)), clean(float(high))
        kind = evidence(n1, n2, k1, k2, prepared.settings.analysis.min_customers)
        result.update(
            outcome_rate_recovered=_ratio(k1, n1),
            outcome_rate_unrecovered=_ratio(k2, n2),
            outcome_customers_recovered=n1,
            outcome_customers_unrecovered=n2,
            difference=clean(float(diff)),
            difference_ci=[lo, hi],
            significant=clear(kind, lo, hi),
            evidence=kind,
        )
    return result
