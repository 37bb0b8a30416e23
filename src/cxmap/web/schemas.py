"""The JSON API's bodies as pydantic models: they document the OpenAPI schema (the routes return the
services' dicts as they are, the same bodies as the CLI's `--json`). Every model allows extra keys: keys
are added over time, never renamed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


AsOfText = Annotated[
    str,
    Field(
        description="The moment the answer is as of, in the workspace's time zone with its offset (ISO 8601); "
        "its date is the as-of day. The same as the X-Cxmap-As-Of header.",
        examples=["2025-03-11T00:30:00+01:00"],
    ),
]


class ErrorDetail(Body):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no account 'ACME-001' in the workspace"])
    details: list[Any] = Field(default_factory=list)


class ErrorBody(Body):
    """Every error of the API has this one shape."""

    error: ErrorDetail


class MapSummary(Body):
    file: str
    id: str | None = Field(description="Null when the file is not a valid map.")
    valid: bool
    title: str | None = None
    kind: str | None = None
    version: int | None = None
    persona: str | None = None
    stages: int | None = None
    steps: int | None = None
    touchpoints: int | None = None
    problems: list[str] | None = Field(None, description="Why the file is not a valid map.")


class AccountRow(Body):
    """One account: only as happy as its worst contact (by default)."""

    account_id: str
    name: str | None
    segment: str | None
    owner: str | None
    experience: float | None = Field(description="0-10; null when no contact has a current experience.")
    set_by: str | None = Field(description="The contact with the lowest current experience.")
    contacts: int
    scored_contacts: int
    open_alerts: int
    policy: str = Field(examples=["worst"])
    as_of: AsOfText


class Alert(Body):
    """An open service-recovery alert: a negative moment not yet followed by a recovery."""

    customer_id: str
    account_id: str | None
    touchpoint: str
    at: str = Field(description="When the negative moment happened (UTC, ISO 8601).")
    emotion: float
    days_open: int
    overdue: bool


class GateAnswer(Body):
    """May we ask this contact for a review (or referral, ...) now? Never while a colleague suffers."""

    customer_id: str
    account_id: str | None
    action: str
    allowed: bool
    reasons: list[str] = Field(description="Every reason it was refused, naming the contact, score and date.")
    experience: float | None
    as_of: AsOfText


class Contact(Body):
    customer_id: str
    account_id: str | None
    role: str | None
    experience: float | None
    scored: int
    last_scored_at: str | None
    gate: GateAnswer | None = Field(None, description="The answer for a review request.")


class TimelineEvent(Body):
    customer_id: str
    ts: str
    at: str
    touchpoint: str
    touchpoint_name: str
    raw_touchpoint: str
    channel: str | None
    department: str | None
    emotion: float | None
    emotion_source: str | None
    comment: str | None


class Milestone(Body):
    account_id: str
    milestone: str
    touchpoint: str
    due: str = Field(description="A calendar date (YYYY-MM-DD).")
    status: str = Field(examples=["overdue"], description="done, late, overdue or upcoming.")
    done_at: str | None


class AccountDetail(Body):
    """One account with each contact's experience and gating answer, open alerts and timeline."""

    account_id: str
    name: str | None
    segment: str | None
    owner: str | None
    experience: float | None
    set_by: str | None
    contacts: list[Contact]
    scored_contacts: int
    open_alerts: int
    policy: str
    as_of: AsOfText
    alerts: list[Alert]
    map: str | None = Field(None, description="With `map`: the map, the account's milestones and progress.")
    milestones: list[Milestone] | None = None
    progress: dict[str, Any] | None = None
    events: list[TimelineEvent]


class EmotionPoint(Body):
    at: str
    emotion: float


class CustomerDetail(Body):
    """One person's journey: their events oldest first and their emotion line."""

    customer_id: str
    account_id: str | None
    role: str | None
    experience: float | None
    scored: int
    as_of: AsOfText
    alerts: list[Alert]
    emotion_line: list[EmotionPoint]
    events: list[TimelineEvent]
    map: str | None = None
    progress: dict[str, Any] | None = None


class Verification(Body):
    verification: str
    kind: str = Field(description="milestone (on_time), experience (satisfied), reach (reached), outcome or manual.")
    measure: str = Field(description="What `measured` counts: reached, on_time, satisfied, outcome or manual.")
    text: str
    measured: float | None = Field(description="The share of `accounts` that passes; null when nothing counts.")
    target: float
    passed: bool | None
    accounts: int = Field(description="The denominator: the accounts the measure counts (docs/accounts.md).")
    failing_accounts: list[str]
    reason: str | None = Field(description="Why `measured` is null, in a sentence; null when it is measured.")


class QuarantinedRow(Body):
    load_id: int
    file: str
    line: int | None = Field(description="For POST /api/events: the event's position in the batch (from 1).")
    reason: str
    raw: str | None


class LoadWarning(Body):
    """A key that looks like a score or a comment but was kept as an attribute (see docs/data.md)."""

    code: str = Field(examples=["unmapped_score"])
    column: str = Field(examples=["CSAT (1-5)"])
    message: str


class LoadResult(Body):
    """What a load did; `quarantine` lists the events of the batch that could not be loaded, and why."""

    load_id: int | None
    kind: str
    sources: list[str]
    rows_read: int
    loaded: int
    duplicates: int
    quarantined: int
    replaced: int
    comments_scored: int
    warnings: list[LoadWarning] = Field(default_factory=list)
    quarantine: list[QuarantinedRow] = Field(default_factory=list)


class Quarantine(Body):
    workspace: str
    total: int
    shown: int
    rows: list[QuarantinedRow]


class Status(Body):
    """What is in the workspace (`cxmap status --json`)."""

    workspace: str
    timezone: str
    maps: list[str]
    events: int
    customers: int
    accounts: int
    contacts: int
    quarantined: int
    loads: list[dict[str, Any]]


EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One touchpoint event; the same columns as a file for `cxmap ingest` (JSON Lines).",
    "properties": {
        "customer_id": {"type": "string", "example": "C-1042"},
        "timestamp": {"type": "string", "example": "2026-03-02T09:30:00Z"},
        "touchpoint": {"type": "string", "example": "Kickoff call"},
        "score": {"type": ["number", "null"], "example": 4},
        "comment": {"type": ["string", "null"]},
        "account_id": {"type": ["string", "null"]},
        "channel": {"type": ["string", "null"]},
        "department": {"type": ["string", "null"]},
        "event_id": {"type": ["string", "null"]},
    },
    "required": ["customer_id", "timestamp", "touchpoint"],
}
EVENTS_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"oneOf": [EVENT_SCHEMA, {"type": "array", "items": EVENT_SCHEMA, "minItems": 1}]},
            "example": [
                {"customer_id": "C-1042", "timestamp": "2026-03-02T09:30:00Z", "touchpoint": "Kickoff call", "score": 4}
            ],
        }
    },
}
