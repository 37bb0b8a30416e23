"""The maps of a workspace (the files in its maps/ folder): listed, found by id, loaded fresh from disk.

Every face lists and finds maps here, so a map that one sees, the others see too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxmap.errors import InvalidValue, MapInvalid, NotFound
from cxmap.model import Map, load_map
from cxmap.workspace.core import Workspace


def map_files(ws: Workspace) -> list[Path]:
    """The map files, by name (*.yaml and *.yml)."""
    return sorted(p for p in ws.maps_dir.glob("*.y*ml") if p.is_file()) if ws.maps_dir.is_dir() else []


def all_maps(ws: Workspace) -> list[tuple[Path, Map | None, MapInvalid | None]]:
    """Every map file with its map, or the reason it does not load (a broken file is shown, not hidden)."""
    found: list[tuple[Path, Map | None, MapInvalid | None]] = []
    for path in map_files(ws):
        try:
            found.append((path, load_map(path), None))
        except MapInvalid as exc:
            found.append((path, None, exc))
    return found


def find_map(workspace: Workspace, wanted: Map | str) -> Map:
    """A map given as a Map, a file path, or the id of a map in the workspace's maps/ folder."""
    if isinstance(wanted, Map):
        return wanted
    path = Path(wanted)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_map(path)
    ids = []
    for file in map_files(workspace):
        candidate = load_map(file)
        if candidate.id == wanted:
            return candidate
        ids.append(candidate.id)
    known = ", ".join(sorted(ids)) or "none"
    raise InvalidValue(f"no map with id '{wanted}' in {workspace.maps_dir} (map ids: {known})", field="map")


def the_one_with(maps: list[Map], needs: str) -> Map:
    """The one map among `maps` that has `needs` (milestones, verifications), when no map was named: an
    answer about them needs a map, and with several (or none) the caller must say which."""
    having = [m for m in maps if getattr(m, needs)]
    if len(having) == 1:
        return having[0]
    listed = ", ".join(m.id for m in having) or "none"
    raise InvalidValue(f"say which map's {needs} (maps with {needs}: {listed})", field="map")


def map_by_id(ws: Workspace, map_id: str) -> tuple[Path, Map]:
    for path, the_map, _ in all_maps(ws):
        if the_map is not None and the_map.id == map_id:
            return path, the_map
    raise NotFound(f"no map '{map_id}' in this workspace")


def map_summaries(ws: Workspace) -> list[dict[str, Any]]:
    """What `GET /api/maps` returns: one entry per map file."""
    rows: list[dict[str, Any]] = []
    for path, the_map, error in all_maps(ws):
        if the_map is None:
            rows.append(
                {
                    "file": path.name,
                    "id": None,
                    "valid": False,
                    "problems": [str(p) for p in (error.problems if error else [])],
                }
            )
            continue
        rows.append(
            {
                "file": path.name,
                "id": the_map.id,
                "valid": True,
                "title": the_map.title,
                "kind": the_map.kind,
                "version": the_map.version,
                "persona": the_map.persona.name if the_map.persona else None,
                "stages": len(the_map.stages),
                "steps": len(the_map.steps),
                "touchpoints": len(the_map.touchpoints),
            }
        )
    return rows
