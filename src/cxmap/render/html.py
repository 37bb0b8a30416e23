"""The journey map as one self-contained HTML page, and a compact fragment for notebooks.

Everything is inline (CSS, SVG): the file can be mailed, attached to a ticket or opened offline, and it
makes no network request. Jinja autoescapes every value; the SVG strings are marked safe only because
:mod:`cxmap.render.svgkit` escaped every text inside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cxmap.model.map import Map
from cxmap.model.schema import IdeaStatus
from cxmap.render import theme
from cxmap.render.layout import LABEL_WIDTH, MARGIN, Overlay
from cxmap.render.svg import render_lane_labels_svg, render_legend_svg, render_stakeholders_svg, render_svg

ROADMAP: tuple[IdeaStatus, ...] = ("proposed", "planned", "funded", "in-progress", "done")
LEGEND_WIDTH = 1240


@cache
def environment() -> Environment:
    """The template environment: autoescape always on, and a missing variable is an error, not blank."""
    return Environment(
        loader=PackageLoader("cxmap.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _version() -> str:
    try:
        return version("cxmap")
    except PackageNotFoundError:  # running from a source tree
        return "dev"


@dataclass(frozen=True)
class StepRef:
    """How the page names a step: its number on the map and its action."""

    number: int
    id: str
    action: str

    def __str__(self) -> str:
        return f"Step {self.number} \u00b7 {self.action}"


def _initials(name: str) -> str:
    words = name.split(",")[0].split()
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _facts(m: Map, steps: dict[str, StepRef]) -> list[tuple[str, str]]:
    """The numbers a reader wants before the detail: size, moments, and where feelings peak and drop."""
    graded = [(s.emotion.during, s.id) for s in m.steps if s.emotion is not None]
    used = {t for s in m.steps for t in s.touchpoints}
    facts = [
        ("Stages", str(len(m.stages))),
        ("Steps", str(len(m.steps))),
        ("Touchpoints", str(len(used))),
        ("Moments of truth", str(sum(1 for s in m.steps if s.moment_of_truth or s.hot_spot))),
        ("Hot spots", str(sum(1 for s in m.steps if s.hot_spot))),
    ]
    if graded:
        average = sum(g for g, _ in graded) / len(graded)
        low, high = min(graded), max(graded, key=lambda pair: pair[0])
        facts.append(("Average emotion", f"{average:.1f} / 10"))
        facts.append(("Lowest point", f"{low[0]:g} / 10 \u00b7 {steps[low[1]]}"))
        facts.append(("Highest point", f"{high[0]:g} / 10 \u00b7 {steps[high[1]]}"))
    return facts


# What a verification's figure counts (`cxmap verify` measures it so), for the map's verifications card.
MEASURE_WORDS = {
    "reached": "Share of accounts that had it",
    "on_time": "Share of accounts due that had it on time",
    "satisfied": "Share of accounts scored there that were satisfied",
    "outcome": "Share of accounts with the map's outcome",
    "manual": "Checked by hand",
}


def _checks(m: Map, steps: dict[str, StepRef]) -> list[dict[str, str]]:
    """Verifications with what each one checks and counts, in words."""
    milestones = {ms.id: ms for ms in m.milestones}
    rows = []
    for v in m.verifications:
        what = [MEASURE_WORDS[v.effective_measure()]]
        if v.milestone:
            ms = milestones.get(v.milestone)
            what.append(f"Milestone: {ms.text or ms.id}" if ms else f"Milestone: {v.milestone}")
        if v.step and v.step in steps:
            what.append(str(steps[v.step]))
        if v.touchpoint and v.touchpoint in m.touchpoints_by_id:
            what.append(f"Touchpoint: {m.touchpoint(v.touchpoint).name}")
        rows.append({"id": v.id, "text": v.text, "checks": "; ".join(what), "target": f"{v.target:.0%}"})
    return rows


def _base(m: Map, overlay: Overlay | None) -> dict[str, Any]:
    """What both the page and the fragment show: the title, the persona and the map."""
    return {
        "m": m,
        "kind": theme.KIND_CHIPS[m.kind],
        "initials": _initials(m.persona.name) if m.persona else "",
        "map_svg": Markup(render_svg(m, header=False, legend=False, overlay=overlay)),
        "labels_svg": Markup(render_lane_labels_svg(m, overlay=overlay)),
        "pin_width": math.ceil(MARGIN + LABEL_WIDTH),
    }


def _context(m: Map, overlay: Overlay | None) -> dict[str, Any]:
    steps = {p.step.id: StepRef(p.index + 1, p.step.id, p.step.action) for p in m.placed_steps}
    statuses = [*ROADMAP, *(["dropped"] if any(i.status == "dropped" for i in m.ideas) else [])]
    roadmap = [(theme.STATUS_CHIPS[status], [i for i in m.ideas if i.status == status]) for status in statuses]
    return _base(m, overlay) | {
        "facts": _facts(m, steps),
        "steps": steps,
        "legend_svg": Markup(render_legend_svg(LEGEND_WIDTH, overlay_label=overlay.label if overlay else None)),
        "rings_svg": Markup(render_stakeholders_svg(m)) if m.stakeholders else None,
        "stakeholders": sorted(m.stakeholders, key=lambda s: s.ring),
        "problems": [(steps.get(n.step), n.text) for n in m.problem_areas],
        "purple_cows": [(steps.get(n.step), n.text) for n in m.purple_cows],
        "roadmap": roadmap,
        "status_chips": theme.STATUS_CHIPS,
        "milestones": [(ms, m.touchpoints_by_id.get(ms.touchpoint)) for ms in m.milestones],
        "checks": _checks(m, steps),
        "source": Path(m.source).name if m.source else None,
        "version": _version(),
    }


def render_html(m: Map, *, overlay: Overlay | None = None) -> str:
    """The whole map as one HTML document: header, persona, journey, stakeholders, ideas, checks."""
    return environment().get_template("map.html.j2").render(_context(m, overlay))


def render_fragment(m: Map) -> str:
    """A compact block (persona and journey map) for a notebook; its styles touch only its own classes."""
    return environment().get_template("fragment.html.j2").render(_base(m, None))
