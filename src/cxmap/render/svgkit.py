"""A tiny SVG writer in which every string is escaped on the way in.

Fragments are :class:`markupsafe.Markup`: joining or formatting them escapes any plain ``str`` (a step's
action, a persona's name), so text from a map can never become markup. Only this module and
:mod:`cxmap.render.icons` create ``Markup`` from literals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from cxmap.render import theme
from cxmap.render.text import TextBlock, text_width

SVG_NS = "http://www.w3.org/2000/svg"
Attr = object  # str, number or bool; None leaves the attribute out


def num(value: float) -> str:
    """Coordinates with at most two decimals: short files, stable snapshots."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attr(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return num(float(value))
    return str(escape(str(value)))


def el(tag: str, attrs: Mapping[str, Attr] | None = None, *children: Markup | str) -> Markup:
    """``<tag attrs>children</tag>``; attributes whose value is ``None`` are left out."""
    rendered = "".join(f' {k}="{_attr(v)}"' for k, v in (attrs or {}).items() if v is not None)
    if not children:
        return Markup(f"<{tag}{rendered}/>")
    return Markup(f"<{tag}{rendered}>") + Markup("").join(children) + Markup(f"</{tag}>")


def join(parts: Iterable[Markup | str]) -> Markup:
    return Markup("").join(parts)


def title(text: str) -> Markup:
    """A tooltip for the enclosing group (browsers show it on hover; screen readers read it)."""
    return el("title", None, text)


def lines(
    block: TextBlock,
    x: float,
    y: float,
    *,
    fill: str,
    anchor: str = "start",
    italic: bool = False,
    halo: bool = False,
    weight: str | None = None,
) -> Markup:
    """A wrapped text block whose first line's top is at ``y`` (baselines follow the block's leading)."""
    if not block.lines:
        return Markup("")
    baseline = y + block.size * 0.93 + (block.line_height - block.size * 1.17) / 2
    spans = [el("tspan", {"x": x, "y": baseline + i * block.line_height}, line) for i, line in enumerate(block.lines)]
    attrs: dict[str, Attr] = {
        "font-size": block.size,
        "font-weight": weight or ("bold" if block.bold else None),
        "font-style": "italic" if italic else None,
        "fill": fill,
        "text-anchor": anchor if anchor != "start" else None,
    }
    if halo:
        attrs |= {"stroke": "#ffffff", "stroke-width": 3, "stroke-linejoin": "round", "paint-order": "stroke"}
    return el("text", attrs, *spans)


def label(
    text: str,
    x: float,
    y: float,
    size: float,
    *,
    fill: str,
    bold: bool = False,
    anchor: str = "start",
    halo: bool = False,
) -> Markup:
    """One line of text with its baseline at ``y``."""
    attrs: dict[str, Attr] = {
        "x": x,
        "y": y,
        "font-size": size,
        "font-weight": "bold" if bold else None,
        "fill": fill,
        "text-anchor": anchor if anchor != "start" else None,
    }
    if halo:
        attrs |= {"stroke": "#ffffff", "stroke-width": 3, "stroke-linejoin": "round", "paint-order": "stroke"}
    return el("text", attrs, text)


def pill_width(text: str, size: float = 10.0) -> float:
    return text_width(text, size, bold=True) + 14


def pill(
    text: str,
    x: float,
    y: float,
    *,
    fill: str,
    ink: str,
    stroke: str | None = None,
    size: float = 10.0,
    height: float = 16.0,
) -> Markup:
    """A rounded chip (owner badge, idea status) with its top-left corner at (x, y)."""
    box = {"x": x, "y": y, "width": pill_width(text, size), "height": height, "rx": height / 2, "fill": fill}
    return join(
        [
            el("rect", box | {"stroke": stroke, "stroke-width": 1 if stroke else None}),
            label(text, x + 7, y + height / 2 + size * 0.36, size, fill=ink, bold=True),
        ]
    )


def svg_document(width: float, height: float, name: str, description: str, *body: Markup, **attrs: str) -> str:
    """A standalone, accessible SVG: explicit size and viewBox, one font stack, a title and description."""
    root = {
        "xmlns": SVG_NS,
        "width": math.ceil(width),
        "height": math.ceil(height),
        "viewBox": f"0 0 {math.ceil(width)} {math.ceil(height)}",
        "role": "img",
        "font-family": theme.FONT_STACK,
        **attrs,
    }
    return str(el("svg", root, el("title", None, name), el("desc", None, description), *body))


def rect(x: float, y: float, width: float, height: float, **style: object) -> Markup:
    """A rectangle; style keywords use ``_`` for ``-`` (``stroke_width=2``), ``None`` leaves one out."""
    return el("rect", {"x": x, "y": y, "width": width, "height": height, **_dashed(style)})


def _dashed(style: Mapping[str, object]) -> dict[str, object]:
    return {name.replace("_", "-"): value for name, value in style.items()}
