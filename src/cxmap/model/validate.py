"""Turn pydantic's validation errors into plain-word problems located in the YAML file."""

from __future__ import annotations

import difflib
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cxmap.errors import Problem
from cxmap.model.raw import Loc, RawDoc
from cxmap.model.schema import MapFile

# What each list in the file holds, so that messages can say "step 'kickoff'" rather than a path.
_ITEM_NOUNS = {
    "stakeholders": "stakeholder",
    "touchpoints": "touchpoint",
    "stages": "stage",
    "steps": "step",
    "backstage": "back stage",
    "milestones": "milestone",
    "verifications": "verification",
    "problem_areas": "problem area",
    "purple_cows": "purple cow",
    "ideas": "idea",
    "clues": "clue",
}


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type (`Step`, `list[Step]`, `Emotion | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _submodel(arg)
        if found:
            return found
    return None


def describe(doc: RawDoc, loc: Loc, root: type[BaseModel] = MapFile) -> tuple[str, type[BaseModel]]:
    """A readable name for the part at `loc` ("step 'kickoff'"; "" for the top) and its model."""
    label, model = "", root
    for i, part in enumerate(loc):
        if isinstance(part, str):
            field = model.model_fields.get(part)
            model = (_submodel(field.annotation) if field else None) or model
            if part not in _ITEM_NOUNS:
                label = f"{label} {part}".strip()
            continue
        parent = loc[i - 1] if i else None
        noun = _ITEM_NOUNS.get(str(parent), str(parent))
        item = doc.node(loc[: i + 1])
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str) and ident:
            label = f"{noun} '{ident}'"
        else:
            label = f"{noun} {part + 1} of {label}" if label else f"{noun} {part + 1}"
    return label, model


def problems_from(exc: ValidationError, doc: RawDoc, root: type[BaseModel] = MapFile) -> list[Problem]:
    """One problem per pydantic error, in plain words, at the line and column it points to."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        problems.append(_problem(err, loc, doc, root))
    return problems


def _problem(err: ErrorDetails, loc: Loc, doc: RawDoc, root: type[BaseModel]) -> Problem:
    kind = err["type"]
    if len(loc) >= 2 and loc[-2] == "emotion" and not isinstance(doc.node(loc[:-1]), dict):
        loc = loc[:-1]  # a bare grade: speak of 'emotion', not of the 'during' it stands for
    field = str(loc[-1]) if loc else ""
    owner_loc = loc[:-1]
    label, model = describe(doc, owner_loc, root)
    prefix = f"{label}: " if label else ""
    if kind == "extra_forbidden":
        line, col = doc.position(loc, key=True)
        message = f"{prefix}unknown key '{field}'" + _suggest(field, list(model.model_fields))
    elif kind == "missing":
        line, col = doc.position(owner_loc)
        message = f"{prefix}missing required key '{field}'"
    else:
        line, col = doc.position(loc)
        value = doc.node(loc)
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
    if kind == "value_error":
        return f"is not valid: {ctx.get('error')}"
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
