"""The findings of an analysis as typed objects; their JSON is the contract of `cxmap analyze --json`.

Keys named in the issues are a contract: add keys, never rename. Shares and rates are fractions 0-1;
emotion is on 0-10; a value that cannot be computed (too little data) is null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from cxmap.analytics.comparison import Evidence

Interval = list[float | None]  # [low, high]


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SetOnly(Finding):
    """A model whose JSON carries only the keys that were set: an answer whose shape depends on the case
    (conformance without a map has a `reason` and no steps) keeps that shape, with no keys written as null
    that the case never had. Every field's type still appears in the JSON schema. Its fields have no aliases
    (the keys kept are the set fields' names)."""

    # Without a return annotation pydantic describes the model's own fields in the schema (with one, it
    # would describe that type instead), so mypy is told to let this one function go unannotated.
    @model_serializer(mode="wrap")
    def _set_only(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        return {k: v for k, v in data.items() if k in self.model_fields_set}


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


class DirectlyFollows(Finding):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    count: int = Field(description="How many times the second touchpoint directly followed the first.")
    customers: int
    median_hours: float | None = Field(description="The median time between the two events, in hours.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class Variant(Finding):
    sequence: list[str]
    customers: int
    share: float | None


class Start(Finding):
    touchpoint: str
    customers: int
    share: float | None


class Dropout(Finding):
    touchpoint: str
    customers_ending: int = Field(description="Customers whose last event is at this touchpoint.")
    share: float | None


class Journeys(Finding):
    """The paths customers really take: directly-follows pairs, top variants, where they start and end."""

    customers: int
    dfg: list[DirectlyFollows]
    variants: list[Variant]
    variant_count: int
    start: list[Start]
    dropout: list[Dropout]


class StepConformance(Finding):
    step: str
    measured: bool = Field(description="Whether any customer reached the step (it has touchpoints with events).")
    reached: int
    done: int
    skipped: int
    out_of_order: int
    late: int
    conformance_rate: float | None


class Deviation(Finding):
    step: str
    deviation: str = Field(examples=["skipped"], description="skipped, out_of_order or late.")
    customers: int
    customers_without: int
    outcome_rate: float | None
    outcome_rate_without: float | None
    difference: float | None
    difference_ci: Interval
    evidence: Evidence
    significant: bool


class Conformance(SetOnly):
    """How the measured journeys follow the map; without a map, `available` is false and `reason` says why."""

    available: bool
    reason: str | None = None
    customers: int | None = None
    steps: list[StepConformance] | None = None
    fully_conformant_share: float | None = None
    deviations: list[Deviation] | None = Field(None, description="With an outcome: each deviation's outcome rates.")
    deviations_judged_until: str | None = Field(None, description="The last step whose deviations are judged.")


class ContagionPair(Finding):
    from_department: str
    to_department: str
    exposed_customers: int
    exposed_engaged: int
    exposed_rate: float | None
    control_customers: int
    control_engaged: int
    control_rate: float | None
    difference: float | None
    difference_ci: Interval
    significant: bool
    evidence: Evidence


class Recovery(Finding):
    """Service recovery: negative moments recovered on time, late or never, and what it did for customers."""

    negative_customers: int
    recovered_on_time: int
    recovered_late: int
    unrecovered: int
    on_time_share: float | None
    median_hours_to_recovery: float | None
    later_emotion_recovered: float | None
    later_emotion_unrecovered: float | None
    outcome_rate_recovered: float | None
    outcome_rate_unrecovered: float | None
    outcome_customers_recovered: int | None
    outcome_customers_unrecovered: int | None
    difference: float | None
    difference_ci: Interval | None
    significant: bool | None
    evidence: Evidence | None
    window_days: int


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
    # None only for a request of the map's findings alone (`Request.parts="map"`, the web's segment views);
    # `cxmap analyze` and the API always compute them.
    journeys: Journeys | None = None
    conformance: Conformance | None = None
    contagion: list[ContagionPair] | None = None
    recovery: Recovery | None = None
    thresholds: dict[str, Any] = Field(default_factory=dict)

    def plain(self, name: Literal["journeys", "conformance", "contagion", "recovery"]) -> Any:
        """A finding about paths as plain data (dicts and lists, keys as in the JSON) for the report, the
        terminal and the pages; empty when it was not computed."""
        value = getattr(self, name)
        if value is None:
            return [] if name == "contagion" else {}
        if isinstance(value, list):
            return [v.model_dump(by_alias=True) for v in value]
        return value.model_dump(by_alias=True)

    def table(self, name: str) -> Any:
        """One list of findings as an Arrow table (`.to_pandas()` for pandas), for notebooks."""
        import pyarrow as pa

        owner = self if name in type(self).model_fields else self.journeys
        value = getattr(owner, name, None)
        if not isinstance(value, list):
            raise KeyError(f"'{name}' is not a list of findings; try touchpoints, curve, hot_spots, problem_areas")
        rows = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
        return pa.Table.from_pylist(rows)
