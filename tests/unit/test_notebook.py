"""In a notebook a map shows itself rendered (README), though the model never imports the renderer."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace
from typing import Any

import pytest

import cxmap
from cxmap import notebook
from cxmap.model.map import Map
from cxmap.render import render_fragment
from tests.conftest import EXAMPLES

MAP = EXAMPLES / "b2b-onboarding.yaml"


class Formatter:
    """IPython's HTML formatter, as far as cxmap uses it: the registrations it is given."""

    def __init__(self) -> None:
        self.by_name: list[tuple[str, str, Any]] = []

    def for_type_by_name(self, module: str, name: str, func: Any) -> None:
        self.by_name.append((module, name, func))


def fake_ipython(formatter: Formatter, running: bool = True) -> SimpleNamespace:
    """The `IPython` module, with a shell running (a notebook) or none (a script that imported IPython)."""
    shell = SimpleNamespace(display_formatter=SimpleNamespace(formatters={"text/html": formatter}))
    return SimpleNamespace(get_ipython=lambda: shell if running else None)


def test_a_map_from_the_public_api_shows_itself_rendered() -> None:
    m = cxmap.load_map(MAP)
    assert m.persona is not None
    html = m._repr_html_()
    assert html == render_fragment(m)
    assert m.persona.name in html
    assert "<html" not in html


def test_ipython_is_told_to_show_every_map_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = Formatter()
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython(formatter))
    notebook.register_with_ipython()
    [(module, name, show)] = formatter.by_name
    assert (module, name) == (Map.__module__, Map.__name__)  # how IPython knows a class registered by name
    m = cxmap.model.loads_map(MAP.read_text(encoding="utf-8"))  # not through `cxmap.load_map`
    assert show(m) == render_fragment(m)


def test_without_a_running_ipython_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = Formatter()
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython(formatter, running=False))
    notebook.register_with_ipython()
    monkeypatch.delitem(sys.modules, "IPython")
    notebook.register_with_ipython()
    assert formatter.by_name == []


SCRIPT = """
import json, sys
from types import SimpleNamespace
seen = []
formatter = SimpleNamespace(for_type_by_name=lambda *args: seen.append(args[:2]))
shell = SimpleNamespace(display_formatter=SimpleNamespace(formatters={"text/html": formatter}))
sys.modules["IPython"] = SimpleNamespace(get_ipython=lambda: shell)
import cxmap
heavy = sorted(m for m in sys.modules if m.startswith(("cxmap.model", "cxmap.render", "jinja2", "pydantic")))
print(json.dumps({"heavy": heavy, "registered": seen}))
"""


def test_import_cxmap_registers_the_display_without_loading_the_model_or_renderer() -> None:
    """Every command imports `cxmap` first: the notebook display must not cost them the model or jinja2."""
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(SCRIPT)], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == {"heavy": [], "registered": [["cxmap.model.map", "Map"]]}
