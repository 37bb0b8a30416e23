"""Evidence behind findings: a few recent customer comments per touchpoint, in one engine query.

A finding quotes only comments that say what it says: a purple cow quotes delighted customers (emotion
>= positive_min), a problem area hurt ones (<= negative_max), a hot spot good or bad experiences (>= good_min
or <= bad_max); a neutral "Call rescheduled to Thursday" is never the evidence of a wow.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import Prepared


def sample_comments(
    prepared: Prepared, touchpoints: list[str], per_touchpoint: int = 3, where: ir.BooleanValue | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The most recent comments at each touchpoint (of the events `where` holds), newest first."""
    if not touchpoints:
        return {}
    e = prepared.events
    e = e.filter(e.comment.notnull() & e.touchpoint.isin(touchpoints))
    if where is not None:
        e = e.filter(where)
    newest = [ibis.desc("ts"), ibis.desc("load_id"), ibis.desc("row")]  # ties: the later row (DECISIONS.md)
    w = ibis.window(group_by="touchpoint", order_by=newest)
    recent = e.mutate(n=ibis.row_number().over(w)).filter(lambda t: t.n < per_touchpoint)
    found: dict[str, list[dict[str, Any]]] = {}
    for r in (
        recent.select("touchpoint", "comment", "emotion", "ts", "load_id", "row")
        .order_by(["touchpoint", *newest])
        .to_pyarrow()
        .to_pylist()
    ):
        found.setdefault(r["touchpoint"], []).append(
            {"comment": r["comment"], "emotion": r["emotion"], "at": r["ts"].isoformat() if r["ts"] else None}
        )
    return found


def evidence_for(prepared: Prepared, findings: Any, per_touchpoint: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Sample comments for every touchpoint a finding points at, in the finding's own tone (see above); a
    touchpoint that is a purple cow or a problem area and also a hot spot keeps the first's quotes."""
    a, emotion = prepared.settings.analysis, prepared.events.emotion
    kinds = [
        ([p.touchpoint for p in findings.purple_cows], emotion >= a.positive_min),
        ([p.touchpoint for p in findings.problem_areas], emotion <= a.negative_max),
        ([s.touchpoint for s in findings.hot_spots], (emotion >= a.good_min) | (emotion <= a.bad_max)),
    ]
    found: dict[str, list[dict[str, Any]]] = {}
    for touchpoints, tone in kinds:
        wanted = sorted(set(touchpoints) - set(found))
        found |= {t: [] for t in wanted} | sample_comments(prepared, wanted, per_touchpoint, tone)
    return {t: quotes for t, quotes in found.items() if quotes}
