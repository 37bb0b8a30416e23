"""Mermaid journey interchange: exact export text, the score rule, sanitising, import, round trips, errors.

Every expected value here was worked out by hand from the rules in cxmap.interchange.mermaid's docstring
(score = 1 + floor(grade * 4 / 10 + 0.5); a score s imports as (s - 1) * 2.5).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxmap.errors import MapInvalid, Problem
from cxmap.interchange.mermaid import (
    from_mermaid,
    grade_from_score,
    import_mermaid,
    score_from_grade,
    to_mermaid,
)
from cxmap.model import load_map, loads_map

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "maps" / "b2b-onboarding.yaml"
ZWSP = "\u200b"
HEADER = (
    "Score = 1 + floor(grade * 4 / 10 + 0.5) from the step's 0-10 'during' grade (halves round up); "
    "3 for a step without a grade."
)
KIND_NOTE = "Mermaid has no map kind: the map is imported as a current-state map ('kind: current')."
SCORES_NOTE = "Scores 1-5 became emotion grades (score - 1) * 2.5: 1 -> 0, 2 -> 2.5, 3 -> 5, 4 -> 7.5, 5 -> 10."
ACTORS_NOTE = "Mermaid has no touchpoints: each task's other actors are in its step's notes ('Actors: ...')."

SMALL = """
id: first-order
title: "Ordering: the first time"
version: 2
persona: {name: "Sam, first-time buyer"}
touchpoints:
  - {id: shop, name: Web shop, delivered_by: Web team}
  - {id: chat, name: Chat, delivered_by: Support team}
  - {id: mail, name: Order email, delivered_by: Web team}
  - {id: leaflet, name: Leaflet in the parcel}
stages:
  - id: browse
    title: Browse
    steps:
      - {id: finds, action: Finds the product, touchpoints: [shop], emotion: 7.5}
      - id: asks
        action: "Asks: does it fit?"
        touchpoints: [chat, shop]
        emotion: {before: 3, during: 1.25, after: 8}
  - id: buy
    title: Buy
    steps:
      - {id: pays, action: Pays, touchpoints: [shop, mail], emotion: 10}
      - {id: waits, action: Waits for the parcel, touchpoints: [leaflet]}
"""

SMALL_MERMAID = f"""\
%% Exported by cxmap from map id first-order version 2. {HEADER}
journey
  title Ordering: the first time
  section Browse
    Finds the product: 4: Sam - first-time buyer, Web team
    Asks - does it fit?: 2: Sam - first-time buyer, Support team, Web team
  section Buy
    Pays: 5: Sam - first-time buyer, Web team
    %% cxmap: no grade for step 'waits'; shown as 3
    Waits for the parcel: 3: Sam - first-time buyer
