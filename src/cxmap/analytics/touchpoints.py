"""Per touchpoint (and per segment and period when asked): volume, reach and emotion with its interval.

One aggregation in the engine over all touchpoints at once, and one count of all customers for the
reach; the intervals are then computed on the aggregated rows.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from cxmap.analytics.findings import TouchpointStats
from cxmap.analytics.prepare import Prepared, count_where
from cxmap.analytics.stats import clean, mean_interval


def _share(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if whole else None


def touchpoint_steps(prepared: Prepared) -> dict[str, list[str]]:
    """Map steps each touchpoint appears in, in journey order."""
    found: dict[str, list[str]] = {}
    if prepared.map is not None:
        for step in prepared.map.steps:
            for tp in step.touchpoints:
                found.setdefault(tp, []).append(step.id)
    return found


def _grouping_key(prepared: Prepared) -> tuple[ir.StringColumn, dict[str, str]]:
    """Raw names to group the events by, and the touchpoint each stands for.

    The first raw name of each touchpoint stands for it, so only the events of touchpoints with several raw
    names go through the CASE that maps a name: mapping every event would add about a tenth to the
    aggregation, and most touchpoints have one raw name. The groups are exactly the touchpoints'.
    """
    stand_in: dict[str, str] = {}
    touchpoint_of: dict[str, str] = {}
    for tp_id, tp in prepared.touchpoints.items():
        if tp.raw_names:
            first, *others = tp.raw_names
            touchpoint_of[first] = tp_id
            stand_in.update(dict.fromkeys(others, first))
    raw = prepared.events.raw_touchpoint
    return (raw.substitute(stand_in) if stand_in else raw).name("raw_key"), touchpoint_of


def _all_customers(prepared: Prepared, splits: list[str]) -> dict[tuple[str, str], int]:
    """Customers in scope per (segment, period), as a query of its own.

    Joined into the per-touchpoint query, it would make the engine read the events once for both and keep
    them all in memory in between (DuckDB materialises a subquery used twice): slower than reading again.
    """
    e = prepared.events
    if not splits:
        row = e.aggregate(n=e.customer_id.nunique()).to_pyarrow().to_pylist()[0]
        return {("all", "all"): int(row["n"])}
    totals = e.group_by(splits).aggregate(n=e.customer_id.nunique()).to_pyarrow().to_pylist()
    return {(r["segment"], r["period"]): int(r["n"]) for r in totals}


def touchpoint_stats(prepared: Prepared) -> list[TouchpointStats]:
    """Stats for every touchpoint with events, map touchpoints first in map order, then by volume.

    One aggregation over the events; its three distinct counts of customers (all, with a negative, with a
    positive moment) were measured against one pass per (touchpoint, customer) with the lowest and highest
    emotion, which DuckDB ran about 5% slower (benchmarks/README.md, analysis).
    """
    e = prepared.events
    a = prepared.settings.analysis
    scored = e.emotion.notnull()
    splits = ["segment", "period"] if prepared.scope.segment is not None or prepared.scope.period is not None else []
    key, touchpoint_of = _grouping_key(prepared)
    stats = e.group_by([key, *splits]).aggregate(
        events=e.count(),
        customers=e.customer_id.nunique(),
        scored=e.emotion.count(),
        mean=e.emotion.mean(),
        sd=e.emotion.std(),
        median=e.emotion.median(),
        negative=count_where(e.emotion <= a.negative_max),
        positive=count_where(e.emotion >= a.positive_min),
        sentiment=count_where(scored & (e.emotion_source != "score")),
        customers_negative=e.customer_id.nunique(where=e.emotion <= a.negative_max),
        customers_positive=e.customer_id.nunique(where=e.emotion >= a.positive_min),
    )
    rows = stats.to_pyarrow().to_pylist()
    all_customers = _all_customers(prepared, splits)
    for r in rows:
        r["touchpoint"] = touchpoint_of[r["raw_key"]]
        r.setdefault("segment", "all")
        r.setdefault("period", "all")
        r["all_customers"] = all_customers[r["segment"], r["period"]]
    low, high = mean_interval(
        [r["mean"] if r["mean"] is not None else float("nan") for r in rows],
        [r["sd"] if r["sd"] is not None else float("nan") for r in rows],
        [r["scored"] for r in rows],
        a.confidence,
    )
    steps = touchpoint_steps(prepared)
    result = []
    for r, lo, hi in zip(rows, low, high, strict=True):
        tp = prepared.touchpoints.get(r["touchpoint"])
        result.append(
            TouchpointStats(
                id=r["touchpoint"],
                name=prepared.name(r["touchpoint"]),
                on_map=bool(tp and tp.on_map),
                segment=r["segment"],
                period=r["period"],
                events=r["events"],
                customers=r["customers"],
                reach=_share(r["customers"], r["all_customers"]),
                scored_events=r["scored"],
                emotion_mean=clean(r["mean"]) if r["mean"] is not None else None,
                emotion_ci=[clean(lo), clean(hi)],
                emotion_median=r["median"],
                negative_share=_share(r["negative"], r["scored"]),
                positive_share=_share(r["positive"], r["scored"]),
                sentiment_share=_share(r["sentiment"], r["scored"]),
                customers_negative=r["customers_negative"],
                customers_positive=r["customers_positive"],
                steps=steps.get(r["touchpoint"], []),
            )
        )
    order = {tp_id: i for i, tp_id in enumerate(prepared.touchpoints)}
    return sorted(
        result, key=lambda t: (t.segment, t.period, not t.on_map, order.get(t.id, 0) if t.on_map else -t.events, t.id)
    )


def scope_counts(prepared: Prepared) -> tuple[int, int]:
    """(customers, events) in scope."""
    e = prepared.events
    row = e.aggregate(customers=e.customer_id.nunique(), events=e.count()).to_pyarrow().to_pylist()[0]
    return int(row["customers"]), int(row["events"])
