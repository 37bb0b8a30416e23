"""The JSON API's other bodies as pydantic models, for the OpenAPI schema: errors, maps, loads, status and
quarantine. The findings and the account answers are the service's own models (`cxmap.service.answers`,
`cxmap.analytics.findings`), used as the routes' response models as they are. Every model here allows
extra keys: keys are added over time, never renamed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


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
