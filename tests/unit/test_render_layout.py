"""The journey map's geometry, checked with numbers worked out by hand from the layout's constants.

Constants used below: margin 24, lane-label column 200, step column 204, cell padding 10, gap between
items 8, stage band 44, step header 30, smallest lane 56, emotion plot 130 tall starting 30 below the
lane's top. DejaVu Sans advance widths are in units of 1/2048 em.
"""

from __future__ import annotations

import pytest

from cxmap.model import loads_map
from cxmap.render.layout import (
    LANES,
    EmotionScale,
    Overlay,
    OverlayMarker,
    build_layout,
)
from cxmap.render.text import ELLIPSIS, text_width, wrap

SMALL = """\
id: small
title: Small map
touchpoints:
  - {id: site, name: Website, channel: web, delivered_by: Marketing, supported_by: [cms],
     clues: [{kind: tangible, text: Prices are clear}]}
  - {id: review, name: Review site, channel: web, owner: third-party, delivered_by: Community}
  - {id: call, name: Sales call, channel: phone, delivered_by: Marketing, supported_by: [cms, crm],
     clues: [{kind: humanic, text: Friendly}, {kind: mechanic, text: Tidy slides}]}
backstage:
  - {id: cms, name: Content system, team: Web ops}
  - {id: crm, name: CRM, team: RevOps}
stages:
  - id: discover
    title: Discover
    steps:
      - {id: reads, action: Reads reviews, touchpoints: [review, site],
         emotion: {before: 4, during: 6, after: 8}}
      - {id: browses, action: Browses, touchpoints: [site]}
  - id: buy
    title: Buy
    steps:
      - {id: calls, action: Calls sales, touchpoints: [call], moment_of_truth: true, hot_spot: true,
         purchase: true, emotion: 10}
      - {id: signs, action: Signs, emotion: 0}
problem_areas: [{step: browses, text: Slow pages}]
purple_cows: [{step: calls, text: Remembers our name}]
ideas:
  - {id: faster, title: Faster pages, addresses: [browses], status: planned}
  - {id: both, title: One brief, addresses: [browses, calls], status: done}
"""


@pytest.fixture
def layout():
    return build_layout(loads_map(SMALL), header=False)


def kinds(layout, lane: str, step: str) -> list[tuple[str, str, str | None]]:
    cell = next(c for c in layout.lane(lane).cells if c.step_id == step)
    return [(item.kind, item.text.full, item.tag) for item in cell.items]


def test_columns_have_a_fixed_width_after_the_label_column(layout) -> None:
    # x = 24 + 200 + i * 204; width = 2 * 24 + 200 + 4 * 204
    assert [c.x for c in layout.columns] == [224, 428, 632, 836]
    assert [c.step_id for c in layout.columns] == ["reads", "browses", "calls", "signs"]
    assert layout.width == 1064
    assert layout.columns[2].centre == 734


def test_stage_bands_span_their_steps(layout) -> None:
    assert [(s.stage_id, s.x, s.width, s.steps) for s in layout.stages] == [
        ("discover", 224, 408, 2),
        ("buy", 632, 408, 2),
    ]


def test_a_stage_without_steps_takes_no_room() -> None:
    text = SMALL.replace("stages:\n", "stages:\n  - {id: later, title: Later, steps: []}\n")
    assert [s.stage_id for s in build_layout(loads_map(text)).stages] == ["discover", "buy"]


def test_lanes_come_in_the_designers_order_and_stack_without_gaps(layout) -> None:
    assert [lane.key for lane in layout.lanes] == [
        "actions", "touchpoints", "moments", "frontstage", "emotion",
        "clues", "backstage", "problems", "purple-cows", "ideas",
    ]  # fmt: skip
    assert [lane.label.full for lane in layout.lanes] == [spec.label for spec in LANES]
    assert layout.lanes[0].y == 98  # 24 margin + 44 stage band + 30 step header
    for upper, lower in zip(layout.lanes, layout.lanes[1:], strict=False):
        assert lower.y == pytest.approx(upper.y + upper.height)
    assert layout.body_bottom == pytest.approx(layout.lanes[-1].y + layout.lanes[-1].height)


def test_lane_height_is_the_fullest_cell_or_its_label(layout) -> None:
    # Short actions fit in the smallest lane (10 + one 17.82 px line + 10 < 56).
    assert layout.lane("actions").height == 56
    # "reads" meets two touchpoint cards of 58 px each: 10 + 58 + 8 + 58 + 10.
    assert layout.lane("touchpoints").height == 144
    # Two front-stage lines of 12 px type (15.84 px leading): 10 + 15.84 + 8 + 15.84 + 10.
    assert layout.lane("frontstage").height == pytest.approx(59.68)
    # An empty lane still holds its name (13 px bold, 17.16 leading) and hint (11 px, 14.52): 12 + 17.16 + 2
    # + 14.52 + 10 = 55.68, under the smallest lane.
    assert layout.lane("problems").height == 56


