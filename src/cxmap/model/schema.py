"""The journey map file as pydantic models: strict, documented, the source of the JSON Schema.

Only shapes and value ranges are checked here; references between parts (a step naming a touchpoint,
a milestone naming a touchpoint) are checked by :mod:`cxmap.model.resolve`, which can say "did you mean".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=80,
        description="Identifier: lower-case letters, digits and '-', starting with a letter or digit.",
        examples=["kickoff-call"],
    ),
]
Grade = Annotated[float, Field(ge=0, le=10, description="Emotion grade: 0 awful, 10 delighted.")]
Owner = Literal["us", "partner", "third-party", "competitor"]
ClueKind = Literal["tangible", "mechanic", "humanic"]
MapKind = Literal["current", "ideal", "future"]
IdeaStatus = Literal["proposed", "planned", "funded", "in-progress", "done", "dropped"]
VerificationMeasure = Literal["reached", "on_time", "satisfied", "outcome", "manual"]
# What each measure needs the verification to name (any one of them); checked, located, by model.resolve.
MEASURE_NEEDS: dict[str, tuple[str, ...]] = {
    "reached": ("step", "touchpoint"),
    "on_time": ("milestone",),
    "satisfied": ("step", "touchpoint"),
    "outcome": (),
    "manual": (),
}


def unmet_need(measure: str | None, named: dict[str, Any]) -> str | None:
    """What the verification must name for its measure ("a milestone", "a step or a touchpoint") when it
    names none of it (`named`: its keys and values), else None."""
    needs = MEASURE_NEEDS.get(str(measure), ())
    if not needs or any(named.get(key) for key in needs):
        return None
    return " or ".join(f"a {key}" for key in needs)


class Part(BaseModel):
    """Every part of a map rejects unknown keys, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Persona(Part):
    name: str = Field(description="Who the customer is, as the team calls them.", examples=["Ops lead"])
    situation: str | None = Field(None, description="Their present situation.")
    ambitions: str | None = Field(None, description="Their future ambitions.")
    needs: list[str] = Field(default_factory=list, description="What they need from us.")
    segment: str | None = Field(None, description="The segment they belong to.", examples=["mid-market"])
    quote: str | None = Field(None, description="A line they might say, for the persona card.")


class Stakeholder(Part):
    id: Id
    name: str = Field(description="Who the stakeholder is.", examples=["Customer success manager"])
    ring: int = Field(
        ge=0,
        le=5,
        description="Ring of influence around the centre: 0 is the customer, higher rings are further away.",
        examples=[1],
    )
    we_give: str | None = Field(None, description="What we do for them.")
    they_give: str | None = Field(None, description="What they do for us.")


class Clue(Part):
    kind: ClueKind = Field(
        description="tangible: the functional product or service; mechanic: impressions from things; "
        "humanic: impressions from people.",
        examples=["humanic"],
    )
    text: str = Field(description="What the customer picks up.", examples=["CSM knows our use case"])


class Touchpoint(Part):
    id: Id
    name: str = Field(description="The touchpoint as the customer meets it.", examples=["Kickoff call"])
    channel: str | None = Field(
        None,
        description="Channel (free text; web, email, phone, video, store, chat, ... get icons).",
        examples=["video"],
    )
    owner: Owner = Field("us", description="Whose touchpoint it is: us, partner, third-party or competitor.")
    department: str | None = Field(
        None, description="Department that owns the interaction in the data (for contagion analysis)."
    )
    delivered_by: str | None = Field(None, description="Front stage: who delivers it (team or role).")
    supported_by: list[Id] = Field(
        default_factory=list, description="Back-stage ids (from `backstage`) that support this touchpoint."
    )
    clues: list[Clue] = Field(default_factory=list, description="What the customer picks up here.")
    matches: list[str] = Field(
        default_factory=list,
        description="Raw event names that mean this touchpoint (glob patterns, case-insensitive).",
        examples=[["kickoff*", "Onboarding call"]],
    )
    recovery: bool = Field(False, description="Reaching out here counts as service recovery after a bad moment.")


class Emotion(Part):
    before: Grade | None = Field(None, description="How the customer feels before the step.")
    during: Grade = Field(description="How the customer feels during the step (the grade used for lint).")
    after: Grade | None = Field(None, description="How the customer feels after the step.")


