"""The journey map: as written (raw), validated (schema) and resolved (map)."""

from cxmap.model.load import load_map, loads_map
from cxmap.model.map import Map

__all__ = ["Map", "load_map", "loads_map"]
