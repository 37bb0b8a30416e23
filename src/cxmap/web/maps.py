"""The maps of the workspace as the web app sees them: listed, found by id, loaded fresh from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxmap.errors import MapInvalid, NotFound
from cxmap.model import Map, load_map
from cxmap.workspace import Workspace


def map_files(ws: Workspace) -> list[Path]:
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
