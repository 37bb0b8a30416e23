"""Evidence behind findings: a few recent customer comments per touchpoint, in one engine query."""

from __future__ import annotations

from typing import Any

import ibis

from cxmap.analytics.prepare import Prepared


def sample_comments(
    prepared: Prepared, touchpoints: list[str], per_touchpoint: int = 3
) -> dict[str, list[dict[str, Any]]]:
    """The most recent comments at each touchpoint, lowest and highest emotion alike, newest first."""
    if not touchpoints:
        return {}
    e = prepared.events
    e = e.filter(e.comment.notnull() & e.touchpoint.isin(touchpoints))
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


def evidence_for(prepared: Prepared, findings: Any) -> dict[str, list[dict[str, Any]]]:
    """Sample comments for every touchpoint a finding points at (hot spots, problem areas, purple cows)."""
    wanted = {s.touchpoint for s in findings.hot_spots}
    wanted |= {p.touchpoint for p in findings.problem_areas} | {p.touchpoint for p in findings.purple_cows}
    return sample_comments(prepared, sorted(wanted))
