"""cxmap: customer experience maps as code.

Draw a journey map in YAML, validate it, render it, and (in later steps) measure it from real data::

    import cxmap
    m = cxmap.load_map("maps/onboarding.yaml")   # raises cxmap.MapInvalid listing every problem
    m                                           # in a notebook, shows itself rendered
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxmap import notebook
from cxmap.errors import CxmapError, MapInvalid, Problem

if TYPE_CHECKING:
    from cxmap.model import Map, load_map, loads_map

__version__ = "0.1.0"
__all__ = ["CxmapError", "Map", "MapInvalid", "Problem", "__version__", "analyze", "load_map", "loads_map"]


def analyze(
    workspace: str | Path,
    map: Map | str | None = None,
    outcome: str | None = None,
    engine: str | None = None,
    **options: Any,
) -> Any:
    """The measured map: every finding as typed objects (`cxmap.analytics.findings.Findings`), on the
    workspace's engine or on `engine` (duckdb, pyspark).

    `options` are the fields of `cxmap.service.analysis.Request` (outcome_negative, since, until,
    segment, period, thresholds, top, only). Lists of findings come as Arrow tables with `findings.table(name)`.
    """
    from cxmap.service.analysis import Request
    from cxmap.service.analysis import analyze as run
    from cxmap.service.inputs import workspace_for

    return run(workspace_for(workspace, engine), Request(map=map, outcome=outcome, **options))


if not TYPE_CHECKING:  # hidden from type checkers, which then still flag a misspelt name

    def __getattr__(name: str) -> Any:
        """`Map`, `load_map` and `loads_map` are imported when first used (see cxmap.model); from then on a
        map shows itself rendered in a notebook (see cxmap.notebook)."""
        if name in ("Map", "load_map", "loads_map"):
            from cxmap import model

            notebook.give_method(model.Map)
            return getattr(model, name)
        raise AttributeError(f"module 'cxmap' has no attribute {name!r}")


notebook.register_with_ipython()
