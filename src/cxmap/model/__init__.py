"""The journey map: as written (raw), validated (schema) and resolved (map).

`Map`, `load_map` and `loads_map` are imported when first asked for: a command that reads only a
workspace's settings or its store (ingest, status, gate) does not build the map model's classes.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxmap.model.load import load_map, loads_map
    from cxmap.model.map import Map

__all__ = ["Map", "load_map", "loads_map"]
_HOMES = {"Map": "cxmap.model.map", "load_map": "cxmap.model.load", "loads_map": "cxmap.model.load"}


if not TYPE_CHECKING:  # hidden from type checkers, which then still flag a misspelt name

    def __getattr__(name: str) -> Any:
        if name in _HOMES:
            return getattr(import_module(_HOMES[name]), name)
        raise AttributeError(f"module 'cxmap.model' has no attribute {name!r}")
