"""Workspace settings, read from `cxmap.yaml` at the workspace root. Every key has a default."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cxmap.engine_table import ENGINES
from cxmap.errors import MapInvalid
from cxmap.model.raw import read_yaml

SETTINGS_FILE = "cxmap.yaml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LintSettings(Section):
    disable: list[str] = Field(
        default_factory=list,
        description="Lint rules to switch off, by code (for example [CX004]).",
        examples=[["CX004"]],
    )


class IngestSettings(Section):
    sentiment_model: str = Field(
        "vader", description="Model that scores comments without a score (`vader` ships with cxmap)."
    )
    memory_limit: str | None = Field(
        "1GB",
        description="Memory the engine may use while loading; beyond it, work spills to the workspace's "
        ".cxmap/tmp/. Empty: the engine's default (80% of the machine's memory).",
    )


class AnalysisSettings(Section):
    negative_max: float = Field(3, description="An emotion at or below this is a negative moment.")
    positive_min: float = Field(9, description="An emotion at or above this is a positive moment.")
    good_min: float = Field(7, description="Hot spots: a customer's experience at or above this is good.")
    bad_max: float = Field(4, description="Hot spots: a customer's experience at or below this is bad.")
    problem_mean_max: float = Field(4.5, description="Problem area: mean emotion at or below this ...")
    problem_negative_share: float = Field(0.30, description="... or a negative share at or above this.")
    purple_mean_min: float = Field(8.5, description="Purple cow: mean emotion at or above this ...")
    purple_positive_share: float = Field(0.60, description="... and a positive share at or above this.")
    min_events: int = Field(20, description="Scored events a touchpoint needs to be a problem area or purple cow.")
    min_customers: int = Field(20, description="Hot spots: customers needed on each side (good and bad).")
    min_leverage: float = Field(
        0.05,
        description="Hot spots: the adjusted leverage must be at least this (0.05: 5 points). Holding the "
        "experience elsewhere fixed leaves a little of the customer's mood in; on large data such a remainder "
        "is certain but not worth a project.",
    )
    confidence: float = Field(0.95, description="Confidence level of every interval.")
    top_variants: int = Field(20, description="How many journey variants to report.")
    contagion_window_days: int = Field(
        90, description="Contagion: engagement with another department counts within this many days."
    )


class MeasureSettings(Section):
    outcome: str | None = Field(
        None,
        description="Touchpoint id whose occurrence is the outcome, for maps without `measure:` and analyses "
        "without a map. A map's own `measure:` wins; `--outcome` wins for one run.",
        examples=["renewal"],
    )
    outcome_negative: str | None = Field(
        None,
        description="Touchpoint id that is the outcome's opposite (customers with neither are undecided).",
        examples=["churn-notice"],
    )


class RecoverySettings(Section):
    touchpoints: list[str] = Field(
        default_factory=lambda: ["*recover*", "*follow*up*", "*callback*"],
        description="Raw touchpoint names (globs, any case) that count as service recovery, besides map "
        "touchpoints marked `recovery: true`.",
    )
    window_days: int = Field(7, description="A recovery within this many days of a negative moment is on time.")


class GateRule(Section):
    own_min: float = Field(7, description="The contact's own current experience must be at least this.")
    colleague_max: float = Field(
        3, description="Refused while another contact of the account is at or below this ('terrible')."
    )
    no_open_alert: bool = Field(True, description="Refused while the account has an open recovery alert.")


def _default_gates() -> dict[str, GateRule]:
    return {action: GateRule() for action in ("review", "referral", "case-study", "upsell")}


class AccountSettings(Section):
    window_days: int = Field(90, description="A contact's current experience: scored events in this many days.")
    policy: str = Field("worst", description="Account experience from its contacts: worst, mean or weighted.")
    role_weights: dict[str, float] = Field(
        default_factory=dict, description="Weights by contact role for the weighted policy (others weigh 1)."
    )
    alert_window_days: int = Field(
        90, description="Negative moments older than this many days no longer open a recovery alert."
    )
    gates: dict[str, GateRule] = Field(
        default_factory=_default_gates, description="Actions `cxmap gate` answers for, each with its rule."
    )

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        if value not in ("worst", "mean", "weighted"):
            raise ValueError(f"'{value}' is not a policy; use worst, mean or weighted")
        return value


class Settings(Section):
    """The contents of cxmap.yaml."""

    name: str | None = Field(None, description="A name for the workspace, shown in reports.")
    timezone: str = Field("UTC", description="Time zone (IANA name) for timestamps without one and for calendar dates.")
    lint: LintSettings = Field(default_factory=LintSettings, description="`cxmap check` options.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="`cxmap ingest` options.")
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings, description="Thresholds of findings.")
    measure: MeasureSettings = Field(
        default_factory=MeasureSettings, description="The outcome analyses use when the map sets none."
    )
    recovery: RecoverySettings = Field(default_factory=RecoverySettings, description="Service recovery.")
    accounts: AccountSettings = Field(default_factory=AccountSettings, description="Accounts and operating.")
    engine: str = Field(
        "duckdb",
        description="Engine that runs the analytics: `duckdb` (embedded) or `pyspark` (needs `cxmap[spark]` and "
        "Java 17). `--engine` overrides it for one run.",
    )
    store: str | None = Field(
        None,
        description="Where the events live. Empty: the embedded file cxmap.duckdb. A folder or URL "
        "(`file:///data/cx/events`, `parquet:///...`, or a path relative to the workspace): a Parquet dataset "
        "partitioned by month; `s3a://` and `hdfs://` URLs are passed to Spark.",
    )
    spark: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Spark settings for the pyspark engine, without the `spark.` prefix (for example "
        "`master: local[4]`, `executor.memory: 4g`). Default master: local[*].",
        examples=[{"master": "local[2]", "sql.shuffle.partitions": 8}],
    )

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"'{value}' is not an engine; use one of: {', '.join(ENGINES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone name (for example UTC or Europe/Amsterdam)") from None
        return value


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a cxmap.yaml (as git finds its repository)."""
    here = start.resolve()
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def load_settings(workspace: Path | None) -> Settings:
    """Settings of a workspace; the defaults when there is none."""
    if workspace is None:
        return Settings()
    doc = read_yaml(workspace / SETTINGS_FILE)
    try:
        return Settings.model_validate(doc.data)
    except ValidationError as exc:
        from cxmap.model.validate import problems_from  # the map schema it imports is only needed here

        problems = problems_from(exc, doc, Settings)
        raise MapInvalid(f"{doc.path} has {len(problems)} problems", problems) from None
