"""The real `mermaid` package (pinned in package.json) parses and draws what cxmap exports.

A unit test can only compare text with text; this proves that Mermaid itself reads every task, score,
section and actor the way cxmap meant them, and that it does reject a broken diagram (so the check can
fail).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cxmap.interchange.mermaid import from_mermaid, score_from_grade, to_mermaid
from cxmap.model import load_map, loads_map

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "maps").glob("*.yaml"))
ZWSP = "\u200b"

# Parse, then render, then read back what Mermaid drew. Each task box sits in a <g> with its face
# (cy = 300 + (5 - score) * 30 in Mermaid's journey renderer) and one circle per actor.
DRAW = """async ([id, text]) => {
  let type;
  try { type = (await mermaid.parse(text)).diagramType; }
  catch (e) { return {error: String((e && e.message) || e)}; }
  const {svg} = await mermaid.render(id, text);
  const box = document.createElement('div');
  box.innerHTML = svg;
  document.body.appendChild(box);
  const texts = (sel) => [...box.querySelectorAll(sel)].map((t) => t.textContent);
  const groups = [...box.querySelectorAll('rect.task')].map((r) => r.parentNode);
  const drawn = {
    type,
    tasks: texts('text.task'),
    scores: groups.map((g) => 5 - (Number(g.querySelector('circle.face').getAttribute('cy')) - 300) / 30),
    actors: groups.map((g) => [...g.querySelectorAll('circle > title')].map((t) => t.textContent)),
    sections: texts('text.journey-section'),
    title: texts('svg > text[font-weight="bold"]'),
    scripts: box.querySelectorAll('script').length,
  };
  box.remove();
  return drawn;
}"""


@dataclass
class Mermaid:
    """A page with mermaid loaded, and the errors it logs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def draw(self, text: str) -> dict[str, Any]:
        """What Mermaid makes of a diagram; {'error': ...} when it refuses it."""
        self.errors.clear()
        drawn: dict[str, Any] = self.page.evaluate(DRAW, [f"diagram{next(self._ids)}", text])
        if "error" not in drawn:
            assert self.errors == [], f"Mermaid logged errors while drawing:\n{text}"
        return drawn


@pytest.fixture(scope="module")
def mermaid(browser: Browser, mermaid_js: Path) -> Iterator[Mermaid]:
    """A blank page with mermaid loaded from node_modules (no server, no network)."""
    page = browser.new_page()
    loaded = Mermaid(page)
    page.on("console", lambda message: loaded.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: loaded.errors.append(str(error)))
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    page.add_script_tag(path=str(mermaid_js))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield loaded
    page.close()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_map_renders_one_task_per_step(mermaid: Mermaid, path: Path) -> None:
    journey_map = load_map(path)
    text = to_mermaid(journey_map)
    drawn = mermaid.draw(text)

    assert "error" not in drawn, drawn.get("error")
    assert drawn["type"] == "journey"
    steps = journey_map.steps
    assert len(drawn["tasks"]) == len(steps)
    assert drawn["scores"] == [score_from_grade(s.emotion.during) if s.emotion else 3 for s in steps]
    # Mermaid reads the same names, sections, title and actors as cxmap's own importer and writer.
    doc, _ = from_mermaid(text)
    assert [t.replace(ZWSP, "") for t in drawn["tasks"]] == [
        step["action"] for stage in doc["stages"] for step in stage["steps"]
    ]
    assert drawn["sections"] == [stage["title"] for stage in doc["stages"] if stage["steps"]]
    assert drawn["title"] == [doc["title"]]
    task_lines = [line for line in text.splitlines() if line.startswith("    ") and "%%" not in line]
    written = [line.split(": ", 2)[2].split(", ") if line.count(": ") >= 2 else [] for line in task_lines]
    assert drawn["actors"] == written


def test_the_onboarding_example_shows_its_own_words(mermaid: Mermaid) -> None:
    journey_map = load_map(REPO / "examples" / "maps" / "b2b-onboarding.yaml")
    drawn = mermaid.draw(to_mermaid(journey_map))

    assert drawn["tasks"] == [step.action for step in journey_map.steps]
    assert drawn["sections"] == [stage.title for stage in journey_map.stages]
    assert drawn["title"] == ["New customer onboarding to first renewal"]
    assert drawn["actors"][0] == ["Priya - operations lead", "Review site community"]


TRICKY = """
id: tricky
title: "Onboarding: the #1 journey; v2"
persona: {name: "Priya, ops lead"}
touchpoints:
  - {id: desk, name: Help desk, delivered_by: "Support; tier 2"}
stages:
  - id: sign-up
    title: "Sign-up: week 1"
    steps:
      - {id: reads, action: "Title page: reads it", emotion: 10}
      - {id: clicks, action: "Clicks <script>alert(1)</script> then pays", touchpoints: [desk], emotion: 1.25}
      - {id: ticket, action: "Ticket #42; escalated", emotion: 6.25}
      - {id: home, action: "journey home", emotion: 0}
      - {id: waits, action: "Waits\\nfor a reply"}
"""


def test_sanitised_text_is_drawn_as_written_and_never_runs(mermaid: Mermaid) -> None:
    drawn = mermaid.draw(to_mermaid(loads_map(TRICKY)))

    assert "error" not in drawn, drawn.get("error")
    assert drawn["title"] == ["Onboarding: the 1 journey, v2"]
    assert drawn["sections"] == ["Sign-up - week 1"]
    assert drawn["tasks"] == [
        ZWSP + "Title page - reads it",  # unguarded, Mermaid would take this line for the title
        "Clicks alert(1) then pays",
        "Ticket 42, escalated",
        ZWSP + "journey home",
        "Waits for a reply",
    ]
    assert drawn["scores"] == [5, 2, 4, 1, 3]
    assert (
        drawn["actors"] == [["Priya - ops lead"], ["Priya - ops lead", "Support - tier 2"]] + [["Priya - ops lead"]] * 3
    )
    assert drawn["scripts"] == 0


def test_mermaid_and_the_importer_read_a_hand_written_journey_alike(mermaid: Mermaid) -> None:
    text = (
        "%% drawn by hand\n"
        "journey\n"
        "accTitle: Our week\n"
        "  Wakes up: 3: Me\n"
        "  section Go to work #58; the commute\n"
        "    Make tea: 5: Me, Cat\n"
        "    Ticket #35;12: 1: Me   # the bad one\n"
        "  section Go home\n"
        "      Sit down: 4\n"
    )
    drawn = mermaid.draw(text)
    doc, _ = from_mermaid(text)

    assert drawn["tasks"] == ["Wakes up", "Make tea", "Ticket #12", "Sit down"]
    assert drawn["tasks"] == [step["action"] for stage in doc["stages"] for step in stage["steps"]]
    assert drawn["sections"] == ["Go to work : the commute", "Go home"]
    assert [stage["title"] for stage in doc["stages"]] == ["Journey", "Go to work : the commute", "Go home"]
    assert drawn["scores"] == [3, 5, 1, 4]
    assert drawn["actors"] == [["Me"], ["Me", "Cat"], ["Me"], []]


def test_a_broken_diagram_is_reported_by_mermaid(mermaid: Mermaid) -> None:
    drawn = mermaid.draw("journey\n  section Sign up\n    Enters details\n")

    assert "Parse error on line 3" in drawn["error"]
    assert "Expecting 'taskData'" in drawn["error"]