"""


# --- export -------------------------------------------------------------------------------------------


def test_export_of_a_small_map_is_exactly_this_text() -> None:
    assert to_mermaid(loads_map(SMALL)) == SMALL_MERMAID


def test_export_without_persona_version_or_actors_writes_bare_tasks() -> None:
    journey_map = loads_map("id: bare\ntitle: Bare\nstages: [{id: s, title: S, steps: [{id: a, action: A}]}]")

    assert to_mermaid(journey_map) == (
        f"%% Exported by cxmap from map id bare no version. {HEADER}\n"
        "journey\n"
        "  title Bare\n"
        "  section S\n"
        "    %% cxmap: no grade for step 'a'; shown as 3\n"
        "    A: 3\n"
    )


@pytest.mark.parametrize(
    ("grade", "score"),
    [
        (0, 1),
        (1.24, 1),  # 0.496 + 0.5 = 0.996 -> 0
        (1.25, 2),  # 0.5 + 0.5 = 1: half up (round() would give 1 + 0 = 1)
        (2.5, 2),  # 1.0 + 0.5 = 1.5 -> 1
        (3.75, 3),  # 1.5 + 0.5 = 2
        (5, 3),  # 2.0 + 0.5 -> 2
        (6.25, 4),  # 2.5 + 0.5 = 3: half up (round() would give 1 + 2 = 3)
        (7.5, 4),  # 3.0 + 0.5 -> 3
        (8, 4),  # 3.2 + 0.5 = 3.7 -> 3
        (8.75, 5),  # 3.5 + 0.5 = 4
        (10, 5),  # 4.0 + 0.5 -> 4
    ],
)
def test_score_from_grade(grade: float, score: int) -> None:
    assert score_from_grade(grade) == score


@pytest.mark.parametrize(("score", "grade"), [(1, 0), (2, 2.5), (3, 5), (4, 7.5), (5, 10), (2.5, 3.75)])
def test_grade_from_score(score: float, grade: float) -> None:
    assert grade_from_score(score) == grade


def _task_line(action: str) -> str:
    """The task line exported for a one-step map with this action (JSON is YAML, and quotes anything)."""
    text = f"id: m\ntitle: M\nstages: [{{id: s, title: S, steps: [{{id: st, action: {json.dumps(action)}}}]}}]"
    return to_mermaid(loads_map(text)).splitlines()[-1]


@pytest.mark.parametrize(
    ("action", "name"),
    [
        ("Step 1: sign up", "Step 1 - sign up"),
        ("Note:", "Note"),
        ("Sign; then pay", "Sign, then pay"),
        ("Ticket #42", "Ticket 42"),
        ("C# course", "C course"),
        ("<script>alert(1)</script> pays", "alert(1) pays"),
        ("<<b>script>x", "x"),  # a tag hidden inside a tag is removed too
        ("a < b > c", "a \u2039 b \u203a c"),
        ("Two\nlines\t here ", "Two lines here"),
        ("50%% off", "50% off"),
        ("Title page", ZWSP + "Title page"),  # Mermaid would take this line for the diagram's title
        ("section two", ZWSP + "section two"),
        ("journey", ZWSP + "journey"),
        ("Journey-planning", ZWSP + "Journey-planning"),
        ("% done", ZWSP + "% done"),
        ("Journeys", "Journeys"),
        ("Sectional view", "Sectional view"),
        ("#", "st"),  # nothing left: the step id stands in
    ],
)
def test_task_names_are_sanitised_readably(action: str, name: str) -> None:
    assert _task_line(action) == f"    {name}: 3"


def test_titles_sections_and_actors_are_sanitised() -> None:
    journey_map = loads_map(
        """
id: tricky
title: "Onboarding: the #1 journey; v2"
persona: {name: "Priya, ops lead"}
touchpoints:
  - {id: desk, name: Help desk, delivered_by: "Support; tier 2"}
  - {id: web, name: Web, delivered_by: "Team: <b>web</b> #ops"}
  - {id: dup, name: Dup, delivered_by: "Priya; ops lead"}
  - {id: empty, name: Empty, delivered_by: ","}
stages:
  - id: sign-up
    title: "Sign-up: week 1\\n(#2)"
    steps:
      - id: clicks
        action: "Clicks <script>alert(1)</script>"
        touchpoints: [desk, web, dup, empty]
        emotion: 5
"""
    )

    assert to_mermaid(journey_map).splitlines()[2:] == [
        "  title Onboarding: the 1 journey, v2",  # Mermaid's title may hold ':'
        "  section Sign-up - week 1 (2)",
        "    Clicks alert(1): 3: Priya - ops lead, Support - tier 2, Team - web ops",
    ]


# --- import -------------------------------------------------------------------------------------------

HAND_WRITTEN = """\
---
title: From the front matter
config:
  theme: forest
---
%% Our team's week, drawn by hand
JOURNEY
    title My working day
    accTitle: A working day
    Wake up: 2: Me
  Section Go to work
    Make tea: 5: Me, Cat
\t\tGo upstairs:3:Me
    Do work: 1: Me, Boss   # the bad one
  section Go home
