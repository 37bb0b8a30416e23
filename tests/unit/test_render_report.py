"""The measured-map report: every section with its anchor, markers that link, numbers as written, all text
escaped, and nothing loaded from the network; with a map and without one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from cxmap.analytics.findings import (
    CurvePoint,
    Findings,
    HotSpot,
    ProblemArea,
    PurpleCow,
    SatisfactionBand,
    TouchpointStats,
)
from cxmap.model import loads_map
from cxmap.render.report import SECTIONS, anchor, render_report

SVG_NS = "http://www.w3.org/2000/svg"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

MAP = f"""\
id: onboarding
title: 'Onboarding {SCRIPT}'
outcome: Renewing after a year
touchpoints:
  - {{id: kickoff-call, name: 'Kickoff call {SCRIPT}'}}
  - {{id: data-import, name: Data import}}
  - {{id: qbr, name: Quarterly review}}
  - {{id: renewal, name: Renewal}}
stages:
  - id: start
    title: Start
    steps:
      - {{id: kickoff, action: Joins the kickoff, touchpoints: [kickoff-call], moment_of_truth: true, emotion: 7}}
      - {{id: imports, action: Imports data, touchpoints: [data-import], emotion: 3}}
  - id: grow
    title: Grow
    steps:
      - {{id: review, action: Reviews value, touchpoints: [qbr], moment_of_truth: true, emotion: 8}}
      - {{id: renews, action: Renews, touchpoints: [renewal], emotion: 8}}