class Step(Part):
    id: Id
    action: str = Field(description="What the customer does.", examples=["Joins the kickoff call"])
    touchpoints: list[Id] = Field(default_factory=list, description="Touchpoint ids met in this step.")
    moment_of_truth: bool = Field(False, description="The customer forms an impression here.")
    hot_spot: bool = Field(False, description="A key moment of truth where we most easily win or lose the customer.")
    purchase: bool = Field(False, description="The step where the customer buys (or signs, or renews).")
    emotion: Emotion | None = Field(
        None,
        description="A single grade 0-10, or {before, during, after}.",
        examples=[7, {"before": 5, "during": 7, "after": 8}],
    )
    notes: str | None = Field(None, description="Anything the team wants to remember about this step.")

    @field_validator("emotion", mode="before")
    @classmethod
    def _single_grade(cls, value: Any) -> Any:
        """A bare number means the grade during the step."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"during": value}
        return value


class Stage(Part):
    id: Id
    title: str = Field(description="Stage title, shown across the top.", examples=["Onboarding"])
    steps: list[Step] = Field(default_factory=list, description="The customer's actions, in time order.")


class Backstage(Part):
    id: Id
    name: str = Field(description="Back-office team, system or process.", examples=["Account provisioning"])
    team: str | None = Field(None, description="Who runs it.")
    influenced_by: list[Id] = Field(default_factory=list, description="Stakeholder ids that influence this back stage.")


class Milestone(Part):
    id: Id
    touchpoint: Id = Field(description="Touchpoint id that fulfils the milestone.")
    due_days: int = Field(ge=0, description="Due this many days after the account's start.", examples=[30])
    text: str | None = Field(None, description="What the engagement is, in words.")


class Verification(Part):
    id: Id
    text: str = Field(description="The check, in words.")
    milestone: Id | None = Field(None, description="Milestone id this verification measures.")
    step: Id | None = Field(None, description="Step id (a moment of truth) this verification checks.")
    touchpoint: Id | None = Field(None, description="Touchpoint id this verification checks.")
    measure: VerificationMeasure | None = Field(
        None,
        description="What the figure counts: reached (share of accounts that had the step's or the touchpoint's "
        "touchpoints), on_time (accounts due that did the milestone by its date), satisfied (accounts scored "
        "there whose worst contact is at or above good), outcome (accounts with the map's outcome event) or "
        "manual (checked by hand). Without it: on_time with a milestone, satisfied with a step or touchpoint, "
        "else manual.",
        examples=["on_time"],
    )
    target: float = Field(ge=0, le=1, description="Share that must pass, 0-1.", examples=[0.95])

    def effective_measure(self) -> VerificationMeasure:
        """The measure as written, else the one today's maps imply (see `measure`)."""
        if self.measure:
            return self.measure
        if self.milestone:
            return "on_time"
        return "satisfied" if self.step or self.touchpoint else "manual"


class Note(Part):
    step: Id = Field(description="Step id the note is about.")
    text: str = Field(description="What is remarkable there.")


class Idea(Part):
    id: Id
    title: str = Field(description="The idea in a few words.")
    addresses: list[Id] = Field(default_factory=list, description="Step ids the idea improves.")
    status: IdeaStatus = Field("proposed", description="Where the idea is on the roadmap.")
    owner: str | None = Field(None, description="Who drives it.")
    notes: str | None = Field(None, description="Details.")


class Measure(Part):
    """The question the map is measured against: which touchpoint is the outcome, and its opposite."""

    outcome: Id | None = Field(
        None,
        description="Touchpoint id whose occurrence is the outcome (a map touchpoint, or the id of a raw name "
        "in the data: its name in lower case with '-' for other characters).",
        examples=["renewal"],
    )
    outcome_negative: Id | None = Field(
        None,
        description="Touchpoint id that is the outcome's opposite; customers with neither are undecided and "
        "left out of outcome rates.",
        examples=["churn-notice"],
    )


class MapFile(Part):
    """A journey map, as written in its YAML file."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        title="cxmap journey map",
        json_schema_extra={"$id": "https://cxmap.dev/schema/map.json"},
    )

    id: Id
    title: str = Field(description="The map's title.", examples=["New customer onboarding"])
    kind: MapKind = Field("current", description="current (today), ideal (planned) or future (a new design).")
    version: int | None = Field(None, ge=1, description="Maps are re-drawn; bump this each time.")
    persona: Persona | None = Field(None, description="Who the map is drawn for.")
    outcome: str | None = Field(None, description="What the customer is trying to achieve.")
    measure: Measure | None = Field(
        None,
        description="How the map is measured: the outcome every analysis, report and web page uses unless a "
        "run names another.",
        examples=[{"outcome": "renewal", "outcome_negative": "churn-notice"}],
    )
    stakeholders: list[Stakeholder] = Field(
        default_factory=list, description="Everyone who influences the experience, in rings of influence."
    )
    touchpoints: list[Touchpoint] = Field(
        default_factory=list, description="Every channel and touchpoint the customer meets, not only ours."
    )
    stages: list[Stage] = Field(min_length=1, description="Stages in time order, each with its steps.")
    backstage: list[Backstage] = Field(
        default_factory=list, description="Teams, systems and processes that support the front stage."
    )
    milestones: list[Milestone] = Field(
        default_factory=list, description="Planned engagements, due relative to the account's start."
    )
    verifications: list[Verification] = Field(
        default_factory=list, description="Checks that moments of truth are handled as intended."
    )
    problem_areas: list[Note] = Field(default_factory=list, description="Steps where the experience is poor.")
    purple_cows: list[Note] = Field(
        default_factory=list, description="Steps where we are remarkably good: the 'wow' moments."
    )
    ideas: list[Idea] = Field(default_factory=list, description="Improvements and innovations, each on the roadmap.")
