"""`diff_maps`: what a reviewer needs to see between two versions of a map."""

from __future__ import annotations

from cxmap.diff import diff_maps
from cxmap.model import loads_map

V1 = """\
id: trip
title: A trip
version: 1
touchpoints:
  - {id: app, name: App, owner: us, delivered_by: Product}
  - {id: desk, name: Desk, owner: partner}
stages:
  - id: plan
    title: Plan
    steps:
      - {id: search, action: Searches, touchpoints: [app], emotion: 6}
      - {id: book, action: Books, touchpoints: [app], emotion: {before: 4, during: 5, after: 7}}
  - id: go
    title: Go
    steps:
      - {id: checkin, action: Checks in, touchpoints: [desk], emotion: 3}
      - {id: fly, action: Flies, emotion: 8}
ideas:
  - {id: faster, title: Faster check-in, addresses: [checkin], status: proposed}
"""


def messages(old: str, new: str) -> list[str]:
    return [f"{c.sign} {c.message}" for c in diff_maps(loads_map(old), loads_map(new))]


def test_identical_maps_have_no_changes() -> None:
    assert messages(V1, V1) == []


def test_grades_owners_ideas_and_version() -> None:
    v2 = (
        V1.replace("version: 1", "version: 2")
        .replace("emotion: 3}", "emotion: 5}")
        .replace("{id: desk, name: Desk, owner: partner}", "{id: desk, name: Desk, owner: us}")
        .replace("status: proposed", "status: planned")
        .replace("emotion: {before: 4, during: 5, after: 7}", "emotion: {before: 4, during: 6, after: 7}")
    )
    assert messages(V1, v2) == [
        "~ map 'trip' version: 1 -> 2",
        "~ step 'book' grade 4/5/7 -> 4/6/7",
        "~ step 'checkin' grade 3 -> 5",
        "~ touchpoint 'desk' re-owned: partner -> us",
        "~ idea 'faster' status: proposed -> planned",
    ]


def test_steps_added_removed_and_moved() -> None:
    v2 = V1.replace(
        "      - {id: search, action: Searches, touchpoints: [app], emotion: 6}\n"
        "      - {id: book, action: Books, touchpoints: [app], emotion: {before: 4, during: 5, after: 7}}\n",
        "      - {id: book, action: Books, touchpoints: [app], emotion: {before: 4, during: 5, after: 7}}\n"
        "      - {id: compare, action: Compares prices}\n"
        "      - {id: search, action: Searches, touchpoints: [app], emotion: 6}\n",
    ).replace("      - {id: fly, action: Flies, emotion: 8}\n", "")
    v2 = v2.replace(
        "    steps:\n      - {id: checkin",
        "    steps:\n      - {id: fly, action: Flies, emotion: 8}\n      - {id: checkin",
    )
    assert messages(V1, v2) == [
        "+ step 'compare' added",
        "> step 'book' moved within stage 'plan'",
        "> step 'fly' moved within stage 'go'",
    ]


def test_step_moved_to_another_stage_and_moment_of_truth_flagged() -> None:
    v2 = V1.replace(
        "      - {id: book, action: Books, touchpoints: [app], emotion: {before: 4, during: 5, after: 7}}\n",
        "",
    ).replace(
        "      - {id: checkin,",
        "      - {id: book, action: Books, touchpoints: [app], moment_of_truth: true,"
        " emotion: {before: 4, during: 5, after: 7}}\n      - {id: checkin,",
    )
    assert messages(V1, v2) == [
        "> step 'book' moved from stage 'plan' to 'go'",
        "~ step 'book' moment of truth: no -> yes",
    ]