Go downstairs: 5: Me
      Sit down: 4.5 : Me
    Sit down: 3: Me: ignored
"""


def test_import_of_a_hand_written_journey() -> None:
    doc, notes = from_mermaid(HAND_WRITTEN, source="day.mmd")

    assert doc == {
        "id": "my-working-day",
        "title": "My working day",
        "kind": "current",
        "persona": {"name": "Me"},
        "stages": [
            {
                "id": "journey",
                "title": "Journey",
                "steps": [{"id": "wake-up", "action": "Wake up", "emotion": 2.5}],
            },
            {
                "id": "go-to-work",
                "title": "Go to work",
                "steps": [
                    {"id": "make-tea", "action": "Make tea", "emotion": 10, "notes": "Actors: Cat"},
                    {"id": "go-upstairs", "action": "Go upstairs", "emotion": 5},
                    {"id": "do-work", "action": "Do work", "emotion": 0, "notes": "Actors: Boss"},
                ],
            },
            {
                "id": "go-home",
                "title": "Go home",
                "steps": [
                    {"id": "go-downstairs", "action": "Go downstairs", "emotion": 10},
                    {"id": "sit-down", "action": "Sit down", "emotion": 8.75},
                    {"id": "sit-down-2", "action": "Sit down", "emotion": 5},
                ],
            },
        ],
    }
    assert notes == [
        KIND_NOTE,
        SCORES_NOTE,
        "The persona 'Me' is the first actor of every task.",
        ACTORS_NOTE,
        "Tasks before the first section were put in a stage called 'Journey'.",
        "Comments cannot be kept in a map and were dropped (lines 6, 14).",
        "line 1: the front matter's 'config' cannot be kept in a map and was dropped",
        "line 9: the accessible title 'A working day' was dropped",
        "line 18: ': ignored' after the actors was dropped, as Mermaid does",
    ]


def test_import_gives_a_valid_map() -> None:
    journey_map, _ = import_mermaid(HAND_WRITTEN, source="day.mmd", map_id="my-day")

    assert journey_map.id == "my-day"
    assert journey_map.source == "day.mmd"
    assert journey_map.persona is not None
    assert journey_map.persona.name == "Me"
    assert [(s.id, s.emotion.during if s.emotion else None) for s in journey_map.steps] == [
        ("wake-up", 2.5),
        ("make-tea", 10),
        ("go-upstairs", 5),
        ("do-work", 0),
        ("go-downstairs", 10),
        ("sit-down", 8.75),
        ("sit-down-2", 5),
    ]


def test_import_without_title_sections_or_a_shared_first_actor() -> None:
    doc, notes = from_mermaid("journey\r\n  Wake up: 3: Me\r\n  Eat: 4: Cat, Me\r\n  Sleep: 5\r\n")

    assert doc == {
        "id": "imported-journey",
        "title": "Imported journey",
        "kind": "current",
        "stages": [
            {
                "id": "journey",
                "title": "Journey",
                "steps": [
                    {"id": "wake-up", "action": "Wake up", "emotion": 5, "notes": "Actors: Me"},
                    {"id": "eat", "action": "Eat", "emotion": 7.5, "notes": "Actors: Cat, Me"},
                    {"id": "sleep", "action": "Sleep", "emotion": 10},
                ],
            }
        ],
    }
    assert notes == [
        KIND_NOTE,
        "The diagram has no title: the map is called 'Imported journey'.",
        SCORES_NOTE,
        ACTORS_NOTE,
        "Tasks before the first section were put in a stage called 'Journey'.",
    ]


def test_import_makes_ids_unique_short_and_valid() -> None:
    long_name = "Reads " + "very " * 20 + "long text"
    text = "journey title Go\nsection Go\n  Sit: 3\n  Sit: 3\n  !!!: 3\nsection Go\n  Sit: 3\n"
    text += f"  {long_name}: 3\n"
    journey_map, _ = import_mermaid(text)

    assert journey_map.id == "go"
    assert [stage.id for stage in journey_map.stages] == ["go", "go-2"]
    assert [step.id for step in journey_map.steps] == [
        "sit",
        "sit-2",
        "step",
        "sit-3",
        "reads-very-very-very-very-very-very-very-very-very-very-very",  # cut at 60 characters
    ]


def test_import_reads_entity_codes_and_drops_exports_guards() -> None:
    text = "journey\n  section Go #58; now\n    Ticket #35;12: 1\n    #quot;Hi#quot; #9829;: 5: A#44; B\n"
    doc, _ = from_mermaid(text + f"    {ZWSP}Title page: 3\n")

    assert doc["stages"] == [
        {
            "id": "go-now",
            "title": "Go : now",
            "steps": [
                {"id": "ticket-12", "action": "Ticket #12", "emotion": 0},
                {"id": "hi", "action": '"Hi" \u2665', "emotion": 10, "notes": "Actors: A, B"},
                {"id": "title-page", "action": "Title page", "emotion": 5},
            ],
        }
    ]


def test_import_notes_what_it_cannot_read() -> None:
    text = (
        "%%{init: {'theme': 'forest'}}%%\n"
        "journey\n"
        "  accDescr: The day\n"
        "  accDescr {\n"
        "    A day in\n"
        "    two lines }\n"
        "  section S: extra\n"
        "    a; b: 3\n"
        "    journey\n"
        "    : 3: Me\n"
        "    title\n"
        "    Ok: 3\n"
    )
    doc, notes = from_mermaid(text)

    assert doc["stages"] == [{"id": "s", "title": "S", "steps": [{"id": "ok", "action": "Ok", "emotion": 5}]}]
    assert notes == [
        KIND_NOTE,
        "The diagram has no title: the map is called 'Imported journey'.",
        SCORES_NOTE,
        "line 1: the directive '%%{init: {'theme': 'forest'}}%%' was dropped",
        "line 3: the accessible description was dropped",
        "line 4: the accessible description was dropped",
        "line 7: ': extra' after the section title was dropped",
        "line 8: skipped 'a; b: 3': Mermaid does not allow ';' in a journey",
        "line 9: skipped 'journey': 'journey' may only start the diagram",
        "line 10: skipped ': 3: Me': a score needs a task name before it",
        "line 11: skipped 'title': a title or section needs text after it",
    ]


# --- round trips --------------------------------------------------------------------------------------


def test_round_trip_of_the_small_map_keeps_what_mermaid_can_hold() -> None:
    journey_map, notes = import_mermaid(to_mermaid(loads_map(SMALL)))

    assert journey_map.title == "Ordering: the first time"
    assert journey_map.persona is not None
    assert journey_map.persona.name == "Sam - first-time buyer"
    assert [stage.title for stage in journey_map.stages] == ["Browse", "Buy"]
    assert [(s.action, s.emotion.during if s.emotion else None, s.notes) for s in journey_map.steps] == [
        ("Finds the product", 7.5, "Actors: Web team"),
        ("Asks - does it fit?", 2.5, "Actors: Support team, Web team"),  # 1.25 -> score 2 -> 2.5
        ("Pays", 10, "Actors: Web team"),
        ("Waits for the parcel", None, None),  # the 'no grade' mark comes back as no grade
    ]
    assert "Tasks marked by cxmap as having no grade were imported without an emotion." in notes
    assert notes[-1] == "Comments cannot be kept in a map and were dropped (line 1)."


def test_round_trip_of_the_example_map() -> None:
    original = load_map(EXAMPLE)
    journey_map, _ = import_mermaid(to_mermaid(original), source="b2b.mmd")

    assert journey_map.title == original.title
    assert [stage.title for stage in journey_map.stages] == [stage.title for stage in original.stages]
    assert [step.action for step in journey_map.steps] == [step.action for step in original.steps]
    # during grades 6 6 8 6 6 7 7 3 8 7 5 9 7 5 8 -> scores 3 3 4 3 3 4 4 2 4 4 3 5 4 3 4 -> (s - 1) * 2.5
    assert [step.emotion.during for step in journey_map.steps if step.emotion] == [
        5, 5, 7.5, 5, 5, 7.5, 7.5, 2.5, 7.5, 7.5, 5, 10, 7.5, 5, 7.5
    ]  # fmt: skip
    assert journey_map.persona is not None
    assert journey_map.persona.name == "Priya - operations lead"
    # Exporting again gives the same tasks and scores; only the actors behind the persona are gone.
    again = [line.split(": ")[:2] for line in to_mermaid(journey_map).splitlines()[2:]]
    first = [line.split(": ")[:2] for line in to_mermaid(original).splitlines()[2:]]
    assert again == first


def test_an_imported_document_writes_as_yaml_that_loads_back() -> None:
    from cxmap.model.dump import to_yaml  # the shared YAML writer

    doc, _ = from_mermaid(HAND_WRITTEN)
    text = to_yaml(doc)

    assert "    emotion: 8.75\n" in text
    assert loads_map(text).model_dump() == import_mermaid(HAND_WRITTEN)[0].model_dump()


# --- errors -------------------------------------------------------------------------------------------


def _problems(text: str, **kwargs: str) -> tuple[str, list[Problem]]:
    with pytest.raises(MapInvalid) as caught:
        from_mermaid(text, **kwargs)
    return caught.value.message, caught.value.problems


def test_every_bad_task_is_reported_at_once_in_plain_words() -> None:
    text = (
        "journey\n"
        "  section Sign up\n"
        "    Enters details\n"
        "    Sign up: 7: Me\n"
        "    Pays: high\n"
        "    Waits:\n"
        "    Gets email: 0.5\n"
    )
    message, problems = _problems(text, source="day.mmd")

    assert message == "day.mmd has 5 problems"
    assert [str(p) for p in problems] == [
        "day.mmd:3:5: error: task 'Enters details' has no score; "
        "write it as 'Enters details: 3', with a score from 1 to 5",
        "day.mmd:4:14: error: task 'Sign up' has score 7; Mermaid journey scores go from 1 to 5",
        "day.mmd:5:11: error: task 'Pays' has score 'high', which is not a number; "
        "Mermaid journey scores go from 1 to 5",
        "day.mmd:6:10: error: task 'Waits' has no score; write it as 'Waits: 3', with a score from 1 to 5",
        "day.mmd:7:17: error: task 'Gets email' has score 0.5; Mermaid journey scores go from 1 to 5",
    ]


def test_a_diagram_that_is_not_a_journey_is_refused() -> None:
    message, problems = _problems("%% a flow\n\n  flowchart LR\n  A --> B\n")

    assert message == "<mermaid> has 1 problem"
    assert problems == [
        Problem(
            "<mermaid>",
            3,
            3,
            "this is not a Mermaid journey diagram: it starts with 'flowchart LR'; "
            "a journey diagram starts with the line 'journey'",
        )
    ]


@pytest.mark.parametrize(
    ("text", "kwargs", "problem"),
    [
        (
            "",
            {},
            (0, 0, "there is no diagram here; a Mermaid journey diagram starts with the line 'journey'"),
        ),
        ("journey\n", {}, (1, 1, "the diagram has no sections or tasks, so there is no journey")),
        (
            "journey\n  a: 3\n",
            {"map_id": "Bad Id"},
            (0, 0, "map id 'Bad Id' is not an id; ids use lower-case letters, digits and '-'"),
        ),
        (
            "---\ntitle: x\njourney\n",
            {},
            (1, 1, "the front matter that starts with '---' on line 1 is never closed by '---'"),
        ),
    ],
)
def test_other_bad_input(text: str, kwargs: dict[str, str], problem: tuple[int, int, str]) -> None:
    _, problems = _problems(text, **kwargs)

    assert [(p.line, p.col, p.message) for p in problems] == [problem]
