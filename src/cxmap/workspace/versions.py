"""Saving maps as versions: the current file in `maps/`, every earlier one in `.cxmap/history/<map id>/`.

Rules (docs/ARCHITECTURE.md): a save validates the new text first and writes nothing when it has a problem;
the current file is copied to `.cxmap/history/<map id>/<version>.yaml` (its `version`, 1 when it has none;
an existing history file is never overwritten: `<version>-2.yaml`, `-3`, ... instead) keeping its
modification time; the new text gets `version: <previous + 1>` (only that value changes, so comments and
layout stay as written) and replaces the current file atomically. Who saved which version is appended
to `.cxmap/history/<map id>/log.jsonl`. Ideas are edited round-trip with ruamel (comments kept) and saved
the same way, so every idea added or moved is a new version too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cxmap.errors import CxmapError, MapInvalid, NotFound, Problem
from cxmap.files import write_atomic
from cxmap.ids import slugify, unique_slug
from cxmap.model import Map, loads_map
from cxmap.model.raw import parse_yaml, yaml_round_trip
from cxmap.model.schema import IdeaStatus
from cxmap.workspace.core import Workspace
from cxmap.workspace.maps import map_by_id

HISTORY_DIR = Path(".cxmap") / "history"
LOG_FILE = "log.jsonl"
STATUSES: tuple[str, ...] = get_args(IdeaStatus)
LABEL = re.compile(r"^(\d{1,9})(?:-(\d{1,6}))?$")
_NUMBER = re.compile(r"\d+(?=[ \t]*(?:#.*)?\r?\n?$)")  # a plain integer, alone on its line
MAX_TITLE = 200

_LOCK = threading.RLock()  # one writer at a time in this process: read, copy, write is not interleaved


class SaveConflict(CxmapError):
    """The file changed on disk after the editor opened it: saving would silently drop someone's version."""

    code = "conflict"


@dataclass(frozen=True)
class Version:
    """An earlier version of a map, kept in the history folder."""

    version: int
    label: str  # "3", or "3-2" when a second file of version 3 was kept
    path: Path
    saved_at: datetime  # when this version was written (the file keeps the original modification time)
    saved_by: str | None  # who saved it through cxmap, when the log knows


def history_dir(ws: Workspace, map_id: str) -> Path:
    return ws.root / HISTORY_DIR / map_id


def digest(text: str) -> str:
    """What the editor sends back to prove it edited the file as it is now."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def normalise(text: str) -> str:
    """Browsers send text areas with CRLF line ends; files are written with LF and end with a newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return text if text.endswith("\n") or not text else text + "\n"


def _file_version(text: str) -> int:
    """The `version` of a map file's text; 1 when absent (or the file does not parse)."""
    try:
        value = parse_yaml(text, "<current>").data.get("version")
    except MapInvalid:
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else 1


def _with_version(text: str, version: int, where: str) -> str:
    """`text` with its top-level `version` set, changing only that value (or adding one line after `id`)."""
    data = parse_yaml(text, where).data
    lines = text.splitlines(keepends=True)
    if "version" in data:
        line, col = data.lc.value("version")
        found = _NUMBER.match(lines[line], col) if line < len(lines) else None
        if found and isinstance(data["version"], int):
            lines[line] = lines[line][: found.start()] + str(version) + lines[line][found.end() :]
            return "".join(lines)
        return _dump_changed(text, where, lambda doc: doc.__setitem__("version", version))
    keys = list(data)
    after = keys.index("id") + 1 if "id" in keys else 0
    if after < len(keys):
        line, col = data.lc.key(keys[after])
        if col == 0 and not data.fa.flow_style():
            lines.insert(line, f"version: {version}\n")
            return "".join(lines)
    elif data and not data.fa.flow_style():
        return text + ("" if text.endswith("\n") else "\n") + f"version: {version}\n"
    return _dump_changed(text, where, lambda doc: doc.insert(after, "version", version))


def _dump_changed(text: str, where: str, change: Callable[[CommentedMap], None]) -> str:
    """Parse round-trip, change, write back: comments, key order and quoting stay."""
    data = parse_yaml(text, where).data
    change(data)
    yaml = yaml_round_trip()
    yaml.width = 4096  # never fold a long line the author wrote on one line
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _history_path(folder: Path, version: int) -> Path:
    """`<version>.yaml`, or the first free `<version>-<n>.yaml`: a kept version is never overwritten."""
    path, n = folder / f"{version}.yaml", 2
    while path.exists():
        path, n = folder / f"{version}-{n}.yaml", n + 1
    return path


def _where(ws: Workspace, path: Path) -> str:
    """The file name problems carry: relative to the workspace when inside it."""
    try:
        return str(path.resolve().relative_to(ws.root.resolve()))
    except ValueError:
        return str(path)