"""


def stats(tp: str, name: str, steps: list[str], mean: float | None, customers: int) -> TouchpointStats:
    return TouchpointStats(
        id=tp,
        name=name,
        on_map=True,
        events=customers * 2,
        customers=customers,
        reach=customers / 1500,
        scored_events=customers,
        emotion_mean=mean,
        emotion_ci=[None, None] if mean is None else [mean - 0.1, mean + 0.1],
        emotion_median=mean,
        negative_share=0.2,
        positive_share=0.3,
        sentiment_share=0.1,
        steps=steps,
    )


def point(i: int, step: str | None, tp: str | None, label: str, designed: float | None, measured: float | None):
    ci = [None, None] if measured is None else [measured - 0.2, measured + 0.2]
    gap = None if measured is None or designed is None else measured - designed
    return CurvePoint(
        index=i,
        step=step,
        touchpoint=tp,
        label=label,
        designed=designed,
        measured=measured,
        measured_ci=ci,
        gap=gap,
        events=10 if measured is not None else 0,
        customers=10 if measured is not None else 0,
    )


def findings(with_map: bool = True, **changes: Any) -> Findings:
    """A hand-made analysis whose numbers are easy to check on paper."""
    kickoff = HotSpot(
        touchpoint="kickoff-call",
        name=f"Kickoff call {SCRIPT}",
        leverage=0.52,
        leverage_ci=[0.46, 0.58],
        leverage_adjusted=0.47,
        leverage_adjusted_ci=[0.41, 0.53],
        outcome_rate_good=0.78,
        outcome_rate_bad=0.31,
        customers_good=904,
        customers_bad=300,
        customers=1300,
        reach=0.9,
        score=0.42,
        significant=True,
        moment_of_truth=True,
    )
    untested = HotSpot(
        touchpoint="qbr",
        name="Quarterly review",
        leverage=0.02,
        leverage_ci=[-0.05, 0.09],
        leverage_adjusted=0.02,
        leverage_adjusted_ci=[-0.05, 0.09],
        outcome_rate_good=0.5,
        outcome_rate_bad=0.48,
        customers_good=400,
        customers_bad=90,
        customers=500,
        reach=0.4,
        score=0.01,
        significant=False,
        moment_of_truth=True,
    )
    if with_map:
        curve = [
            point(0, "kickoff", None, "Joins the kickoff", 7, 6.6),
            point(1, "imports", None, "Imports data", 3, 4.2),
            point(2, "review", None, "Reviews value", 8, None),
            point(3, "renews", None, "Renews", 8, 5.0),
        ]
    else:
        curve = [
            point(0, None, "kickoff-call", f"Kickoff call {SCRIPT}", None, 6.6),
            point(1, None, "data-import", "Data import", None, 4.2),
            point(2, None, "qbr", "Quarterly review", None, None),
        ]
    base: dict[str, Any] = {
        "workspace": "/tmp/acme",
        "map": "onboarding" if with_map else None,
        "outcome": "renewal",
        "customers": 1500,
        "events": 9000,
        "touchpoints": [
            stats("kickoff-call", f"Kickoff call {SCRIPT}", ["kickoff"] if with_map else [], 6.6, 1300),
            stats("data-import", "Data import", ["imports"] if with_map else [], 4.2, 1200),
            stats("qbr", "Quarterly review", ["review"] if with_map else [], 9.1, 600),
        ],
        "curve": curve,
        "hot_spots": [kickoff],
        "hot_spot_candidates": [kickoff, untested],
        "moments_of_truth_unconfirmed": ["qbr"],
        "satisfaction_bands": [
            SatisfactionBand(band="good", customers=700, outcome_rate=0.64, outcome_ci=[0.6, 0.68]),
            SatisfactionBand(band="bad", customers=90, outcome_rate=0.12, outcome_ci=[0.07, 0.2]),
        ],
        "problem_areas": [
            ProblemArea(
                touchpoint="data-import",
                name="Data import",
                emotion_mean=2.9,
                negative_share=0.47,
                customers=560,
                scored_events=1200,
                steps=["imports"] if with_map else [],
            )
        ],
        "purple_cows": [
            PurpleCow(
                touchpoint="qbr",
                name="Quarterly review",
                emotion_mean=9.1,
                positive_share=0.69,
                customers=410,
                scored_events=600,
                steps=["review"] if with_map else [],
            )
        ],
        "journeys": {
            "customers": 1500,
            "dfg": [
                {"from": "kickoff-call", "to": "data-import", "count": 1100, "customers": 1100, "median_hours": 48.0},
                {"from": "data-import", "to": "qbr", "count": 500, "customers": 480, "median_hours": 400.0},
                {"from": "data-import", "to": "data-import", "count": 300, "customers": 200, "median_hours": 20.0},
                {"from": "qbr", "to": "kickoff-call", "count": 40, "customers": 40, "median_hours": 10.0},
            ],
            "variants": [{"sequence": ["kickoff-call", "data-import", "qbr"], "customers": 3, "share": 0.002}],
            "variant_count": 57,
            "start": [],
            "dropout": [],
        },
        "conformance": {
            "available": True,
            "customers": 1500,
            "fully_conformant_share": 0.25,
            "deviations": [],
            "steps": [
                {
                    "step": "kickoff",
                    "measured": True,
                    "reached": 1500,
                    "done": 1300,
                    "skipped": 200,
                    "out_of_order": 10,
                    "late": 100,
                    "conformance_rate": 0.8,
                }
            ],
        }
        if with_map
        else {"available": False, "reason": "conformance compares journeys with a map"},
        "contagion": [
            {
                "from_department": "Support",
                "to_department": "Finance",
                "exposed_customers": 200,
                "exposed_engaged": 40,
                "control_customers": 900,
                "control_engaged": 405,
                "exposed_rate": 0.2,
                "control_rate": 0.45,
                "difference": -0.25,
                "difference_ci": [-0.31, -0.19],
                "significant": True,
                "evidence": "enough",
            },
            {
                "from_department": "Sales",
                "to_department": "Quietly ignored dept",
                "exposed_customers": 30,
                "exposed_engaged": 12,
                "control_customers": 900,
                "control_engaged": 378,
                "exposed_rate": 0.4,
                "control_rate": 0.42,
                "difference": -0.02,
                "difference_ci": [-0.2, 0.16],
                "significant": False,
                "evidence": "enough",
            },
        ],
        "recovery": {
            "negative_customers": 300,
            "recovered_on_time": 60,
            "recovered_late": 40,
            "unrecovered": 200,
            "on_time_share": 0.2,
            "median_hours_to_recovery": 36.0,
            "later_emotion_recovered": 6.5,
            "later_emotion_unrecovered": 4.5,
            "outcome_rate_recovered": 0.6,
            "outcome_rate_unrecovered": 0.35,
            "outcome_customers_recovered": 60,
            "outcome_customers_unrecovered": 200,
            "difference": 0.25,
            "difference_ci": [0.11, 0.37],
            "significant": True,
            "evidence": "enough",
            "window_days": 7,
        },
        "thresholds": {"good_min": 7, "bad_max": 4, "confidence": 0.95, "min_customers": 20},
    }
    return Findings.model_validate(base | changes)


EVIDENCE = {
    "kickoff-call": [
        {"comment": f"Great call {SCRIPT}", "emotion": 9.0, "at": "2025-03-02T10:00:00"},
        {"comment": "Rescheduled twice", "emotion": 2.5, "at": "2025-03-01T09:00:00"},
        {"comment": "Fine", "emotion": 6.0, "at": "2025-02-28T09:00:00"},
        {"comment": "The fourth comment is not shown", "emotion": 6.0, "at": "2025-02-27T09:00:00"},
    ],
    "data-import": [{"comment": "The import broke our data", "emotion": 1.4, "at": "2025-02-01T08:00:00"}],
}


@pytest.fixture(scope="module")
def the_map():
    return loads_map(MAP)


@pytest.fixture(scope="module")
def html(the_map) -> str:
    return render_report(findings(), the_map, EVIDENCE)


@pytest.fixture(scope="module")
def bare_html() -> str:
    return render_report(findings(with_map=False), None, EVIDENCE)


def ids(page: str) -> set[str]:
    """The page's element ids; none is used twice."""
    found = re.findall(r'\bid="([^"]+)"', page)
    assert len(found) == len(set(found))
    return set(found)


