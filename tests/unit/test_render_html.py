"""The HTML page and notebook fragment: self-contained, escaped, and showing every part of the map."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import cxmap
from cxmap.model import load_map, loads_map
from cxmap.render import render, render_fragment, render_html
from tests.conftest import EXAMPLES

SVG_NS = "http://www.w3.org/2000/svg"
SCRIPT = "<script>alert(1)</script>"
QUOTES = "\"quotes' & ampersands"
YAML_QUOTES = QUOTES.replace("'", "''")  # inside a single-quoted YAML string

HOSTILE = f"""\
id: hostile
title: 'Title {SCRIPT}'
persona: {{name: '{YAML_QUOTES}', situation: '{SCRIPT}', needs: ['{SCRIPT}'], quote: '{YAML_QUOTES}'}}
outcome: '{SCRIPT}'
stakeholders:
  - {{id: boss, name: '{SCRIPT}', ring: 1, we_give: '{YAML_QUOTES}'}}
touchpoints:
  - {{id: t, name: Desk, clues: [{{kind: tangible, text: '{YAML_QUOTES} {SCRIPT}'}}]}}
stages:
  - id: s
    title: Stage
    steps:
      - {{id: a, action: '{SCRIPT}', touchpoints: [t], emotion: 5}}
problem_areas: [{{step: a, text: '{SCRIPT}'}}]
purple_cows: [{{step: a, text: '{YAML_QUOTES}'}}]
ideas: [{{id: i, title: '{SCRIPT}', addresses: [a], owner: '{YAML_QUOTES}'}}]
milestones: [{{id: m, touchpoint: t, due_days: 3, text: '{SCRIPT}'}}]
verifications: [{{id: v, text: '{SCRIPT}', step: a, target: 0.5}}]
"""

BARE = """\
id: bare
title: Bare map
stages:
  - id: s
    title: Only stage
    steps:
      - {id: a, action: Does a thing}
"""


@pytest.fixture(scope="module")
def example_html() -> str:
    return render_html(load_map(EXAMPLES / "b2b-onboarding.yaml"))


def inline_svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of the page, parsed as XML (which also proves each one is well-formed)."""
    return [ET.fromstring(chunk) for chunk in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)]


def test_page_makes_no_network_request(example_html: str) -> None:
    assert set(re.findall(r"https?://[^\s\"'<>)]+", example_html)) == {SVG_NS}
    lowered = example_html.lower()
    for needle in ("<link", "<script", "<img", "<iframe", "@import", "@font-face", " src="):
        assert needle not in lowered, needle
    assert re.findall(r"url\((?!#)", example_html) == []  # only url(#gradient) references


def test_page_shows_every_part_of_the_map(example_html: str) -> None:
    m = load_map(EXAMPLES / "b2b-onboarding.yaml")
    assert example_html.startswith("<!DOCTYPE html>")
    assert f"<h1>{m.title}</h1>" in example_html
    assert "Ideal state" in example_html
    assert f"Version {m.version}" in example_html
    assert m.persona is not None
    for text in [m.persona.name, m.persona.segment, *m.persona.needs]:
        assert text
        assert text in example_html
    journey, legend, rings = inline_svgs(example_html)[1:]  # the first one is the pinned lane labels
    assert [g.get("data-step") for g in journey.iter() if g.get("data-step")] == [s.id for s in m.steps]
    assert "Moment of truth" in "".join(legend.itertext())
    assert {g.get("data-stakeholder") for g in rings.iter() if g.get("data-stakeholder")} == {
        s.id for s in m.stakeholders
    }
    for section in ("problem-areas", "purple-cows", "ideas", "milestones", "verifications", "stakeholders"):
        assert f'id="{section}"' in example_html
    for idea in m.ideas:
        assert f'data-idea="{idea.id}"' in example_html
    assert "In progress" in example_html
    assert "Funded" in example_html
    assert "Day 30" in example_html
    assert "95%" in example_html


def test_map_scrolls_sideways_and_prints_landscape_at_page_width(example_html: str) -> None:
    assert 'class="cx-scroll"' in example_html
    assert re.search(r"\.cx-scroll \{[^}]*overflow-x: auto", example_html)
    printed = example_html[example_html.index("@media print") :]
    assert "size: landscape" in printed
    assert re.search(r"\.cx-scroll \{ overflow: visible", printed)
    assert re.search(r"\.cx-scroll > svg \{ width: 100%; height: auto; \}", printed)


def test_text_is_escaped_everywhere() -> None:
    html = render_html(loads_map(HOSTILE))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert QUOTES not in html
    assert "&#34;quotes&#39; &amp; ampersands" in html
    svg_text = "".join("".join(svg.itertext()) for svg in inline_svgs(html))
    assert SCRIPT in svg_text  # the SVGs parse and give the text back unchanged


def test_a_map_without_optional_parts_still_renders() -> None:
    html = render_html(loads_map(BARE))
    assert "No persona on this map yet." in html
    assert 'id="stakeholders"' not in html
    assert "No problem areas marked." in html


def test_fragment_is_compact_and_styles_only_its_own_classes() -> None:
    m = cxmap.load_map(EXAMPLES / "b2b-onboarding.yaml")  # the public API gives maps `_repr_html_`
    fragment = render_fragment(m)
    assert "<html" not in fragment
    assert "<body" not in fragment
    assert "<h1" not in fragment
    assert m.persona is not None
    assert m.persona.name in fragment
    journey = inline_svgs(fragment)[1]
    assert len([g for g in journey.iter() if g.get("data-step")]) == len(m.steps)
    style = re.search(r"<style>(.*?)</style>", fragment, flags=re.DOTALL)
    assert style is not None
    css = re.sub(r"/\*.*?\*/", "", style.group(1), flags=re.DOTALL)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors
    assert [s for s in selectors if not s.startswith(".cx-")] == []
    assert m._repr_html_() == fragment


def test_render_gives_bytes_in_each_format() -> None:
    m = loads_map(BARE)
    assert render(m, "html").startswith(b"<!DOCTYPE html>")
    assert render(m, "svg").startswith(b"<svg ")
    assert render(m, "png").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        render(m, "pdf")  # type: ignore[arg-type]
