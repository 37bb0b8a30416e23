"""The account answers as pydantic models: `accounts`, `account`, `customer`, `gate`, `alerts`,
`milestones` and `verify`. The CLI's --json, the API's bodies and its OpenAPI schema are all these models,
dumped (`answer_json`) or described by FastAPI; nothing describes them a second time.

Fields are declared in the order the JSON has always had them. A key that only some answers carry (the
map's milestones and progress, a contact's gating answer) is left out of the JSON when it was not set,
rather than written as null (`SetOnly`). Times are ISO 8601 text as the service writes them (`as_of` with the
workspace's offset; event times in UTC without one).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field

from cxmap.analytics.findings import SetOnly


class Answer(SetOnly):
    """An answer's shape is closed (a key the service adds must be declared here first), and its JSON has
    the keys that were set: an account's map keys only when a map was asked for."""


AsOfText = Annotated[
    str,
    Field(
        description="The moment the answer is as of, in the workspace's time zone with its offset (ISO 8601); "
        "its date is the as-of day. The same as the X-Cxmap-As-Of header.",
        examples=["2025-03-11T00:30:00+01:00"],
    ),
]


class AccountRow(Answer):
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


class Alert(Answer):
    """An open service-recovery alert: a negative moment not yet followed by a recovery."""

    customer_id: str
    account_id: str | None
    touchpoint: str
    at: str = Field(description="When the negative moment happened (UTC, ISO 8601).")
    emotion: float
    days_open: int
    overdue: bool


class GateAnswer(Answer):
    """May we ask this contact for a review (or referral, ...) now? Never while a colleague suffers."""

    customer_id: str
    account_id: str | None
    action: str
    allowed: bool
    reasons: list[str] = Field(description="Every reason it was refused, naming the contact, score and date.")
    experience: float | None
    as_of: AsOfText


class Contact(Answer):
    customer_id: str
    account_id: str | None
    role: str | None
    experience: float | None
    scored: int
    last_scored_at: str | None
    gate: GateAnswer | None = Field(None, description="The answer for a review request.")


class TimelineEvent(Answer):
    customer_id: str
    ts: str
    touchpoint: str
    raw_touchpoint: str
    channel: str | None
    department: str | None
    emotion: float | None
    emotion_source: str | None
    comment: str | None
    at: str
    touchpoint_name: str


class Milestone(Answer):
    account_id: str
    milestone: str
    touchpoint: str
    due: str = Field(description="A calendar date (YYYY-MM-DD).")
    status: str = Field(examples=["overdue"], description="done, late, overdue or upcoming.")
    done_at: str | None


class NextMilestone(Answer):
    milestone: str
    touchpoint: str
    status: str
    due: str = Field(description="A calendar date (YYYY-MM-DD).")


class NextStep(Answer):
    id: str
    action: str


class Progress(Answer):
    """How far an account (or a contact's account) has come on the map."""

    account_id: str | None
    customer_id: str | None
    last_step: str | None = Field(description="The last step of the map with one of its touchpoints done.")
    steps_done: list[str]
    next: NextMilestone | None = Field(description="The open milestone due first.")
    next_step: NextStep | None = Field(description="The step after the last one done.")


class AccountDetail(Answer):
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
    progress: Progress | None = None
    events: list[TimelineEvent]


class EmotionPoint(Answer):
    at: str
    emotion: float


class CustomerDetail(Answer):
    """One person's journey: their events oldest first and their emotion line."""

    map: str | None = Field(None, description="With `map`: the map and the person's progress on it.")
    progress: Progress | None = None
    customer_id: str
    account_id: str | None
    role: str | None
    experience: float | None
    scored: int
    as_of: AsOfText
    alerts: list[Alert]
    emotion_line: list[EmotionPoint]
    events: list[TimelineEvent]


class Verification(Answer):
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


def answer_json(answer: Any) -> Any:
    """An answer (or a list of them) as JSON-ready data, keys in declared order; data that is JSON-ready
    already (a dict, a list of dicts) is returned as it is."""
    if isinstance(answer, list):
        return [answer_json(a) for a in answer]
    if isinstance(answer, BaseModel):
        return answer.model_dump(mode="json")
    return answer


class PlanProgress(Answer):
    """An account's progress on the map, as the account pages show it for every account at once."""

    account_id: str
    last_step: str | None
    steps_done: int = Field(description="How many steps of the map have one of their touchpoints done.")
    next_milestone: str | None
    next_due: date | None
    next_status: str | None


class AccountPlan(Answer):
    """One account's milestones with status and its progress on the map (the account pages' plan)."""

    milestones: list[Milestone] = Field(default_factory=list)
    progress: PlanProgress | None = None
