"""cxmap: customer experience maps as code.

Draw a journey map in YAML, validate it, render it, and (in later steps) measure it from real data::

    import cxmap
    m = cxmap.load_map("maps/onboarding.yaml")   # raises cxmap.MapInvalid listing every problem
    m                                           # in a notebook, shows itself rendered
"""

from cxmap.errors import CxmapError, MapInvalid, Problem
from cxmap.model import Map, load_map, loads_map

__version__ = "0.1.0"
__all__ = ["CxmapError", "Map", "MapInvalid", "Problem", "__version__", "load_map", "loads_map"]
