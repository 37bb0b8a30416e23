"""YAML -> model -> YAML keeps every map the same, and the examples and starters are valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmap.model import load_map, loads_map
from cxmap.model.dump import map_to_dict, map_to_yaml
from cxmap.starter import starter_text, templates
from tests.conftest import EXAMPLES

MAPS = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_examples_round_trip(path: Path) -> None:
    original = load_map(path)
    again = loads_map(map_to_yaml(original))
    assert again.model_dump() == original.model_dump()
    assert map_to_yaml(again) == map_to_yaml(original)


def test_examples_are_three_rich_maps() -> None:
    maps = {p.stem: load_map(p) for p in MAPS}
    assert {m.kind for m in maps.values()} == {"ideal", "current", "future"}
    for m in maps.values():
        assert len(m.steps) >= 15
        assert {c.kind for t in m.touchpoints for c in t.clues} == {"tangible", "mechanic", "humanic"}
        for part in (m.problem_areas, m.purple_cows, m.ideas, m.verifications, m.stakeholders):
            assert part


@pytest.mark.parametrize("template", templates())
def test_starters_are_valid_with_the_requested_id(template: str) -> None:
    text = starter_text(template, "my-map")
    assert loads_map(text).id == "my-map"
    assert text.startswith("#")  # comments survive


def test_a_lone_during_grade_is_written_as_a_number() -> None:
    m = loads_map(
        "id: a\ntitle: A\nstages:\n  - id: s\n    title: S\n    steps:\n"
        "      - {id: x, action: X, emotion: 7.0}\n      - {id: y, action: Y, emotion: {during: 4, after: 6.5}}\n"
    )
    steps = map_to_dict(m)["stages"][0]["steps"]
    assert steps == [
        {"id": "x", "action": "X", "emotion": 7},
        {"id": "y", "action": "Y", "emotion": {"during": 4, "after": 6.5}},
    ]


text_st = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(title=text_st, action=text_st, grade=st.floats(0, 10, allow_nan=False))
def test_any_text_and_grade_round_trip(title: str, action: str, grade: float) -> None:
    m = loads_map(
        map_to_yaml(
            loads_map(
                "id: a\ntitle: t\nstages:\n  - id: s\n    title: S\n    steps:\n      - {id: x, action: X}\n"
            ).model_copy(update={"title": title})
        )
    )
    assert m.title == title
    step = m.stages[0].steps[0].model_copy(update={"action": action})
    rebuilt = m.model_copy(update={"stages": [m.stages[0].model_copy(update={"steps": [step]})]})
    back = loads_map(map_to_yaml(rebuilt))
    assert back.stages[0].steps[0].action == action
    graded = loads_map(map_to_yaml(rebuilt).replace("action:", f"emotion: {grade!r}\n        action:", 1))
    assert graded.stages[0].steps[0].emotion is not None
    assert graded.stages[0].steps[0].emotion.during == grade
