"""Write a map back to YAML: only what differs from the defaults, a lone `during` grade as a number."""

from __future__ import annotations

import io
from typing import Any

from cxmap.model.raw import yaml_round_trip
from cxmap.model.schema import MapFile


def map_to_dict(map_file: MapFile) -> dict[str, Any]:
    """The map as plain data, in the shape a person would write it."""
    data = map_file.model_dump(mode="json", exclude_defaults=True)
    for stage in data.get("stages", []):
        for step in stage.get("steps", []):
            emotion = step.get("emotion")
            if isinstance(emotion, dict) and set(emotion) == {"during"}:
                step["emotion"] = emotion["during"]
    tidy: dict[str, Any] = _tidy_numbers(data)
    return tidy


def _tidy_numbers(value: Any) -> Any:
    """7.0 -> 7, so that a dumped grade reads like the grade the designer wrote."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy_numbers(v) for v in value]
    return value


def to_yaml(data: dict[str, Any]) -> str:
    """Plain data as block-style YAML."""
    out = io.StringIO()
    yaml = yaml_round_trip()
    yaml.width = 4096  # never fold a long sentence (folding leaves trailing spaces)
    yaml.dump(data, out)
    return out.getvalue()


def map_to_yaml(map_file: MapFile) -> str:
    """A map as YAML text that loads back to an equal map."""
    return to_yaml(map_to_dict(map_file))