def inline_svgs(page: str) -> list[ET.Element]:
    """Every inline SVG, parsed as XML (which also proves each one is well-formed)."""
    return [ET.fromstring(chunk) for chunk in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)]


def row(page: str, row_id: str) -> str:
    return re.search(rf'<tr[^>]*id="{row_id}".*?</tr>', page, flags=re.DOTALL).group(0)


def cell(tr: str, col: str) -> str:
    found = re.search(rf'<td[^>]*data-col="{col}"[^>]*>(.*?)</td>', tr, flags=re.DOTALL).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)).strip()


@pytest.mark.parametrize("page", ["html", "bare_html"])
def test_every_section_and_finding_has_its_anchor(page: str, request: pytest.FixtureRequest) -> None:
    found = ids(request.getfixturevalue(page))
    assert {section for section, _ in SECTIONS} <= found
    assert {"hot-spot-kickoff-call", "problem-data-import", "purple-cow-qbr", "moment-qbr"} <= found


@pytest.mark.parametrize("page", ["html", "bare_html"])
def test_every_in_page_link_lands_on_an_element(page: str, request: pytest.FixtureRequest) -> None:
    text = request.getfixturevalue(page)
    targets = set(re.findall(r'href="#([^"]+)"', text))
    assert targets
    assert targets <= ids(text)


def test_markers_sit_at_their_steps_and_link_to_their_findings(html: str) -> None:
    markers = re.findall(r'<a href="#([^"]+)" class="cx-mk cx-mk-([a-z-]+)" data-marker="[a-z-]+">', html)
    assert markers == [  # in the order of the map's columns
        ("hot-spot-kickoff-call", "hot-spot"),
        ("problem-data-import", "problem-severe"),  # mean 2.9 <= 3: red, not amber
        ("purple-cow-qbr", "purple-cow"),
        ("moment-qbr", "unconfirmed"),
    ]
    assert {target for target, _ in markers} <= ids(html)
    svg = next(s for s in inline_svgs(html) if s.get("data-map") == "onboarding")
    cells = svg.findall(f".//{{{SVG_NS}}}g[@data-lane='moments']/{{{SVG_NS}}}g[@data-cell]")
    linked = {c.get("data-cell"): [a.get("href") for a in c.iter(f"{{{SVG_NS}}}a")] for c in cells}
    assert linked["kickoff"] == ["#hot-spot-kickoff-call"]
    assert linked["imports"] == ["#problem-data-import"]
    assert linked["review"] == ["#purple-cow-qbr", "#moment-qbr"]
    assert linked["renews"] == []


def test_measured_line_has_one_point_per_measured_step(html: str) -> None:
    svg = next(s for s in inline_svgs(html) if s.get("data-map") == "onboarding")
    drawn = {p.get("data-step-point"): float(p.get("data-grade")) for p in svg.iter() if p.get("data-step-point")}
    assert drawn == {"kickoff": 6.6, "imports": 4.2, "renews": 5.0}  # "review" has no measurement
    grades = svg.find(f".//{{{SVG_NS}}}g[@data-part='measured-grades']")
    assert [t.text for t in grades] == ["6.6", "4.2", "5.0"]


def test_without_a_map_the_curve_has_one_point_per_measured_touchpoint(bare_html: str) -> None:
    svg = next(s for s in inline_svgs(bare_html) if s.findtext(f"{{{SVG_NS}}}title") == "Measured emotional curve")
    drawn = {p.get("data-step-point"): float(p.get("data-grade")) for p in svg.iter() if p.get("data-step-point")}
    assert drawn == {"kickoff-call": 6.6, "data-import": 4.2}
    links = [a.get("href") for a in svg.iter(f"{{{SVG_NS}}}a")]
    assert links == ["#hot-spot-kickoff-call", "#problem-data-import", "#purple-cow-qbr", "#moment-qbr"]
    assert "data-map" not in bare_html
    assert "conformance compares journeys with a map" in bare_html.lower()


def test_hot_spot_row_shows_rates_difference_interval_and_customers(html: str) -> None:
    tr = row(html, "hot-spot-kickoff-call")
    assert cell(tr, "good") == "78%"
    assert cell(tr, "bad") == "31%"
    assert cell(tr, "leverage") == "+47 points +41 to +53 points raw +52 points"
    assert cell(tr, "customers") == "904 / 300 1,204 customers"
    assert cell(tr, "reach") == "90%"
    assert 'style="width:78.0%"' in tr
    assert 'style="width:31.0%"' in tr


