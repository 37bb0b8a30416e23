"""The emotional curve: measured emotion along the journey beside the designed grades.

With a map, one point per step (events at any of the step's touchpoints). Without one, one point per
touchpoint, ordered by its typical position in customers' journeys: the median, over customers, of the
relative position (0 first .. 1 last) of their first event there. A point is a peak (valley) when its
interval lies wholly above (below) the intervals of its neighbours on the curve.
"""

from __future__ import annotations

import ibis

from cxmap.analytics.findings import CurvePoint
from cxmap.analytics.prepare import Prepared
from cxmap.analytics.stats import clean, mean_interval


def _mark_extremes(points: list[CurvePoint]) -> None:
    measured = [p for p in points if p.measured is not None and p.measured_ci[0] is not None]
    for i, p in enumerate(measured):
        neighbours = [measured[j] for j in (i - 1, i + 1) if 0 <= j < len(measured)]
        if not neighbours:
            continue
        lo, hi = (float(v) if v is not None else float("nan") for v in p.measured_ci)
        if all(n.measured_ci[1] is not None and lo > n.measured_ci[1] for n in neighbours):
            p.extreme = "peak"
        elif all(n.measured_ci[0] is not None and hi < n.measured_ci[0] for n in neighbours):
            p.extreme = "valley"


def _stats(prepared: Prepared, key_table: ibis.Table | None) -> dict[str, dict[str, float]]:
    """Mean, sd, scored count, events and customers per curve key (step or touchpoint)."""
    e = prepared.events
    if key_table is not None:
        e = e.join(key_table, e.touchpoint == key_table.tp).mutate(key=key_table.key)
    else:
        e = e.mutate(key=e.touchpoint)
    agg = e.group_by("key").aggregate(
        mean=e.emotion.mean(),
        sd=e.emotion.std(),
        scored=e.emotion.count(),
        events=e.count(),
        customers=e.customer_id.nunique(),
    )
    return {r["key"]: r for r in agg.to_pyarrow().to_pylist()}


def _typical_order(prepared: Prepared) -> list[str]:
    e = prepared.events
    w = ibis.window(group_by="customer_id", order_by=["ts", "load_id", "row"])
    ranked = e.mutate(rank=ibis.row_number().over(w), total=e.count().over(ibis.window(group_by="customer_id")))
    first = ranked.group_by(["customer_id", "touchpoint"]).aggregate(
        pos=((ranked["rank"].min()) / ibis.greatest(ranked.total.max() - 1, 1))
    )
    typical = first.group_by("touchpoint").aggregate(position=first.pos.median())
    rows = typical.to_pyarrow().to_pylist()
    return [r["touchpoint"] for r in sorted(rows, key=lambda r: (r["position"], r["touchpoint"]))]


def curve(prepared: Prepared) -> list[CurvePoint]:
    """The measured curve; with a map, the designed grades and the gap beside it."""
    conf = prepared.settings.analysis.confidence
    the_map = prepared.map
    if the_map is not None:
        pairs = [{"key": s.id, "tp": t} for s in the_map.steps for t in s.touchpoints]
        table = ibis.memtable(pairs or [{"key": "", "tp": ""}])
        stats = _stats(prepared, table)
        keys: list[tuple[str | None, str | None, str, str | None, float | None]] = [
            (p.step.id, None, p.step.action, p.stage.id, p.step.emotion.during if p.step.emotion else None)
            for p in the_map.placed_steps
        ]
    else:
        stats = _stats(prepared, None)
        keys = [(None, tp, prepared.name(tp), None, None) for tp in _typical_order(prepared)]
    points = []
    for i, (step, tp, label, stage, designed) in enumerate(keys):
        s = stats.get(step or tp or "", {})
        mean = s.get("mean")
        sd = s.get("sd")
        lo, hi = mean_interval(
            [float("nan") if mean is None else mean], [float("nan") if sd is None else sd], [s.get("scored", 0)], conf
        )
        points.append(
            CurvePoint(
                index=i,
                step=step,
                touchpoint=tp,
                label=label,
                stage=stage,
                designed=designed,
                measured=mean,
                measured_ci=[clean(lo[0]), clean(hi[0])],
                gap=None if mean is None or designed is None else mean - designed,
                events=int(s.get("events", 0)),
                customers=int(s.get("customers", 0)),
            )
        )
    _mark_extremes(points)
    return points
