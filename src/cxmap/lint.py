"""Lint: where a valid map breaks the method (warnings, each with a rule code that cxmap.yaml can disable)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cxmap.errors import Problem
from cxmap.model.map import Map
from cxmap.model.raw import Loc, RawDoc


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    check: Callable[[Map], Iterator[tuple[Loc, str]]]


def _step_locs(m: Map) -> Iterator[tuple[Loc, int, int]]:
    for i, stage in enumerate(m.stages):
        for j, _ in enumerate(stage.steps):
            yield ("stages", i, "steps", j), i, j


def _unverified_moments(m: Map) -> Iterator[tuple[Loc, str]]:
    milestone_touchpoints = {ms.id: ms.touchpoint for ms in m.milestones}
    for loc, i, j in _step_locs(m):
        step = m.stages[i].steps[j]
        if not (step.moment_of_truth or step.hot_spot):
            continue
        covered = any(
            v.step == step.id
            or v.touchpoint in step.touchpoints
            or milestone_touchpoints.get(v.milestone or "") in step.touchpoints
            for v in m.verifications
        )
        if not covered:
            yield (
                (*loc, "moment_of_truth"),
                (
                    f"step '{step.id}' is a moment of truth with no verification activity; add one under "
                    "`verifications` (with step, touchpoint or milestone) so you know it is handled as intended"
                ),
            )


def _unaddressed_lows(m: Map) -> Iterator[tuple[Loc, str]]:
    addressed = {p.step for p in m.problem_areas} | {s for idea in m.ideas for s in idea.addresses}
    for loc, i, j in _step_locs(m):
        step = m.stages[i].steps[j]
        if step.emotion and step.emotion.during <= 3 and step.id not in addressed:
            yield (
                (*loc, "emotion"),
                (f"step '{step.id}' is graded {step.emotion.during:g} but no problem area or idea addresses it"),
            )


def _undelivered(m: Map) -> Iterator[tuple[Loc, str]]:
    for k, tp in enumerate(m.touchpoints):
        if tp.owner in ("us", "partner") and not tp.delivered_by:
            yield (
                ("touchpoints", k, "id"),
                (f"touchpoint '{tp.id}' has no front stage: say who delivers it with `delivered_by`"),
            )


def _no_backstage(m: Map) -> Iterator[tuple[Loc, str]]:
    for k, tp in enumerate(m.touchpoints):
        if tp.owner == "us" and not tp.supported_by:
            yield (
                ("touchpoints", k, "id"),
                (f"touchpoint '{tp.id}' has no back stage: list what supports it under `supported_by`"),
            )


def _purchase_positions(m: Map) -> list[int]:
    return [p.index for p in m.placed_steps if p.step.purchase]


def _starts_at_purchase(m: Map) -> Iterator[tuple[Loc, str]]:
    positions = _purchase_positions(m)
    if not positions:
        yield (
            ("stages",),
            (
                "no step is marked `purchase: true`; mark the step where the customer buys, so the map "
                "can show the journey before and after it"
            ),
        )
    elif positions[0] == 0:
        step = m.steps[0]
        yield (
            ("stages", 0, "steps", 0, "purchase"),
            (
                f"the journey starts at the purchase (step '{step.id}'); add the steps before it "
                "(awareness, research, evaluation)"
            ),
        )


def _ends_at_purchase(m: Map) -> Iterator[tuple[Loc, str]]:
    positions = _purchase_positions(m)
    if positions and positions[-1] == len(m.steps) - 1:
        placed = m.placed_steps[-1]
        i = m.stages.index(placed.stage)
        loc: Loc = ("stages", i, "steps", len(placed.stage.steps) - 1, "purchase")
        yield (
            loc,
            (
                f"the journey ends at the purchase (step '{placed.step.id}'); add what follows it "
                "(onboarding, use, check-ins, renewal)"
            ),
        )


def _stage_without_moment(m: Map) -> Iterator[tuple[Loc, str]]:
    for i, stage in enumerate(m.stages):
        if not any(s.moment_of_truth or s.hot_spot for s in stage.steps):
            yield ("stages", i, "id"), f"stage '{stage.id}' has no moment of truth"


def _verification_without_measure(m: Map) -> Iterator[tuple[Loc, str]]:
    for k, v in enumerate(m.verifications):
        if v.measure:
            continue
        add = (
            "add measure: reached, on_time, satisfied or outcome so the figure says what it counts"
            if v.milestone or v.step or v.touchpoint
            else "add measure: manual (checked by hand) or outcome (accounts with the map's outcome)"
        )
        yield ("verifications", k, "id"), f"verification '{v.id}' has no measure; {add}"


RULES = [
    Rule("CX001", "moment of truth without a verification activity", _unverified_moments),
    Rule("CX002", "low step (graded 3 or lower) with no problem area or idea", _unaddressed_lows),
    Rule("CX003", "touchpoint nobody delivers (no front stage)", _undelivered),
    Rule("CX004", "touchpoint with no back stage", _no_backstage),
    Rule("CX005", "journey starts at the purchase, or no purchase step is marked", _starts_at_purchase),
    Rule("CX006", "journey ends at the purchase", _ends_at_purchase),
    Rule("CX007", "stage with no moment of truth", _stage_without_moment),
    Rule("CX008", "verification that does not say what it measures (no `measure`)", _verification_without_measure),
]


def lint(m: Map, doc: RawDoc, disabled: frozenset[str] = frozenset()) -> list[Problem]:
    """Every warning for a valid map, located in its file, in file order."""
    found = []
    for rule in RULES:
        if rule.code in disabled:
            continue
        for loc, message in rule.check(m):
            at_key = len(loc) == 1 or loc[-1] in ("moment_of_truth", "purchase")
            line, col = doc.position(loc, key=at_key)
            found.append(Problem(doc.path, line, col, message, "warning", rule.code))
    return sorted(found, key=lambda p: (p.line, p.col, p.rule or ""))
