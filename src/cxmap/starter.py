"""`cxmap new map`: a commented starter map to edit, from a template shipped with cxmap."""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from cxmap.errors import CxmapError, InvalidValue
from cxmap.files import write_atomic
from cxmap.ids import slugify
from cxmap.model.raw import parse_yaml, yaml_round_trip


def templates() -> list[str]:
    """Names of the starter templates."""
    folder = resources.files("cxmap") / "starters"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def starter_text(template: str, map_id: str) -> str:
    """The template's YAML, comments kept, with its id set to `map_id`."""
    if template not in templates():
        raise CxmapError(f"unknown template '{template}'; choose one of: {', '.join(templates())}")
    text = (resources.files("cxmap") / "starters" / f"{template}.yaml").read_text("utf-8")
    doc = parse_yaml(text, template)
    doc.data["id"] = map_id
    out = io.StringIO()
    yaml = yaml_round_trip()
    yaml.width = 4096
    yaml.dump(doc.data, out)
    return out.getvalue()


def write_starter(path: Path, template: str, *, force: bool = False) -> str:
    """Write a starter map to `path`; its id is the file name's slug. Returns the id."""
    if path.suffix not in (".yaml", ".yml"):
        raise CxmapError(f"{path}: a map file name ends in .yaml")
    if path.exists() and not force:
        raise InvalidValue(lambda face: f"{path}: already exists; use {face.switch('force')} to replace it")
    map_id = slugify(path.stem, "new-map")
    write_atomic(path, starter_text(template, map_id).encode("utf-8"))
    return map_id
