"""A map shows itself rendered in a notebook; the display lives here, downstream of the model and the renderer.

The model must not import the renderer (the data flow runs one way), so `Map` has no `_repr_html_` of its
own: `cxmap/__init__.py` gives it one from here. At `import cxmap`, when IPython is running, its HTML
formatter learns the class by name, which shows every map however it was loaded; when `cxmap.Map`,
`cxmap.load_map` or `cxmap.loads_map` is first used, `Map` gets the method itself, for other front ends and
for `m._repr_html_()`. Neither imports the model or the renderer at `import cxmap`, which every command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxmap.model.map import Map

MAP_CLASS = ("cxmap.model.map", "Map")  # where IPython finds the class when it first meets a map


def map_html(m: Map) -> str:
    """The map as a notebook shows it: the compact fragment (persona and journey map), not a whole page."""
    from cxmap.render.html import render_fragment  # jinja2 and the layout load when a map is first shown

    return render_fragment(m)


def give_method(map_class: type[Map]) -> None:
    """`Map._repr_html_`, the method Jupyter, VS Code and marimo look for."""
    setattr(map_class, "_repr_html_", map_html)  # noqa: B010 (the model does not declare it, on purpose)


def register_with_ipython() -> None:
    """When IPython runs, its HTML formatter shows every `Map` (named, so the model is not imported now)."""
    ipython = sys.modules.get("IPython")  # never imported here: without it, nothing is running
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type_by_name(*MAP_CLASS, map_html)
