"""`cxmap check`: validate and lint every map under the given paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxmap.errors import CxmapError, MapInvalid, Problem
from cxmap.lint import lint
from cxmap.model.load import resolve
from cxmap.model.raw import read_yaml
from cxmap.settings import find_workspace, load_settings

MAP_SUFFIXES = (".yaml", ".yml")


@dataclass
class MapCheck:
    path: str
    map_id: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.map_id,
            "valid": not self.errors,
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
        }


@dataclass
class CheckResult:
    maps: list[MapCheck]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(len(m.errors) for m in self.maps)

    @property
    def warnings(self) -> int:
        return sum(len(m.warnings) for m in self.maps)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not (self.strict and self.warnings)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "maps": [m.to_json() for m in self.maps],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def map_files(paths: list[Path]) -> list[Path]:
    """The map files a list of files and folders stands for (a workspace folder means its maps/)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            root = path / "maps" if (path / "cxmap.yaml").is_file() and (path / "maps").is_dir() else path
            inside = sorted(
                p
                for p in root.rglob("*")
                if p.suffix in MAP_SUFFIXES
                and p.name != "cxmap.yaml"
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
            if not inside:
                raise CxmapError(f"{path}: no map files (*.yaml) in this folder")
            found.extend(inside)
        else:
            raise CxmapError(f"{path}: no such file or folder")
    return found


def check_paths(paths: list[Path], *, strict: bool = False) -> CheckResult:
    """Validate and lint each map; map ids must be unique among the maps checked together."""
    files = map_files(paths)
    workspace = find_workspace(files[0].parent) if files else None
    disabled = frozenset(load_settings(workspace).lint.disable)
    checks: list[MapCheck] = []
    seen: dict[str, str] = {}
    for path in files:
        check = MapCheck(str(path))
        try:
            doc = read_yaml(path)
            the_map = resolve(doc)
        except MapInvalid as exc:
            check.errors = exc.problems
        else:
            check.map_id = the_map.id
            check.warnings = lint(the_map, doc, disabled)
            if the_map.id in seen:
                line, col = doc.position(("id",))
                message = f"map id '{the_map.id}' is also used by {seen[the_map.id]}; map ids must be unique"
                check.errors.append(Problem(str(path), line, col, message))
            seen.setdefault(the_map.id, str(path))
        checks.append(check)
    return CheckResult(checks, strict)
