"""The loader's messages for the common mistakes, pinned to the letter: users read these."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxmap import MapInvalid, load_map, loads_map

GOOD = """\
id: tiny
title: Tiny map
touchpoints:
  - {id: kickoff-call, name: Kickoff call}
stages:
  - id: onboard
    title: Onboarding
    steps:
      - id: kickoff
        action: Joins the kickoff call
        touchpoints: [kickoff-call]
        emotion: 7
"""


def errors(text: str) -> list[str]:
    with pytest.raises(MapInvalid) as info:
        loads_map(text, "m.yaml")
    return [str(p) for p in info.value.problems]


def test_good_map_loads_with_its_parts() -> None:
    m = loads_map(GOOD)
    assert m.id == "tiny"
    assert [s.id for s in m.steps] == ["kickoff"]
    assert m.steps[0].emotion is not None
    assert m.steps[0].emotion.during == 7
    assert m.steps[0].emotion.before is None
    assert m.kind == "current"


def test_undefined_touchpoint_suggests_the_close_one() -> None:
    text = GOOD.replace("touchpoints: [kickoff-call]", "touchpoints: [kickof-call]")
    assert errors(text) == [
        "m.yaml:11:23: error: step 'kickoff' names touchpoint 'kickof-call', which is not defined; "
        "did you mean 'kickoff-call'?"
    ]


def test_unknown_key_with_suggestion() -> None:
    text = GOOD.replace("        emotion: 7", "        emotions: 7")
    assert errors(text) == ["m.yaml:12:9: error: step 'kickoff': unknown key 'emotions'; did you mean 'emotion'?"]


def test_unknown_top_level_key_lists_nothing_when_no_close_match() -> None:
    [message] = errors(GOOD + "zzz: 1\n")
    assert message.startswith("m.yaml:13:1: error: unknown key 'zzz'; allowed keys: id, title, kind, ")


def test_grade_outside_range() -> None:
    text = GOOD.replace("emotion: 7", "emotion: {before: 5, during: 11}")
    assert errors(text) == [
        "m.yaml:12:38: error: step 'kickoff' emotion: 'during' is 11; grades go from 0 (awful) to 10 (delighted)"
    ]


def test_bare_grade_outside_range_speaks_of_emotion() -> None:
    text = GOOD.replace("emotion: 7", "emotion: -1")
    assert errors(text) == [
        "m.yaml:12:18: error: step 'kickoff': 'emotion' is -1; grades go from 0 (awful) to 10 (delighted)"
    ]


def test_duplicate_ids() -> None:
    text = GOOD.replace(
        "  - {id: kickoff-call, name: Kickoff call}\n",
        "  - {id: kickoff-call, name: Kickoff call}\n  - {id: kickoff-call, name: Other}\n",
    )
    assert errors(text) == ["m.yaml:5:10: error: touchpoint id 'kickoff-call' is used twice (first on line 4)"]


def test_wrong_type_and_wrong_choice() -> None:
    text = GOOD.replace("title: Tiny map", "title: Tiny map\nkind: ideals\nversion: three")
    assert errors(text) == [
        "m.yaml:3:7: error: 'kind' is 'ideals'; it must be one of: current, ideal or future",
        "m.yaml:4:10: error: 'version' must be a whole number, not 'three'",
    ]


def test_bad_id_and_missing_key() -> None:
    text = GOOD.replace("id: kickoff\n", "id: Kick Off\n").replace("        action: Joins the kickoff call\n", "")
    assert errors(text) == [
        "m.yaml:9:9: error: step 'Kick Off': missing required key 'action'",
        "m.yaml:9:13: error: step 'Kick Off': 'id' is 'Kick Off'; ids use lower-case letters, digits and '-' "
        "(for example 'kickoff-call')",
    ]


def test_all_problems_at_once_in_file_order() -> None:
    text = GOOD.replace("emotion: 7", "emotion: 12").replace("[kickoff-call]", "[nope]")
    assert [m.split(": error: ")[0] for m in errors(text)] == ["m.yaml:11:23", "m.yaml:12:18"]


def test_yaml_syntax_error_is_located() -> None:
    assert errors("id: x\ntitle: [unclosed\nstages: []\n") == [
        "m.yaml:3:7: error: not valid YAML: expected ',' or ']', but got ':'"
    ]


def test_duplicate_yaml_key() -> None:
    assert errors("id: x\nid: y\n") == ["m.yaml:2:1: error: key 'id' appears twice in the same block"]


def test_empty_and_non_mapping_files() -> None:
    assert errors("") == ["m.yaml:1:1: error: the file is empty; a map needs at least id, title and stages"]
    assert errors("- a\n- b\n") == [
        "m.yaml:1:1: error: a map file must be a YAML mapping (key: value lines) at the top level"
    ]


def test_missing_file_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(MapInvalid) as info:
        load_map(tmp_path / "nope.yaml")
    assert info.value.lines() == [f"{tmp_path / 'nope.yaml'}: error: no such file"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(MapInvalid) as info:
        load_map(latin)
    assert info.value.lines() == [f"{latin}: error: is not UTF-8 text (byte 7); save it as UTF-8"]


def test_references_everywhere_are_checked() -> None:
    text = GOOD + (
        "milestones: [{id: m1, touchpoint: checkin-call, due_days: 30}]\n"
        "ideas: [{id: i1, title: T, addresses: [kickof]}]\n"
        "problem_areas: [{step: nope, text: T}]\n"
    )
    assert errors(text) == [
        "m.yaml:13:35: error: milestone 'm1' names touchpoint 'checkin-call', which is not defined",
        "m.yaml:14:40: error: idea 'i1' names step 'kickof', which is not defined; did you mean 'kickoff'?",
        "m.yaml:15:24: error: problem area 1 names step 'nope', which is not defined",
    ]


def test_a_measure_needs_what_it_counts() -> None:
    """on_time needs a milestone, reached and satisfied a step or a touchpoint; outcome and manual nothing."""
    text = GOOD + (
        "verifications:\n"
        "  - {id: v, text: On time, step: kickoff, measure: on_time, target: 0.9}\n"
        "  - {id: w, text: Felt, measure: satisfied, target: 0.9}\n"
        "  - {id: x, text: Renewed, measure: outcome, target: 0.9}\n"
        "  - {id: y, text: By hand, measure: manual, target: 1}\n"
        "  - {id: z, text: Typo, step: kickoff, measure: ontime, target: 0.9}\n"
    )
    assert errors(text) == [
        "m.yaml:14:52: error: verification 'v' measures on_time, which needs a milestone; add one or choose "
        "another measure",
        "m.yaml:15:34: error: verification 'w' measures satisfied, which needs a step or a touchpoint; add one or "
        "choose another measure",
        "m.yaml:18:49: error: verification 'z': 'measure' is 'ontime'; it must be one of: reached, on_time, "
        "satisfied, outcome or manual",
    ]


@pytest.mark.parametrize("depth", [41, 1000])
def test_a_document_nested_too_deep_is_one_problem_not_a_crash(depth: int) -> None:
    text = GOOD + "notes: " + "[" * depth + "]" * depth + "\n"
    assert errors(text) == ["m.yaml: error: nested more than 40 levels deep; a map needs only a few"]


def test_aliases_that_repeat_a_large_text_past_the_size_limit_are_refused() -> None:
    """200 aliases of a 50 kB string: a 50 kB file that every page would show as 10 MB."""
    big = "x" * 50_000
    text = GOOD + f'notes: [&s "{big}", ' + ", ".join(["*s"] * 200) + "]\n"
    assert len(text) < 60_000
    assert errors(text) == ["m.yaml: error: holds more than 5,000,000 characters once its aliases (*name) are repeated"]
