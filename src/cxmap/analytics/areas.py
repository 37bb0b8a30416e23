"""Problem areas and purple cows: where the experience is poor, and where it is remarkably good.

From the per-touchpoint stats over the whole scope. A problem area has at least `min_events` scored
events and a mean emotion <= problem_mean_max or a negative share >= problem_negative_share; problem
areas rank by how many customers they hurt (customers with at least one negative moment there). A purple
cow has at least `min_events` scored events, a mean >= purple_mean_min and a positive share >=
purple_positive_share; purple cows rank by how many customers they delight.
"""

from __future__ import annotations

from cxmap.analytics.findings import ProblemArea, PurpleCow, TouchpointStats
from cxmap.settings import AnalysisSettings


def problem_areas(stats: list[TouchpointStats], a: AnalysisSettings) -> list[ProblemArea]:
    found = [
        ProblemArea(
            touchpoint=t.id,
            name=t.name,
            emotion_mean=t.emotion_mean,
            negative_share=t.negative_share,
            customers=t.customers_negative,
            scored_events=t.scored_events,
            steps=t.steps,
        )
        for t in stats
        if t.scored_events >= a.min_events
        and (
            (t.emotion_mean is not None and t.emotion_mean <= a.problem_mean_max)
            or (t.negative_share is not None and t.negative_share >= a.problem_negative_share)
        )
    ]
    return sorted(found, key=lambda p: (-p.customers, p.touchpoint))


def purple_cows(stats: list[TouchpointStats], a: AnalysisSettings) -> list[PurpleCow]:
    found = [
        PurpleCow(
            touchpoint=t.id,
            name=t.name,
            emotion_mean=t.emotion_mean,
            positive_share=t.positive_share,
            customers=t.customers_positive,
            scored_events=t.scored_events,
            steps=t.steps,
        )
        for t in stats
        if t.scored_events >= a.min_events
        and t.emotion_mean is not None
        and t.emotion_mean >= a.purple_mean_min
        and t.positive_share is not None
        and t.positive_share >= a.purple_positive_share
    ]
    return sorted(found, key=lambda p: (-p.customers, p.touchpoint))
