"""The findings of an analysis as typed objects; their JSON is the contract of `cxmap analyze --json`.

Keys named in the issues are a contract: add keys, never rename. Shares and rates are fractions 0-1;
emotion is on 0-10; a value that cannot be computed (too little data) is null.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxmap.analytics.comparison import Evidence

Interval = list[float | None]  # [low, high]


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TouchpointStats(Finding):
    id: str
    name: str
    on_map: bool = False
    segment: str = "all"
    period: str = "all"
    events: int
    customers: int
    reach: float | None = Field(description="Share of all customers in scope who met this touchpoint.")
    scored_events: int
    emotion_mean: float | None
    emotion_ci: Interval
    emotion_median: float | None
    negative_share: float | None = Field(description="Share of scored events with emotion <= negative_max.")
    positive_share: float | None = Field(description="Share of scored events with emotion >= positive_min.")
    sentiment_share: float | None = Field(description="Share of scored events whose emotion came from comments.")
    customers_negative: int = Field(0, description="Customers with at least one negative moment here.")
    customers_positive: int = Field(0, description="Customers with at least one positive moment here.")
    steps: list[str] = Field(default_factory=list, description="Map steps this touchpoint appears in.")


class CurvePoint(Finding):
    index: int
    step: str | None = Field(description="Map step id (null without a map: then one point per touchpoint).")
    touchpoint: str | None = None
    label: str
    stage: str | None = None
    designed: float | None
    measured: float | None
    measured_ci: Interval
    gap: float | None = Field(description="measured - designed")
    events: int
    customers: int
    extreme: str | None = Field(None, description="'peak' or 'valley' when it stands out beyond its uncertainty.")


class HotSpot(Finding):
    touchpoint: str
    name: str
    leverage: float | None = Field(description="Raw: outcome_rate_good - outcome_rate_bad.")
    leverage_ci: Interval
    leverage_adjusted: float | None = Field(
        None, description="The difference holding the customer's experience elsewhere fixed (see method)."
    )
    leverage_adjusted_ci: Interval = Field(default_factory=lambda: list[float | None]([None, None]))
    method: str = Field("", description="How leverage_adjusted is computed.")
    customers_adjusted: int = Field(0, description="Good and bad customers in the adjusted comparison.")
    outcome_rate_good: float | None
    outcome_rate_bad: float | None
    customers_good: int
    customers_bad: int
    customers: int
    reach: float | None
    score: float | None = Field(description="leverage_adjusted x reach: the ranking key")
    significant: bool = Field(description="A hot spot: decided on the adjusted leverage.")
    moves_with_satisfaction: bool = Field(
        False, description="A clear raw gap that the experience elsewhere explains: not a hot spot."
    )
    evidence: Evidence = Field(
        "enough",
        description="enough: both sides have min_customers; too_few: a side has fewer (never a finding); "
        "separated: one rate 0 and the other 1, suspicious (never a finding).",
    )
    evidence_adjusted: Evidence = Field("enough", description="The evidence of the adjusted comparison.")
    moment_of_truth: bool = False


class OutcomeDefinition(Finding):
    """Which touchpoints were the outcome and its opposite, and where that choice came from."""

    outcome: str | None = Field(description="Touchpoint id whose occurrence is the outcome.")
    outcome_negative: str | None = Field(description="Touchpoint id of its opposite; null: every customer decided.")
    source: str = Field(
        description="request (named for this run), map (the map's measure:), settings (cxmap.yaml's measure:), "
        "default (a guess: the map's last measured step) or none."
    )


class SatisfactionBand(Finding):
    band: str
    customers: int
    outcome_rate: float | None
    outcome_ci: Interval


class ProblemArea(Finding):
    touchpoint: str
    name: str
    emotion_mean: float | None
    negative_share: float | None
    customers: int = Field(description="Customers hurt: with at least one negative moment here.")
    scored_events: int
    steps: list[str] = Field(default_factory=list)


class PurpleCow(Finding):
    touchpoint: str
    name: str
    emotion_mean: float | None
    positive_share: float | None
    customers: int = Field(description="Customers delighted: with at least one positive moment here.")
    scored_events: int
    steps: list[str] = Field(default_factory=list)


class Findings(Finding):
    """Everything `cxmap analyze` finds, ready for JSON, the terminal and the report."""

    workspace: str
    map: str | None
    outcome: str | None
    outcome_negative: str | None = None
    outcome_definition: OutcomeDefinition | None = None
    since: str | None = None
    until: str | None = None
    segment: str | None = None
    period: str | None = None
    customers: int
    events: int
    touchpoints: list[TouchpointStats]
    curve: list[CurvePoint]
    hot_spots: list[HotSpot] = Field(description="Significant hot spots only, best first.")
    hot_spot_candidates: list[HotSpot] = Field(default_factory=list, description="Every touchpoint tested.")
    satisfaction_proxies: list[HotSpot] = Field(
        default_factory=list,
        description="Touchpoints whose clear raw gap the customer's experience elsewhere explains.",
    )
    moments_of_truth_unconfirmed: list[str] = Field(default_factory=list)
    satisfaction_bands: list[SatisfactionBand] = Field(default_factory=list)
    problem_areas: list[ProblemArea]
    purple_cows: list[PurpleCow]
    journeys: dict[str, Any]
    conformance: dict[str, Any]
    contagion: list[dict[str, Any]]
    recovery: dict[str, Any]
    thresholds: dict[str, Any] = Field(default_factory=dict)

    def table(self, name: str) -> Any:
        """One list of findings as an Arrow table (`.to_pandas()` for pandas), for notebooks."""
        import pyarrow as pa

        value = getattr(self, name) if name in type(self).model_fields else self.journeys.get(name)
        if not isinstance(value, list):
            raise KeyError(f"'{name}' is not a list of findings; try touchpoints, curve, hot_spots, problem_areas")
        rows = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
        return pa.Table.from_pylist(rows)