def test_a_long_action_makes_its_lane_taller_and_is_cut_with_an_ellipsis() -> None:
    long_action = "Reads every single review on every site " * 6
    m = loads_map(SMALL.replace("action: Reads reviews", f"action: {long_action.strip()}"))
    actions = build_layout(m, header=False).lane("actions")
    text = actions.cells[0].items[0].text
    assert len(text.lines) == 4  # actions keep four lines at most
    assert text.truncated
    assert text.lines[-1].endswith(ELLIPSIS)
    assert actions.height == pytest.approx(10 + 4 * 17.82 + 10)


def test_cells_show_what_each_lane_means(layout) -> None:
    assert kinds(layout, "touchpoints", "reads") == [
        ("touchpoint", "Review site", "third-party"),
        ("touchpoint", "Website", "us"),
    ]
    assert kinds(layout, "moments", "calls") == [
        ("hot-spot", "Hot spot", None),
        ("purchase", "Purchase", None),
    ]
    assert kinds(layout, "moments", "reads") == []
    assert kinds(layout, "frontstage", "reads") == [
        ("frontstage", "Community", None),
        ("frontstage", "Marketing", None),
    ]
    assert kinds(layout, "clues", "calls") == [
        ("clue", "Friendly", "humanic"),
        ("clue", "Tidy slides", "mechanic"),
    ]
    backstage = next(c for c in layout.lane("backstage").cells if c.step_id == "calls").items
    assert [(i.text.full, i.sub.full if i.sub else None) for i in backstage] == [
        ("Content system", "Web ops"),
        ("CRM", "RevOps"),
    ]
    assert kinds(layout, "problems", "browses") == [("problem", "Slow pages", None)]
    assert kinds(layout, "purple-cows", "calls") == [("purple-cow", "Remembers our name", None)]
    assert kinds(layout, "ideas", "browses") == [
        ("idea", "Faster pages", "planned"),
        ("idea", "One brief", "done"),
    ]
    assert kinds(layout, "ideas", "calls") == [("idea", "One brief", "done")]


def test_emotion_scale_puts_ten_at_the_top_and_zero_at_the_bottom(layout) -> None:
    lane = layout.lane("emotion")
    assert layout.scale == EmotionScale(lane.y + 30, lane.y + 160)
    assert layout.scale.y(10) == layout.scale.top
    assert layout.scale.y(0) == layout.scale.bottom
    assert layout.scale.y(7.5) == pytest.approx(layout.scale.top + 32.5)  # a quarter of 130 down


def test_emotion_points_before_during_after_and_gaps(layout) -> None:
    points = layout.emotion.points
    assert [(p.step_id, p.when, p.grade) for p in points] == [
        ("reads", "before", 4),
        ("reads", "during", 6),
        ("reads", "after", 8),
        ("calls", "during", 10),
        ("signs", "during", 0),
    ]
    # before and after sit 0.27 of a column (55.08 px) either side of the column's centre, 326
    assert [p.x for p in points[:3]] == pytest.approx([270.92, 326, 381.08])
    assert points[0].y == pytest.approx(layout.scale.bottom - 52)  # grade 4: 0.4 * 130 up
    assert points[3].y == layout.scale.top
    assert points[4].y == layout.scale.bottom
    # "browses" has no grade, so the line breaks there: [reads] then [calls, signs]
    assert [[p.step_id for p in s] for s in layout.emotion.segments] == [["reads"], ["calls", "signs"]]


def test_overlay_is_placed_on_the_same_scale_with_gaps_and_markers() -> None:
    overlay = Overlay(
        label="Measured",
        emotion={"reads": 5, "calls": 12, "signs": 2.5},
        markers=[OverlayMarker("calls", "Hot spot confirmed", "good")],
    )
    layout = build_layout(loads_map(SMALL), header=False, overlay=overlay)
    assert layout.overlay is not None
    assert [(p.step_id, p.grade) for p in layout.overlay.points] == [
        ("reads", 5),
        ("calls", 10),
        ("signs", 2.5),
    ]
    assert [[p.step_id for p in s] for s in layout.overlay.segments] == [["reads"], ["calls", "signs"]]
    assert layout.overlay.points[1].y == layout.scale.top  # 12 is clamped to 10
    assert kinds(layout, "moments", "calls")[-1] == ("overlay", "Hot spot confirmed", "good")


def test_header_moves_the_map_down() -> None:
    with_header = build_layout(loads_map(SMALL))
    assert with_header.header is not None
    assert with_header.stage_y == with_header.header.y + with_header.header.height + 12
    assert with_header.stage_y > 24


def test_text_width_uses_dejavu_advances() -> None:
    # H 1540 + e 1260 + l 569 + l 569 + o 1253 = 5191 units; at 10 px: 5191 * 10 / 2048
    assert text_width("Hello", 10) == pytest.approx(25.3467, abs=1e-4)
    assert text_width("Hello", 10, bold=True) > text_width("Hello", 10)
    assert text_width("\u00e9", 10) == text_width("e", 10)  # accents measure as their letter


def test_wrap_breaks_between_words_and_splits_words_longer_than_a_line() -> None:
    block = wrap("aaa bbb ccc", text_width("aaa bbb", 10), 10)
    assert block.lines == ("aaa bbb", "ccc")
    assert not block.truncated
    long_word = wrap("x" * 40, text_width("x" * 10, 10), 10, max_lines=9)
    assert long_word.lines == ("x" * 10,) * 4