def save_map(ws: Workspace, path: Path, new_text: str, who: str, *, base: str | None = None) -> Map:
    """Validate `new_text` and make it the next version of the map in `path`; the old one goes to history.

    Raises MapInvalid (nothing written) when the text has problems, or when it changes the map's id;
    SaveConflict when `base` (the digest of the text the editor started from) no longer matches the file.
    Saving text equal to the current file writes nothing and returns the current map.
    """
    where = _where(ws, path)
    text = normalise(new_text)
    with _LOCK:
        loads_map(text, where)  # every problem, located, before anything is touched
        old_bytes = path.read_bytes() if path.exists() else None
        old_text = old_bytes.decode("utf-8-sig", errors="replace") if old_bytes is not None else None
        if base is not None and old_text is not None and digest(old_text) != base:
            raise SaveConflict(
                f"{where} was saved by someone else (now version {_file_version(old_text)}) after you opened it"
            )
        old_id = parse_yaml(old_text, where).data.get("id") if old_text is not None else None
        new_doc = parse_yaml(text, where)
        if old_id is not None and new_doc.data.get("id") != old_id:
            line, col = new_doc.position(("id",))
            message = f"the map's id is '{old_id}': history and links follow it, so it cannot change here"
            raise MapInvalid(f"{where} has 1 problem", [Problem(where, line, col, message)])
        previous = _file_version(old_text) if old_text is not None else 0
        if old_text is not None and _with_version(text, previous, where) == old_text:
            return loads_map(old_text, where)
        final = _with_version(text, previous + 1, where)
        saved = loads_map(final, where)
        if old_bytes is not None:
            kept = _history_path(history_dir(ws, saved.id), previous)
            write_atomic(kept, old_bytes)  # byte for byte, with its modification time: when it was saved
            stat = path.stat()
            os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        write_atomic(path, final.encode("utf-8"))
        entry = {"version": previous + 1, "saved_at": datetime.now(UTC).isoformat(), "by": who, "file": path.name}
        log = history_dir(ws, saved.id) / LOG_FILE
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    saved._source = str(path)
    return saved


def saved_by(ws: Workspace, map_id: str) -> dict[int, dict[str, Any]]:
    """The save log: version -> {version, saved_at, by, file}, latest entry per version."""
    log = history_dir(ws, map_id) / LOG_FILE
    found: dict[int, dict[str, Any]] = {}
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("version"), int):
                found[entry["version"]] = entry
    return found


def versions(ws: Workspace, map_id: str) -> list[Version]:
    """The map's earlier versions kept in history, newest first."""
    folder = history_dir(ws, map_id)
    if not folder.is_dir():
        return []
    log = saved_by(ws, map_id)
    found: list[tuple[tuple[int, int], Version]] = []
    for path in folder.glob("*.yaml"):
        match = LABEL.match(path.stem)
        if not match:
            continue
        number, copy = int(match[1]), int(match[2] or 1)
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        who = log.get(number, {}).get("by") if copy == 1 else None
        found.append(((number, copy), Version(number, path.stem, path, stamp, who)))
    return [v for _, v in sorted(found, key=lambda item: item[0], reverse=True)]


def version_file(ws: Workspace, map_id: str, label: str) -> Path:
    """The history file of one earlier version; NotFound (a 404) when there is none."""
    if not LABEL.match(label):
        raise NotFound(f"no version '{label}' of map '{map_id}' (versions are numbers such as 3 or 3-2)")
    path = history_dir(ws, map_id) / f"{label}.yaml"
    if not path.is_file():
        raise NotFound(f"no version {label} of map '{map_id}' in the history")
    return path


def _edit_ideas(ws: Workspace, map_id: str, who: str, change: Callable[[CommentedMap, Map], None]) -> Map:
    with _LOCK:
        path, current = map_by_id(ws, map_id)
        text = read_text(path)
        return save_map(ws, path, _dump_changed(text, _where(ws, path), lambda doc: change(doc, current)), who)


def add_idea(ws: Workspace, map_id: str, idea: dict[str, Any], who: str) -> tuple[Map, str]:
    """Add an idea ({title, addresses, status, owner?}) to a map as a new version; returns it and the idea's id."""
    title = " ".join(str(idea.get("title") or "").split())
    if not title:
        raise CxmapError("an idea needs a title")
    if len(title) > MAX_TITLE:
        raise CxmapError(f"an idea's title may be at most {MAX_TITLE} characters")
    status = str(idea.get("status") or "proposed")
    if status not in STATUSES:
        raise CxmapError(f"unknown status '{status}'; use one of: {', '.join(STATUSES)}")
    addresses = [str(a) for a in idea.get("addresses") or []]
    owner = " ".join(str(idea.get("owner") or "").split())
    chosen: dict[str, str] = {}

    def change(doc: CommentedMap, current: Map) -> None:
        steps = {s.id for s in current.steps}
        unknown = [a for a in addresses if a not in steps]
        if unknown:
            raise CxmapError(f"map '{map_id}' has no step {', '.join(repr(a) for a in unknown)}")
        new = CommentedMap()
        base = slugify(title, "idea")[:60].rstrip("-")
        new["id"] = chosen["id"] = unique_slug(base, {i.id for i in current.ideas}, "idea")
        new["title"] = title
        if addresses:
            new["addresses"] = CommentedSeq(list(dict.fromkeys(addresses)))
            new["addresses"].fa.set_flow_style()
        new["status"] = status
        if owner:
            new["owner"] = owner
        ideas = doc.get("ideas")
        if not isinstance(ideas, CommentedSeq):
            doc["ideas"] = ideas = CommentedSeq()
        if ideas and all(isinstance(i, CommentedMap) and i.fa.flow_style() for i in ideas):
            new.fa.set_flow_style()  # written like the ideas around it
        ideas.append(new)

    saved = _edit_ideas(ws, map_id, who, change)
    return saved, chosen["id"]


def move_idea(ws: Workspace, map_id: str, idea_id: str, status: str, who: str) -> Map:
    """Set an idea's status (its column on the roadmap) as a new version of the map."""
    if status not in STATUSES:
        raise CxmapError(f"unknown status '{status}'; use one of: {', '.join(STATUSES)}")

    def change(doc: CommentedMap, current: Map) -> None:
        for item in doc.get("ideas") or []:
            if isinstance(item, CommentedMap) and item.get("id") == idea_id:
                item["status"] = status
                return
        raise NotFound(f"no idea '{idea_id}' in map '{map_id}'")

    return _edit_ideas(ws, map_id, who, change)
