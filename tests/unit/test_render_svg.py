"""The journey map and stakeholder SVGs, read back with an XML parser, and the PNG made from them."""

from __future__ import annotations

import math
import struct
import xml.etree.ElementTree as ET

import pytest

from cxmap.model import load_map, loads_map
from cxmap.render import Overlay, render_png, render_stakeholders_svg, render_svg
from cxmap.render.icons import CHANNELS, channel_icon, icon
from cxmap.render.theme import contrast, text_pairs
from tests.conftest import EXAMPLES

NS = {"s": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
QUOTES = "\"quotes' & ampersands"
LANE_KEYS = [
    "actions", "touchpoints", "moments", "frontstage", "emotion",
    "clues", "backstage", "problems", "purple-cows", "ideas",
]  # fmt: skip

PLAIN = """\
id: plain
title: Plain map
stages:
  - id: one
    title: One
    steps:
      - {id: top, action: Loves it, emotion: 10}
      - {id: bottom, action: Hates it, emotion: 0}
      - {id: skipped, action: Not graded}
      - {id: arc, action: Feels it change, emotion: {before: 2, during: 5, after: 7.5}}
"""

HOSTILE = f"""\
id: hostile
title: Hostile {QUOTES}
persona: {{name: '{QUOTES.replace("'", "''")}', quote: '{SCRIPT}'}}
stakeholders:
  - {{id: boss, name: '{SCRIPT}', ring: 1, we_give: '{QUOTES.replace("'", "''")}', they_give: Budget</>}}
touchpoints:
  - id: t
    name: '{SCRIPT}'
    clues: [{{kind: humanic, text: '{QUOTES.replace("'", "''")} {SCRIPT}'}}]
stages:
  - id: s
    title: '{SCRIPT}'
    steps:
      - {{id: a, action: '{SCRIPT}', touchpoints: [t], emotion: 5}}
problem_areas: [{{step: a, text: '{SCRIPT}'}}]
"""


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def steps_map(count: int) -> str:
    """A map with ``count`` graded steps in stages of five."""
    lines = ["id: long", "title: Long map", "stages:"]
    for i in range(count):
        if i % 5 == 0:
            lines += [f"  - id: stage-{i // 5}", f"    title: Stage {i // 5 + 1}", "    steps:"]
        lines.append(f"      - {{id: step-{i}, action: Step number {i}, emotion: {i % 11}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def example() -> ET.Element:
    return parse(render_svg(load_map(EXAMPLES / "b2b-onboarding.yaml")))


def test_every_step_is_one_column_group_in_journey_order(example: ET.Element) -> None:
    m = load_map(EXAMPLES / "b2b-onboarding.yaml")
    columns = example.findall(".//s:g[@data-step]", NS)
    assert [g.get("data-step") for g in columns] == [s.id for s in m.steps]
    assert [g.get("id") for g in columns] == [f"cx-step-{s.id}" for s in m.steps]
    hot = [g.get("data-step") for g in columns if g.get("data-hot-spot") == "true"]
    assert hot == [s.id for s in m.steps if s.hot_spot]


def test_lanes_in_order_each_with_one_cell_per_step(example: ET.Element) -> None:
    m = load_map(EXAMPLES / "b2b-onboarding.yaml")
    lanes = example.findall(".//s:g[@data-lane]", NS)
    assert [g.get("data-lane") for g in lanes] == LANE_KEYS
    assert [g.get("data-order") for g in lanes] == [str(i) for i in range(1, 11)]
    for lane in lanes:
        cells = lane.findall("s:g[@data-cell]", NS)
        assert [c.get("data-cell") for c in cells] == [s.id for s in m.steps], lane.get("data-lane")


def test_touchpoint_cells_carry_owner_and_id(example: ET.Element) -> None:
    cell = example.find(".//s:g[@data-lane='touchpoints']/s:g[@data-cell='weighs-alternatives']", NS)
    assert cell is not None
    items = cell.findall("s:g[@data-item='touchpoint']", NS)
    assert [(i.get("data-ref"), i.get("data-tag")) for i in items] == [("competitor-pitch", "competitor")]
    assert "".join(items[0].itertext()).startswith("Competitor's outbound pitch")


def emotion_points(root: ET.Element) -> list[ET.Element]:
    lane = root.find(".//s:g[@data-lane='emotion']", NS)
    assert lane is not None
    return [e for e in lane.iter() if e.get("data-when") in {"before", "during", "after"}]


def test_one_point_per_grade_and_three_for_before_during_after() -> None:
    points = emotion_points(parse(render_svg(loads_map(PLAIN))))
    # top, bottom: one each; skipped: none; arc: before, during, after
    assert [(p.get("data-when"), p.get("data-grade")) for p in points] == [
        ("during", "10"),
        ("during", "0"),
        ("before", "2"),
        ("during", "5"),
        ("after", "7.5"),
    ]


def test_grade_positions_worked_out_by_hand() -> None:
    root = parse(render_svg(loads_map(PLAIN), header=False))
    # No header: stage band at 24, step header at 68, lanes from 98. Actions, touchpoints, moments and
    # front stage are all the smallest lane (56), so the emotion lane starts at 98 + 4 * 56 = 322 and its
    # plot runs from 352 (grade 10) to 482 (grade 0).
    cy = {(p.get("data-when"), p.get("data-grade")): float(p.get("cy", "nan")) for p in emotion_points(root)}
    assert cy[("during", "10")] == 352
    assert cy[("during", "0")] == 482
    assert cy[("during", "5")] == 417
    assert cy[("after", "7.5")] == 384.5
    assert cy[("before", "2")] == 456
    # columns start at 24 + 200 = 224 and are 204 wide: the 4th step's centre is 224 + 3 * 204 + 102
    cx = {p.get("data-when"): float(p.get("cx", "nan")) for p in emotion_points(root)[2:]}
    assert cx == {"before": 882.92, "during": 938, "after": 993.08}


def test_ungraded_step_breaks_the_line() -> None:
    root = parse(render_svg(loads_map(PLAIN)))
    line = root.find(".//s:g[@data-emotion-line='designed']", NS)
    assert line is not None
    strokes = [p for p in line.findall("s:path", NS) if p.get("fill") == "none"]
    assert len(strokes) == 2  # [top, bottom] and [arc]
    skipped = root.find(".//s:g[@data-lane='emotion']/s:g[@data-cell='skipped']", NS)
    assert skipped is not None
    assert "".join(skipped.itertext()) == "not graded"


def test_text_from_the_map_is_escaped_never_markup() -> None:
    svg = render_svg(loads_map(HOSTILE))
    root = parse(svg)  # well-formed XML despite the hostile text
    assert "<script" not in svg
    assert all(e.tag != f"{SVG}script" and not e.tag.endswith("script") for e in root.iter())
    action = root.find(".//s:g[@data-lane='actions']/s:g[@data-cell='a']", NS)
    assert action is not None
    assert "".join(action.itertext()) == SCRIPT  # wrapped across lines, but the same characters
    clue = root.find(".//s:g[@data-lane='clues']/s:g[@data-cell='a']", NS)
    assert clue is not None
    assert "".join(clue.itertext()).startswith(QUOTES)
    header = root.find(".//s:g[@data-part='header']", NS)
    assert header is not None
    assert QUOTES in "".join(header.itertext())  # persona and title
    assert "&amp; ampersands" in svg
    assert "&#34;quotes&#39;" in svg


def test_a_45_step_map_has_45_columns_and_grows_with_its_steps() -> None:
    widths = {}
    for count in (10, 45):
        root = parse(render_svg(loads_map(steps_map(count))))
        assert len(root.findall(".//s:g[@data-step]", NS)) == count
        assert [g.get("data-step") for g in root.findall(".//s:g[@data-step]", NS)] == [
            f"step-{i}" for i in range(count)
        ]
        assert len(emotion_points(root)) == count
        widths[count] = int(root.get("width", "0"))
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert widths[45] == 2 * 24 + 200 + 45 * 204 == 9428
    assert widths[45] - widths[10] == 35 * 204


def test_document_is_standalone_with_inline_styles_and_a_dejavu_fallback(example: ET.Element) -> None:
    assert "DejaVu Sans" in example.get("font-family", "")
    assert example.find("s:title", NS) is not None
    tags = {e.tag.removeprefix(SVG) for e in example.iter()}
    assert not tags & {"style", "image", "script", "foreignObject", "use"}
    assert not [e for e in example.iter() if any("href" in k for k in e.attrib)]


def test_overlay_draws_a_second_line_and_joins_the_legend() -> None:
    overlay = Overlay(label="Measured emotion", emotion={"top": 8, "arc": 4})
    root = parse(render_svg(loads_map(PLAIN), overlay=overlay))
    group = root.find(".//s:g[@data-overlay='Measured emotion']", NS)
    assert group is not None
    measured = [e for e in group.iter() if e.get("data-when") == "measured"]
    assert [(e.get("data-step-point"), e.get("data-grade")) for e in measured] == [("top", "8"), ("arc", "4")]
    legend = root.find(".//s:g[@data-part='legend']", NS)
    assert legend is not None
    assert "Measured emotion" in "".join(legend.itertext())


def stakeholders(svg: str) -> dict[str, ET.Element]:
    return {g.get("data-stakeholder", ""): g for g in parse(svg).findall(".//s:g[@data-stakeholder]", NS)}


def test_stakeholders_sit_on_their_rings_with_what_flows_as_tooltips() -> None:
    m = load_map(EXAMPLES / "b2b-onboarding.yaml")
    svg = render_stakeholders_svg(m)
    root = parse(svg)
    found = stakeholders(svg)
    assert set(found) == {s.id for s in m.stakeholders}
    bands = {int(c.get("data-ring-band", "-1")): c for c in root.findall(".//s:circle[@data-ring-band]", NS)}
    cx, cy = float(bands[0].get("cx", "0")), float(bands[0].get("cy", "0"))
    radius = {ring: float(c.get("r", "0")) for ring, c in bands.items()}
    for s in m.stakeholders:
        group = found[s.id]
        tip = group.findtext("s:title", default="", namespaces=NS)
        assert tip.startswith(f"{s.name} (ring {s.ring})")
        if s.we_give:
            assert f"We give: {s.we_give}" in tip
        if s.they_give:
            assert f"They give: {s.they_give}" in tip
        if s.ring == 0:
            continue  # listed inside the customer disc
        dot = group.find("s:circle", NS)
        assert dot is not None
        distance = math.dist((float(dot.get("cx", "0")), float(dot.get("cy", "0"))), (cx, cy))
        assert radius[s.ring - 1] < distance < radius[s.ring], s.id


def test_stakeholder_names_are_escaped() -> None:
    svg = render_stakeholders_svg(loads_map(HOSTILE))
    boss = stakeholders(svg)["boss"]
    assert "<script" not in svg
    assert SCRIPT in "".join(boss.itertext())
    assert f"We give: {QUOTES}" in (boss.findtext("s:title", namespaces=NS) or "")


def test_png_has_the_signature_and_the_svgs_size() -> None:
    m = loads_map(PLAIN)
    root = parse(render_svg(m))
    png = render_png(m)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (int(root.get("width", "0")), int(root.get("height", "0")))


def test_text_colours_meet_wcag_aa() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    weak = [(name, round(contrast(fg, bg), 2)) for name, fg, bg in text_pairs() if contrast(fg, bg) < 4.5]
    assert weak == []


def test_channel_names_fold_onto_icons() -> None:
    assert [channel_icon(c) for c in ("E-mail", "live chat", "Video call", "in person", "Post")] == [
        "email",
        "chat",
        "video",
        "in-person",
        "letter",
    ]
    assert channel_icon("carrier pigeon") == channel_icon(None) == "dot"
    drawn = {str(icon(name, 0, 0, 24, "#000000")) for name in CHANNELS}
    assert len(drawn) == len(CHANNELS)  # each channel has its own drawing
