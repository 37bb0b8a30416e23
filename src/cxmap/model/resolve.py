"""Check the references between parts of a map: ids are unique, every id named is defined, and every
verification names what its measure needs (`on_time` a milestone; `reached` and `satisfied` a step or a
touchpoint).

Runs on the raw YAML tree (tolerating wrong shapes, which validation reports), so that a user sees shape
and reference problems in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cxmap.errors import Problem
from cxmap.model.raw import Loc, RawDoc
from cxmap.model.schema import unmet_need
from cxmap.model.validate import did_you_mean

# (collection, noun) pairs whose items carry an id that must be unique.
_COLLECTIONS = [
    ("stakeholders", "stakeholder"),
    ("touchpoints", "touchpoint"),
    ("stages", "stage"),
    ("backstage", "back stage"),
    ("milestones", "milestone"),
    ("verifications", "verification"),
    ("ideas", "idea"),
]


def _items(doc: RawDoc, loc: Loc) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """The mapping items of the list at `loc`, with their locations; anything else is skipped."""
    seq = doc.node(loc)
    if isinstance(seq, list):
        for i, item in enumerate(seq):
            if isinstance(item, dict):
                yield (*loc, i), item


def _steps(doc: RawDoc) -> Iterator[tuple[Loc, dict[str, Any]]]:
    for stage_loc, _ in _items(doc, ("stages",)):
        yield from _items(doc, (*stage_loc, "steps"))


def _ids(items: Iterator[tuple[Loc, dict[str, Any]]]) -> dict[str, Loc]:
    found: dict[str, Loc] = {}
    for loc, item in items:
        ident = item.get("id")
        if isinstance(ident, str):
            found.setdefault(ident, loc)
    return found


def _label(noun: str, item: dict[str, Any], loc: Loc) -> str:
    ident = item.get("id")
    return f"{noun} '{ident}'" if isinstance(ident, str) else f"{noun} {int(loc[-1]) + 1}"


def check_references(doc: RawDoc) -> list[Problem]:
    """Every duplicate id and every reference to an undefined id, located in the file."""
    problems: list[Problem] = []

    def report(loc: Loc, message: str, *, key: bool = False) -> None:
        line, col = doc.position(loc, key=key)
        problems.append(Problem(doc.path, line, col, message))

    def check_unique(noun: str, items: Iterator[tuple[Loc, dict[str, Any]]]) -> None:
        first: dict[str, int] = {}
        for loc, item in items:
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in first:
                report((*loc, "id"), f"{noun} id '{ident}' is used twice (first on line {first[ident]})")
            else:
                first[ident] = doc.position((*loc, "id"))[0]

    for collection, noun in _COLLECTIONS:
        check_unique(noun, _items(doc, (collection,)))
    check_unique("step", _steps(doc))

    touchpoints = _ids(_items(doc, ("touchpoints",)))
    backstage = _ids(_items(doc, ("backstage",)))
    stakeholders = _ids(_items(doc, ("stakeholders",)))
    milestones = _ids(_items(doc, ("milestones",)))
    steps = _ids(_steps(doc))

    def check_ref(owner: str, loc: Loc, what: str, value: Any, known: dict[str, Loc]) -> None:
        if isinstance(value, str) and value not in known:
            hint = did_you_mean(value, list(known)) or (f"; no {what} is defined yet" if not known else "")
            report(loc, f"{owner} names {what} '{value}', which is not defined{hint}")

    def check_list(owner: str, loc: Loc, what: str, known: dict[str, Loc]) -> None:
        values = doc.node(loc)
        if isinstance(values, list):
            for i, value in enumerate(values):
                check_ref(owner, (*loc, i), what, value, known)

    for loc, item in _steps(doc):
        check_list(_label("step", item, loc), (*loc, "touchpoints"), "touchpoint", touchpoints)
    for loc, item in _items(doc, ("touchpoints",)):
        check_list(_label("touchpoint", item, loc), (*loc, "supported_by"), "back stage", backstage)
    for loc, item in _items(doc, ("backstage",)):
        check_list(_label("back stage", item, loc), (*loc, "influenced_by"), "stakeholder", stakeholders)
    for loc, item in _items(doc, ("milestones",)):
        owner = _label("milestone", item, loc)
        check_ref(owner, (*loc, "touchpoint"), "touchpoint", item.get("touchpoint"), touchpoints)
    for loc, item in _items(doc, ("verifications",)):
        owner = _label("verification", item, loc)
        check_ref(owner, (*loc, "milestone"), "milestone", item.get("milestone"), milestones)
        check_ref(owner, (*loc, "step"), "step", item.get("step"), steps)
        check_ref(owner, (*loc, "touchpoint"), "touchpoint", item.get("touchpoint"), touchpoints)
        wanted = unmet_need(item.get("measure"), item)
        if wanted:
            report(
                (*loc, "measure"),
                f"{owner} measures {item['measure']}, which needs {wanted}; add one or choose another measure",
            )
    for collection, noun in (("problem_areas", "problem area"), ("purple_cows", "purple cow")):
        for loc, item in _items(doc, (collection,)):
            check_ref(f"{noun} {int(loc[-1]) + 1}", (*loc, "step"), "step", item.get("step"), steps)
    for loc, item in _items(doc, ("ideas",)):
        check_list(_label("idea", item, loc), (*loc, "addresses"), "step", steps)
    return problems
