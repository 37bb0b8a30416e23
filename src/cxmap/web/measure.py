"""What the web pages measure, cached: every answer comes from :mod:`cxmap.service.views` (or the maps of
:mod:`cxmap.workspace.maps`) through :meth:`AppState.cached`, keyed by its parameters and the map file's
version, so a page computes once and then answers at once until a load changes the store (or the map file
changes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cxmap.errors import NotFound
from cxmap.model import Map
from cxmap.service import views
from cxmap.service.maps import all_maps, map_files
from cxmap.service.types import Findings, OutcomeChoice, TouchpointStats
from cxmap.service.views import DIMENSIONS, View, view_of
from cxmap.web.state import AppState

__all__ = ["DIMENSIONS", "View", "view_of"]


def query(view: View, **extra: str | None) -> str:
    """The view as a query string (``?since=...``), for links that keep it; "" when it is everything."""
    params: dict[str, str | None] = {
        "since": view.since.isoformat() if view.since else None,
        "until": view.until.isoformat() if view.until else None,
    }
    params |= {"segment": view.segment} | extra
    kept = {k: v for k, v in params.items() if v or (k.startswith("outcome") and v == "")}  # "": none
    return "?" + urlencode(kept) if kept else ""


def maps_stamp(state: AppState) -> tuple[tuple[str, int, int], ...]:
    """Every map file's name, time and size: changes whenever a map is added, edited or removed."""
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in map_files(state.workspace))


def valid_maps(state: AppState) -> list[tuple[Path, Map]]:
    """The workspace's maps that load, parsed again only when a map file changes."""

    def compute() -> list[tuple[Path, Map]]:
        return [(path, m) for path, m, _ in all_maps(state.workspace) if m is not None]

    return state.cached(("maps", maps_stamp(state)), compute)[0]


def find(state: AppState, map_id: str) -> tuple[Path, Map]:
    """A map by id (as :func:`cxmap.workspace.maps.map_by_id`, from the parsed maps above)."""
    found = next(((path, m) for path, m in valid_maps(state) if m.id == map_id), None)
    if found is None:
        raise NotFound(f"no map '{map_id}' in this workspace")
    return found


def map_key(path: Path, the_map: Map) -> tuple[str, int, int]:
    """The map's identity for the cache: edited files give new answers."""
    stat = path.stat()
    return the_map.id, stat.st_mtime_ns, stat.st_size


def has_events(state: AppState) -> bool:
    return state.cached(("has-events",), lambda: views.has_events(state.workspace))[0]


def segment_values(state: AppState) -> dict[str, list[str]]:
    return state.cached(("segment-values",), lambda: views.segment_values(state.workspace))[0]


def measured_touchpoints(state: AppState, key: tuple[Any, ...], the_map: Map) -> dict[str, str]:
    return state.cached(("measured-touchpoints", key), lambda: views.measured_touchpoints(state.workspace, the_map))[0]


def choose(
    state: AppState, key: tuple[Any, ...], the_map: Map, outcome: str | None, negative: str | None
) -> OutcomeChoice:
    """The page's outcome (:func:`cxmap.service.views.choose`), from the cached touchpoints measured."""
    return views.choose(state.workspace, the_map, outcome, negative, lambda: measured_touchpoints(state, key, the_map))


def findings(state: AppState, key: tuple[Any, ...], the_map: Map, choice: OutcomeChoice, view: View) -> Findings:
    return state.cached(
        ("findings", key, choice, view), lambda: views.findings(state.workspace, the_map, choice, view)
    )[0]


def comments(
    state: AppState, key: tuple[Any, ...], the_map: Map, touchpoint: str, view: View, count: int = 8
) -> list[dict[str, Any]]:
    return state.cached(
        ("comments", key, touchpoint, view, count),
        lambda: views.comments(state.workspace, the_map, touchpoint, view, count),
    )[0]


def evidence(
    state: AppState, key: tuple[Any, ...], the_map: Map, found: Findings, view: View
) -> dict[str, list[dict[str, Any]]]:
    wanted = {s.touchpoint for s in found.hot_spots} | {p.touchpoint for p in found.problem_areas}
    wanted |= {p.touchpoint for p in found.purple_cows}
    return state.cached(
        ("evidence", key, tuple(sorted(wanted)), view), lambda: views.evidence(state.workspace, the_map, found, view)
    )[0]


def monthly(state: AppState, key: tuple[Any, ...], the_map: Map, touchpoint: str, view: View) -> list[TouchpointStats]:
    return state.cached(
        ("monthly", key, touchpoint, view), lambda: views.monthly(state.workspace, the_map, touchpoint, view)
    )[0]
