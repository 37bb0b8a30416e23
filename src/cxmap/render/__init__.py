"""Rendering a journey map for people: a self-contained HTML page, an SVG document, a PNG image.

``render(map, "html")`` is the one call most callers need; the modules below it are public for pages that
embed parts of the map (the web app, the measured-map report).
"""

from __future__ import annotations

from typing import Literal

from cxmap.model.map import Map
from cxmap.render.html import render_fragment, render_html
from cxmap.render.layout import Layout, Overlay, OverlayMarker, build_layout
from cxmap.render.png import render_png
from cxmap.render.svg import render_legend_svg, render_stakeholders_svg, render_svg

Format = Literal["html", "svg", "png"]
FORMATS: tuple[Format, ...] = ("html", "svg", "png")

__all__ = [
    "FORMATS",
    "Format",
    "Layout",
    "Overlay",
    "OverlayMarker",
    "build_layout",
    "render",
    "render_fragment",
    "render_html",
    "render_legend_svg",
    "render_png",
    "render_stakeholders_svg",
    "render_svg",
]


def render(map: Map, fmt: Format) -> bytes:
    """``map`` rendered as ``fmt`` ("html", "svg" or "png"), as bytes ready to write to a file."""
    if fmt == "html":
        return render_html(map).encode("utf-8")
    if fmt == "svg":
        return render_svg(map).encode("utf-8")
    if fmt == "png":
        return render_png(map)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
