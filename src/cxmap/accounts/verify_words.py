"""The verify answer in words: what each figure counts, so that nobody reads "15%" as a renewal rate.

The JSON carries the numbers and the measure; these helpers give the sentence the CLI prints next to the
figure, and the place names the reasons use, from the map alone.
"""

from __future__ import annotations

from typing import Any

from cxmap.analytics.outcomes import choose_outcome
from cxmap.ids import slugify
from cxmap.model.map import Map
from cxmap.model.schema import Verification
from cxmap.settings import Settings


def touchpoints_of(the_map: Map, v: Verification) -> list[str]:
    """The touchpoints `reached` and `satisfied` look at: the step's, then the named one."""
    found = list(the_map.step(v.step).touchpoints) if v.step else []
    return [*found, v.touchpoint] if v.touchpoint and v.touchpoint not in found else found


def name_of(the_map: Map, touchpoint: str) -> str:
    """A touchpoint's name on the map (by id, or by a name in any case), else the words as given."""
    for tp in the_map.touchpoints:
        if touchpoint in (tp.id, tp.name) or slugify(touchpoint) in (tp.id, slugify(tp.name)):
            return tp.name
    return touchpoint


def place(the_map: Map, v: Verification) -> str:
    """Where `reached` and `satisfied` count: "Renewal", or "Kickoff call or Support ticket"."""
    return " or ".join(name_of(the_map, tp) for tp in touchpoints_of(the_map, v))


def outcome_names(the_map: Map, settings: Settings) -> tuple[str, str | None] | None:
    """The names of the outcome and its opposite (None when no outcome is set anywhere)."""
    choice = choose_outcome(the_map, settings)
    if not choice.outcome:
        return None
    negative = choice.outcome_negative
    return name_of(the_map, choice.outcome), name_of(the_map, negative) if negative else None


def _milestone_touchpoint(the_map: Map, v: Verification) -> str:
    found = next((m for m in the_map.milestones if m.id == v.milestone), None)
    return name_of(the_map, found.touchpoint) if found else str(v.milestone)


def sentence(entry: dict[str, Any], the_map: Map, settings: Settings) -> str:
    """The figure with what it counts ("62% of the 1,204 accounts due had Kickoff call on time"), or
    "not measured: " and the reason."""
    if entry["measured"] is None:
        return f"not measured: {entry['reason']}"
    v = next(x for x in the_map.verifications if x.id == entry["verification"])
    n, measure = int(entry["accounts"]), entry["measure"]

    def of(adjective: str = "") -> str:
        counted = " ".join(w for w in (adjective, "account" if n == 1 else "accounts") if w)
        return f"{entry['measured']:.0%} of the {n:,} {counted}"

    if measure == "on_time":
        return f"{of()} due had {_milestone_touchpoint(the_map, v)} on time"
    if measure == "reached":
        return f"{of('active')} had {place(the_map, v)}"
    if measure == "outcome":
        outcome, negative = outcome_names(the_map, settings) or ("the outcome", None)
        return f"{of('decided' if negative else '')} reached {outcome}"
    return f"{of()} scored at {place(the_map, v)} {'was' if n == 1 else 'were'} satisfied"