def test_headline_and_summary_come_first(html: str) -> None:
    headline = (
        f"The hottest spot is Kickoff call {ESCAPED}: renewal 78% after a good experience against 31% after a bad "
        "one; +47 points holding the experience elsewhere fixed (95% interval +41 to +53 points; raw +52 points; "
        "1,204 customers: 904 good, 300 bad)"
    )
    assert html.index(headline) < html.index('id="map"')
    assert 'href="#problem-areas">Problem areas</a>' in html
    assert "Data import: mean 2.9/10, 47% negative, 560 customers hurt" in html


def test_evidence_shows_the_first_comments_with_grade_and_day(html: str) -> None:
    assert f"<q>Great call {ESCAPED}</q><time>2025-03-02</time>" in html
    assert "<q>Rescheduled twice</q>" in html
    assert "The fourth comment is not shown" not in html
    assert "<q>The import broke our data</q>" in html
    assert "Mean emotion 6.6/10 (interval 6.5 to 6.7) from 1,300 scored events" in html


def test_hostile_text_is_escaped_everywhere(html: str, bare_html: str) -> None:
    for page in (html, bare_html):
        assert "<script" not in page
        assert ESCAPED in page
        inline_svgs(page)  # every SVG still parses
    assert f"<h1>Onboarding {ESCAPED}</h1>" in html


@pytest.mark.parametrize("page", ["html", "bare_html"])
def test_the_page_loads_nothing_from_the_network(page: str, request: pytest.FixtureRequest) -> None:
    text = request.getfixturevalue(page)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) == {SVG_NS}
    assert not re.search(r"<(link|img|iframe|script)\b|\bsrc=", text)


def test_findings_sections_show_their_numbers(html: str) -> None:
    assert "Quietly ignored dept" not in html  # only pairs that differ clearly
    assert "1 of the 2 department pairs with enough customers (at least 20 on each side) differ clearly" in html
    assert "Renewal 60% when recovered on time (60 customers) against 35% when not (200): +25 points" in html
    assert "Too few customers" not in html
    assert "is not clearly above zero" in html  # why the QBR is not confirmed as a moment of truth
    assert "1.5 days" in html  # median 36 hours to recovery
    assert 'data-band="bad"' in html
    assert "0.2%" in html  # a small variant share keeps a decimal


def test_journey_graph_draws_the_edges_left_to_right_in_journey_order(html: str) -> None:
    graph = next(s for s in inline_svgs(html) if s.findtext(f"{{{SVG_NS}}}title") == "Journey graph")
    edges = [g.get("data-edge") for g in graph.iter() if g.get("data-edge")]
    assert edges == ["kickoff-call>data-import", "data-import>qbr", "data-import>data-import", "qbr>kickoff-call"]
    nodes = [g.get("data-node") for g in graph.iter() if g.get("data-node")]
    assert nodes == ["kickoff-call", "data-import", "qbr"]


def test_an_empty_analysis_still_renders() -> None:
    empty = findings(
        with_map=False,
        outcome=None,
        hot_spots=[],
        hot_spot_candidates=[],
        moments_of_truth_unconfirmed=[],
        satisfaction_bands=[],
        problem_areas=[],
        purple_cows=[],
        journeys={"customers": 0, "dfg": [], "variants": [], "variant_count": 0, "start": [], "dropout": []},
        conformance={"available": False, "reason": "the map's steps name no touchpoints"},
        contagion=[],
        recovery={
            "negative_customers": 0,
            "recovered_on_time": 0,
            "recovered_late": 0,
            "unrecovered": 0,
            **dict.fromkeys(["on_time_share", "median_hours_to_recovery", "later_emotion_recovered"]),
            **dict.fromkeys(["later_emotion_unrecovered", "outcome_rate_recovered", "outcome_rate_unrecovered"]),
            **dict.fromkeys(["outcome_customers_recovered", "outcome_customers_unrecovered", "difference"]),
            **dict.fromkeys(["difference_ci", "significant", "evidence"]),
            "window_days": 7,
        },
        touchpoints=[],
        curve=[],
    )
    page = render_report(empty)
    assert "1,500 customers and 9,000 events analysed" in page
    assert {section for section, _ in SECTIONS} <= ids(page)


def test_anchor_ids_are_stable_slugs() -> None:
    assert anchor("Kickoff Call!", "hot-spot") == "hot-spot-kickoff-call"
    assert anchor("<script>", "problem") == "problem-script"
    assert anchor("", "moment") == "moment-x"
