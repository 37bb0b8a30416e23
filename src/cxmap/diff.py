"""What changed between two versions of a map, for reviewing a map like code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, TypeVar

from pydantic import BaseModel

from cxmap.model.map import Map
from cxmap.model.schema import Emotion

T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """One change; `kind` is a stable word such as step-added or touchpoint-reowned."""

    kind: str
    subject: str
    message: str
    before: Any = None
    after: Any = None

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "-", "moved": ">"}.get(self.kind.rsplit("-", 1)[-1], "~")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "before": self.before,
            "after": self.after,
        }


def _grade(e: Emotion | None) -> str:
    if e is None:
        return "ungraded"
    parts = [(n, getattr(e, n)) for n in ("before", "during", "after")]
    if e.before is None and e.after is None:
        return f"{e.during:g}"
    return "/".join(f"{v:g}" if v is not None else "-" for _, v in parts)


def _value(v: Any) -> Any:
    return v.model_dump(mode="json", exclude_defaults=True) if isinstance(v, BaseModel) else v


class _Differ:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, kind: str, subject: str, message: str, before: Any = None, after: Any = None) -> None:
        self.changes.append(Change(kind, subject, message, _value(before), _value(after)))

    def field(self, noun: str, ident: str, name: str, old: Any, new: Any, show: Callable[[Any], str]) -> None:
        if old != new:
            self.add(
                f"{noun}-{name.replace('_', '-')}-changed",
                ident,
                f"{noun} '{ident}' {name.replace('_', ' ')}: {show(old)} -> {show(new)}",
                old,
                new,
            )

    def collection(self, noun: str, old: Sequence[T], new: Sequence[T], key: str = "id") -> list[tuple[str, T, T]]:
        """Report added and removed items (in file order); return (id, old, new) for those in both."""
        before = {getattr(x, key): x for x in old}
        after = {getattr(x, key): x for x in new}
        kind = noun.replace(" ", "-")
        for ident in after:
            if ident not in before:
                self.add(f"{kind}-added", ident, f"{noun} '{ident}' added")
        for ident in before:
            if ident not in after:
                self.add(f"{kind}-removed", ident, f"{noun} '{ident}' removed")
        return [(k, before[k], v) for k, v in after.items() if k in before]


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "none" if v in (None, [], "") else f"'{v}'" if isinstance(v, str) else str(v)


def diff_maps(old: Map, new: Map) -> list[Change]:
    """Every change from `old` to `new`, in reading order: map, stages, steps, touchpoints, the rest."""
    d = _Differ()
    for name in ("id", "title", "kind", "version", "outcome"):
        d.field("map", new.id, name, getattr(old, name), getattr(new, name), _text)
    if old.persona != new.persona:
        d.add("persona-changed", "persona", "persona changed", old.persona, new.persona)

    for ident, st_a, st_b in d.collection("stage", old.stages, new.stages):
        d.field("stage", ident, "title", st_a.title, st_b.title, _text)
    _steps(d, old, new)
    for ident, a, b in d.collection("touchpoint", old.touchpoints, new.touchpoints):
        if a.owner != b.owner:
            d.add(
                "touchpoint-reowned",
                ident,
                f"touchpoint '{ident}' re-owned: {a.owner} -> {b.owner}",
                a.owner,
                b.owner,
            )
        for name in ("name", "channel", "delivered_by", "supported_by", "recovery"):
            d.field("touchpoint", ident, name, getattr(a, name), getattr(b, name), _text)
    for ident, idea_a, idea_b in d.collection("idea", old.ideas, new.ideas):
        d.field("idea", ident, "status", idea_a.status, idea_b.status, str)
    for ident, ms_a, ms_b in d.collection("milestone", old.milestones, new.milestones):
        d.field("milestone", ident, "due_days", ms_a.due_days, ms_b.due_days, str)
    for ident, v_a, v_b in d.collection("verification", old.verifications, new.verifications):
        d.field("verification", ident, "target", v_a.target, v_b.target, str)
    d.collection("problem area", old.problem_areas, new.problem_areas, key="step")
    d.collection("purple cow", old.purple_cows, new.purple_cows, key="step")
    d.collection("stakeholder", old.stakeholders, new.stakeholders)
    d.collection("back stage", old.backstage, new.backstage)
    return d.changes


def _steps(d: _Differ, old: Map, new: Map) -> None:
    old_place = {p.step.id: p for p in old.placed_steps}
    new_place = {p.step.id: p for p in new.placed_steps}
    common = [ident for ident, _, _ in d.collection("step", old.steps, new.steps)]
    # Steps kept in the same relative order form the longest common run; the others moved.
    old_order = [s.id for s in old.steps if s.id in new_place]
    new_order = [s.id for s in new.steps if s.id in old_place]
    matcher = SequenceMatcher(a=old_order, b=new_order, autojunk=False)
    in_place = {old_order[b.a + k] for b in matcher.get_matching_blocks() for k in range(b.size)}
    for ident in common:
        a, b = old_place[ident], new_place[ident]
        if a.stage.id != b.stage.id:
            d.add(
                "step-moved",
                ident,
                f"step '{ident}' moved from stage '{a.stage.id}' to '{b.stage.id}'",
                a.stage.id,
                b.stage.id,
            )
        elif ident not in in_place:
            d.add("step-moved", ident, f"step '{ident}' moved within stage '{b.stage.id}'", a.index, b.index)
        d.field("step", ident, "action", a.step.action, b.step.action, _text)
        if a.step.emotion != b.step.emotion:
            d.add(
                "step-grade-changed",
                ident,
                f"step '{ident}' grade {_grade(a.step.emotion)} -> {_grade(b.step.emotion)}",
                a.step.emotion,
                b.step.emotion,
            )
        for name in ("moment_of_truth", "hot_spot", "purchase", "touchpoints"):
            d.field("step", ident, name, getattr(a.step, name), getattr(b.step, name), _text)
