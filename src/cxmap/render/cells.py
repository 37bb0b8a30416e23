"""What each lane shows for a step, read from the map: the content of the cells, before any geometry.

One small function per lane keeps the rules in one place (front stage is the touchpoints' ``delivered_by``,
back stage their ``supported_by`` with the team, ideas those that address the step, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cxmap.model.map import Map
from cxmap.model.schema import Step
from cxmap.render.icons import channel_icon

LaneKey = Literal[
    "actions", "touchpoints", "moments", "frontstage", "emotion",
    "clues", "backstage", "problems", "purple-cows", "ideas",
]  # fmt: skip
ItemKind = Literal[
    "action", "touchpoint", "moment", "hot-spot", "purchase", "frontstage",
    "clue", "backstage", "problem", "purple-cow", "idea", "overlay",
]  # fmt: skip


@dataclass(frozen=True)
class LaneSpec:
    key: LaneKey
    label: str
    hint: str


LANES: tuple[LaneSpec, ...] = (
    LaneSpec("actions", "Actions", "What the customer does"),
    LaneSpec("touchpoints", "Touchpoints", "Channels they meet"),
    LaneSpec("moments", "Moments of truth", "Where impressions form"),
    LaneSpec("frontstage", "Front stage", "Who delivers it"),
    LaneSpec("emotion", "Emotional journey", "0 awful \u00b7 10 delighted"),
    LaneSpec("clues", "Clues", "What they pick up"),
    LaneSpec("backstage", "Back stage", "Who supports it"),
    LaneSpec("problems", "Problem areas", "Where it goes wrong"),
    LaneSpec("purple-cows", "Purple cows", "Where we wow"),
    LaneSpec("ideas", "Ideas", "What we will change"),
)


@dataclass(frozen=True)
class Content:
    """What a cell shows, before the layout gives it a place."""

    kind: ItemKind
    text: str
    sub: str | None = None
    tag: str | None = None
    icon: str | None = None
    ref: str | None = None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _actions(m: Map, step: Step) -> list[Content]:
    return [Content("action", step.action, sub=step.notes)]


def _touchpoints(m: Map, step: Step) -> list[Content]:
    return [
        Content("touchpoint", t.name, tag=t.owner, icon=channel_icon(t.channel), ref=t.id)
        for t in map(m.touchpoint, step.touchpoints)
    ]


def _moments(m: Map, step: Step) -> list[Content]:
    found: list[Content] = []
    if step.hot_spot:
        found.append(Content("hot-spot", "Hot spot", sub="Key moment of truth"))
    elif step.moment_of_truth:
        found.append(Content("moment", "Moment of truth"))
    if step.purchase:
        found.append(Content("purchase", "Purchase"))
    return found


def _frontstage(m: Map, step: Step) -> list[Content]:
    people = _unique([t.delivered_by for t in map(m.touchpoint, step.touchpoints) if t.delivered_by])
    return [Content("frontstage", who) for who in people]


def _clues(m: Map, step: Step) -> list[Content]:
    return [
        Content("clue", clue.text, tag=clue.kind, ref=t.id)
        for t in map(m.touchpoint, step.touchpoints)
        for clue in t.clues
    ]


def _backstage(m: Map, step: Step) -> list[Content]:
    known = {b.id: b for b in m.backstage}
    ids = _unique([b for t in map(m.touchpoint, step.touchpoints) for b in t.supported_by if b in known])
    return [Content("backstage", known[b].name, sub=known[b].team, ref=b) for b in ids]


def _problems(m: Map, step: Step) -> list[Content]:
    return [Content("problem", note.text) for note in m.problem_areas if note.step == step.id]


def _purple_cows(m: Map, step: Step) -> list[Content]:
    return [Content("purple-cow", note.text) for note in m.purple_cows if note.step == step.id]


def _ideas(m: Map, step: Step) -> list[Content]:
    return [Content("idea", i.title, tag=i.status, ref=i.id) for i in m.ideas if step.id in i.addresses]


_BY_LANE: dict[LaneKey, Callable[[Map, Step], list[Content]]] = {
    "actions": _actions,
    "touchpoints": _touchpoints,
    "moments": _moments,
    "frontstage": _frontstage,
    "clues": _clues,
    "backstage": _backstage,
    "problems": _problems,
    "purple-cows": _purple_cows,
    "ideas": _ideas,
}


def contents(m: Map, step: Step, lane: LaneKey) -> list[Content]:
    """What ``lane`` shows for ``step`` (the emotion lane is drawn from the grades, not from items)."""
    builder = _BY_LANE.get(lane)
    return builder(m, step) if builder else []
