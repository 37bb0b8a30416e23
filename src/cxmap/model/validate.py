"""Turn pydantic's validation errors into plain-word problems located in the YAML file."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cxmap.errors import Problem
from cxmap.model.raw import Loc, RawDoc
from cxmap.model.schema import (
    Backstage,
    Clue,
    Emotion,
    Idea,
    MapFile,
    Milestone,
    Note,
    Persona,
    Stage,
    Stakeholder,
    Step,
    Touchpoint,
    Verification,
)

# What each list in the file holds, so that messages can say "step 'kickoff'" rather than a path.
_ITEM_NAMES: dict[str, tuple[str, type[BaseModel]]] = {
    "stakeholders": ("stakeholder", Stakeholder),
    "touchpoints": ("touchpoint", Touchpoint),
    "stages": ("stage", Stage),
    "steps": ("step", Step),
    "backstage": ("back stage", Backstage),
    "milestones": ("milestone", Milestone),
    "verifications": ("verification", Verification),
    "problem_areas": ("problem area", Note),
    "purple_cows": ("purple cow", Note),
    "ideas": ("idea", Idea),
    "clues": ("clue", Clue),
}
_SINGLE_NAMES: dict[str, tuple[str, type[BaseModel]]] = {
    "persona": ("persona", Persona),
    "emotion": ("emotion", Emotion),
}


def describe(doc: RawDoc, loc: Loc) -> tuple[str, type[BaseModel]]:
    """A readable name for the part of the map at `loc` ("step 'kickoff'") and its model."""
    label, model = "the map", MapFile
    for i, part in enumerate(loc):
        parent = loc[i - 1] if i else None
        if isinstance(part, int) and isinstance(parent, str) and parent in _ITEM_NAMES:
            noun, model = _ITEM_NAMES[parent]
            item = doc.node(loc[: i + 1])
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident:
                label = f"{noun} '{ident}'"
            else:
                label = f"{noun} {part + 1} of {label}" if noun in ("step", "clue") else f"{noun} {part + 1}"
        elif isinstance(part, str) and part in _SINGLE_NAMES:
            noun, model = _SINGLE_NAMES[part]
            label = noun if label == "the map" else f"{label} {noun}"
    return label, model


def problems_from(exc: ValidationError, doc: RawDoc) -> list[Problem]:
    """One problem per pydantic error, in plain words, at the line and column it points to."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        problems.append(_problem(err, loc, doc))
    return problems


def _problem(err: ErrorDetails, loc: Loc, doc: RawDoc) -> Problem:
    kind = err["type"]
    if len(loc) >= 2 and loc[-2] == "emotion" and not isinstance(doc.node(loc[:-1]), dict):
        loc = loc[:-1]  # a bare grade: speak of 'emotion', not of the 'during' it stands for
    field = str(loc[-1]) if loc else ""
    owner_loc = loc[:-1]
    label, model = describe(doc, owner_loc)
    if kind == "extra_forbidden":
        line, col = doc.position(loc, key=True)
        message = f"{label}: unknown key '{field}'" + _suggest(field, list(model.model_fields))
        message = message.removeprefix("the map: ")
    elif kind == "missing":
        line, col = doc.position(owner_loc)
        message = f"{label}: missing required key '{field}'"
    else:
        line, col = doc.position(loc)
        value = doc.node(loc)
        prefix = "" if label == "the map" else f"{label}: "
        message = f"{prefix}'{field}' {_explain(err, value)}"
    return Problem(doc.path, line, col, message)


def _explain(err: ErrorDetails, value: Any) -> str:
    """The reason a value was refused, as a person would say it."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    shown = _show(value)
    if kind in ("greater_than_equal", "less_than_equal") and "emotion" in err["loc"]:
        return f"is {shown}; grades go from 0 (awful) to 10 (delighted)"
    if kind == "greater_than_equal":
        return f"is {shown}; it must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"is {shown}; it must be at most {ctx.get('le')}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"is {shown}; it must be one of: {expected}"
    if kind == "string_pattern_mismatch":
        return f"is {shown}; ids use lower-case letters, digits and '-' (for example 'kickoff-call')"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, not {shown}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, not {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, not {shown}"
    if kind == "string_type":
        return f"must be text, not {shown}"
    if kind == "list_type":
        return f"must be a list (for example [a, b]), not {shown}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a block of key: value pairs, not {shown}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long; at most {ctx.get('max_length')} characters"
    return f"is {shown}: {err['msg']}"


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a block of key: value pairs"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    text = str(value)
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def _suggest(word: str, candidates: list[str]) -> str:
    return did_you_mean(word, candidates) or f"; allowed keys: {', '.join(candidates)}"


def did_you_mean(word: str, candidates: list[str]) -> str:
    """'; did you mean 'x'?' when a close candidate exists, else ''."""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
