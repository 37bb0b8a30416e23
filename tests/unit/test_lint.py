"""Lint rules: each fires where the method is broken, and only there."""

from __future__ import annotations

from cxmap.lint import RULES, lint
from cxmap.model.load import resolve
from cxmap.model.raw import parse_yaml

CLEAN = """\
id: lint-me
title: Lint me
touchpoints:
  - {id: site, name: Website, delivered_by: Marketing, supported_by: [cms]}
  - {id: order, name: Order form, delivered_by: Sales, supported_by: [cms]}
  - {id: call, name: Check-in call, delivered_by: CSM, supported_by: [cms]}
  - {id: rival, name: Rival ad, owner: competitor}
stages:
  - id: before
    title: Before
    steps:
      - {id: browse, action: Browses, touchpoints: [site, rival], moment_of_truth: true, emotion: 6}
  - id: buy
    title: Buy
    steps:
      - {id: signs, action: Signs, touchpoints: [order], purchase: true, moment_of_truth: true, emotion: 7}
  - id: after
    title: After
    steps:
      - {id: checkin, action: Check-in, touchpoints: [call], moment_of_truth: true, emotion: 2}
backstage:
  - {id: cms, name: CMS}
milestones:
  - {id: m30, touchpoint: call, due_days: 30}
verifications:
  - {id: v1, text: Site is right, step: browse, measure: satisfied, target: 0.9}
  - {id: v2, text: Orders fast, touchpoint: order, measure: reached, target: 0.9}
  - {id: v3, text: Check-in on time, milestone: m30, measure: on_time, target: 0.95}
problem_areas:
  - {step: checkin, text: Calls come late}
"""


def warnings(text: str, disabled: frozenset[str] = frozenset()) -> list[str]:
    doc = parse_yaml(text, "m.yaml")
    return [str(p) for p in lint(resolve(doc), doc, disabled)]


def test_clean_map_has_no_warnings() -> None:
    assert warnings(CLEAN) == []


def test_rule_codes_are_stable() -> None:
    assert [r.code for r in RULES] == ["CX001", "CX002", "CX003", "CX004", "CX005", "CX006", "CX007", "CX008"]


def test_cx001_moment_of_truth_without_verification() -> None:
    text = CLEAN.replace("  - {id: v3, text: Check-in on time, milestone: m30, measure: on_time, target: 0.95}\n", "")
    assert warnings(text) == [
        "m.yaml:20:62: warning CX001: step 'checkin' is a moment of truth with no verification activity; "
        "add one under `verifications` (with step, touchpoint or milestone) so you know it is handled as intended"
    ]


def test_cx002_low_grade_without_problem_area_or_idea() -> None:
    text = CLEAN.replace("problem_areas:\n  - {step: checkin, text: Calls come late}\n", "")
    assert warnings(text) == [
        "m.yaml:20:94: warning CX002: step 'checkin' is graded 2 but no problem area or idea addresses it"
    ]
    with_idea = text + "ideas: [{id: i1, title: Call earlier, addresses: [checkin]}]\n"
    assert warnings(with_idea) == []


def test_cx003_and_cx004_front_and_back_stage() -> None:
    text = CLEAN.replace(
        "{id: call, name: Check-in call, delivered_by: CSM, supported_by: [cms]}",
        "{id: call, name: Check-in call}",
    )
    assert warnings(text) == [
        "m.yaml:6:10: warning CX003: touchpoint 'call' has no front stage: say who delivers it with `delivered_by`",
        "m.yaml:6:10: warning CX004: touchpoint 'call' has no back stage: list what supports it under `supported_by`",
    ]
    assert warnings(text, frozenset({"CX003", "CX004"})) == []


def test_cx005_cx006_purchase_at_either_end() -> None:
    no_purchase = CLEAN.replace(" purchase: true,", "")
    assert warnings(no_purchase) == [
        "m.yaml:8:1: warning CX005: no step is marked `purchase: true`; mark the step where the customer buys, "
        "so the map can show the journey before and after it"
    ]
    at_start = no_purchase.replace("action: Browses,", "action: Browses, purchase: true,")
    assert [w.split(": ")[1] for w in warnings(at_start)] == ["warning CX005"]
    at_end = no_purchase.replace("action: Check-in,", "action: Check-in, purchase: true,")
    assert [w.split(": ")[1] for w in warnings(at_end)] == ["warning CX006"]


def test_cx007_stage_without_moment_of_truth() -> None:
    text = CLEAN.replace("purchase: true, moment_of_truth: true,", "purchase: true,").replace(
        "  - {id: v2, text: Orders fast, touchpoint: order, measure: reached, target: 0.9}\n", ""
    )
    assert warnings(text) == ["m.yaml:13:9: warning CX007: stage 'buy' has no moment of truth"]


def test_cx008_verification_without_a_measure() -> None:
    """Still valid (the figure defaults to today's), but lint asks which figure it is."""
    text = CLEAN.replace("step: browse, measure: satisfied,", "step: browse,")
    assert warnings(text) == [
        "m.yaml:26:10: warning CX008: verification 'v1' has no measure; add measure: reached, on_time, satisfied "
        "or outcome so the figure says what it counts"
    ]
    by_hand = CLEAN.replace("  - {id: v2,", "  - {id: v4, text: Someone looks, target: 1}\n  - {id: v2,")
    assert warnings(by_hand) == [
        "m.yaml:27:10: warning CX008: verification 'v4' has no measure; add measure: manual (checked by hand) "
        "or outcome (accounts with the map's outcome)"
    ]
    assert warnings(by_hand.replace("text: Someone looks,", "text: Someone looks, measure: manual,")) == []
    assert warnings(text, frozenset({"CX008"})) == []
