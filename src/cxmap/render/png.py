"""The journey map as a PNG, rasterised by resvg from the SVG: no browser, no network, same drawing."""

from __future__ import annotations

from pathlib import Path

import resvg_py

from cxmap.model.map import Map
from cxmap.render.layout import Overlay
from cxmap.render.svg import render_svg

# Debian's DejaVu fonts: the fallback of the map's font stack, and the font its text is measured with.
FONT_DIRS = [d for d in ("/usr/share/fonts/truetype/dejavu",) if Path(d).is_dir()]


def svg_to_png(svg: str, *, zoom: float = 1.0) -> bytes:
    """Rasterise an SVG document; ``zoom`` 2 gives a sharper image for slides."""
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            background="#ffffff",
            zoom=zoom,
            font_dirs=FONT_DIRS or None,
            sans_serif_family="DejaVu Sans",
        )
    )


def render_png(m: Map, *, zoom: float = 1.0, overlay: Overlay | None = None) -> bytes:
    """The journey map (with its title and legend) as PNG bytes, the SVG's size times ``zoom``."""
    return svg_to_png(render_svg(m, overlay=overlay), zoom=zoom)
