"""Editing in the browser: a map's YAML (checked in place, saved as a new version), its versions, the ideas board.

Reading needs the viewer role; every write needs the editor role and the form's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from cxmap.diff import diff_maps
from cxmap.errors import CxmapError, MapInvalid, NotFound, Problem
from cxmap.lint import lint
from cxmap.model import Map, loads_map
from cxmap.model.raw import MAX_MAP_BYTES, parse_yaml
from cxmap.render.svg import render_svg
from cxmap.service import maps as history
from cxmap.service.maps import all_maps, map_by_id
from cxmap.service.users import Principal
from cxmap.web.deps import csrf_checked, require
from cxmap.web.pages import page
from cxmap.web.words import WEB
from cxmap.workspace import Workspace

router = APIRouter(dependencies=[Depends(require("viewer"))], include_in_schema=False)
EDITOR = require("editor")  # one callable, so FastAPI checks the role once per request
WRITE = [Depends(EDITOR), Depends(csrf_checked)]  # the role first: a viewer is told why, token or not
CONTEXT_LINES = 2  # lines shown before and after a problem line


def _ws(request: Request) -> Workspace:
    return request.app.state.cx.workspace  # type: ignore[no-any-return]


@dataclass
class Row:
    """One line of the text with the problems found on it."""

    number: int
    text: str
    problems: list[Problem] = field(default_factory=list)


def problem_blocks(text: str, problems: list[Problem]) -> list[list[Row]]:
    """The lines around each located problem (overlapping windows merged), each line with its problems."""
    lines = text.splitlines() or [""]
    at: dict[int, list[Problem]] = {}
    for p in problems:
        if p.line:
            at.setdefault(min(p.line, len(lines)), []).append(p)
    blocks: list[list[Row]] = []
    last = 0
    for line in sorted(at):
        start, end = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
        if blocks and start <= last + 1:
            start = last + 1
        else:
            blocks.append([])
        for number in range(start, end + 1):
            blocks[-1].append(Row(number, lines[number - 1], at.get(number, [])))
        last = max(last, end)
    return blocks


def _edit_page(
    request: Request,
    the_map: Map,
    file: str,
    text: str,
    base: str,
    *,
    status: int = 200,
    problems: list[Problem] | None = None,
    warnings: list[Problem] | None = None,
    checked: Map | None = None,
    error: str | None = None,
) -> Response:
    found = [*(problems or []), *(warnings or [])]
    return page(
        request,
        "map_edit.html.j2",
        status,
        map=the_map,
        file=file,
        text=text,
        base=base,
        problems=problems or [],
        warnings=warnings or [],
        blocks=problem_blocks(text, found),
        marked={p.line: p.severity for p in sorted(found, key=lambda p: p.severity, reverse=True) if p.line},
        line_count=max(1, len(text.splitlines())),
        checked=checked,
        preview=Markup(render_svg(checked)) if checked else None,  # cxmap's renderer escapes every text
        next_version=(the_map.version or 1) + 1,
        error=error,
    )


@router.get("/maps/{map_id}/edit", response_class=HTMLResponse, dependencies=[Depends(EDITOR)])
def edit_form(request: Request, map_id: str) -> Response:
    """The map's YAML in a text area, with Check and Save."""
    ws = _ws(request)
    path, the_map = map_by_id(ws, map_id)
    text = history.read_text(path)
    return _edit_page(request, the_map, path.name, text, history.digest(text))


@router.post("/maps/{map_id}/edit", response_class=HTMLResponse, dependencies=WRITE)
def edit_submit(
    request: Request,
    map_id: str,
    text: str = Form("", max_length=MAX_MAP_BYTES),
    action: str = Form("check"),
    base: str = Form(""),
    who: Principal = Depends(EDITOR),
) -> Response:
    """Check the text (problems shown in place, nothing written) or save it as the next version."""
    ws = _ws(request)
    path, the_map = map_by_id(ws, map_id)
    text = history.normalise(text)
    where = f"maps/{path.name}"
    try:
        checked = loads_map(text, where)
    except MapInvalid as exc:
        return _edit_page(request, the_map, path.name, text, base, status=422, problems=exc.problems)
    if action != "save":
        warnings = lint(checked, parse_yaml(text, where), frozenset(ws.settings.lint.disable))
        return _edit_page(request, the_map, path.name, text, base, warnings=warnings, checked=checked)
    try:
        saved = history.save_map(ws, path, text, who.name, base=base or None)
    except MapInvalid as exc:
        return _edit_page(request, the_map, path.name, text, base, status=422, problems=exc.problems)
    except history.SaveConflict as exc:
        message = f"Not saved: {exc.message}. Your text is kept below; reload the editor and apply it again."
        return _edit_page(request, the_map, path.name, text, base, status=409, error=message)
    if saved.version == the_map.version:
        return RedirectResponse(f"/maps/{map_id}/versions?unchanged=1", 303)
    return RedirectResponse(f"/maps/{map_id}?saved={saved.version}", 303)


@router.get("/maps/{map_id}/versions", response_class=HTMLResponse)
def version_list(request: Request, map_id: str, unchanged: bool = False) -> Response:
    """The current version and every earlier one kept in history."""
    ws = _ws(request)
    path, the_map = map_by_id(ws, map_id)
    log = history.saved_by(ws, map_id)
    current = {
        "version": the_map.version or 1,
        "saved_at": datetime.fromtimestamp(path.stat().st_mtime, UTC),
        "saved_by": log.get(the_map.version or 1, {}).get("by"),
    }
    return page(
        request,
        "map_versions.html.j2",
        map=the_map,
        file=path.name,
        current=current,
        versions=history.versions(ws, map_id),
        unchanged=unchanged,
    )


@router.get("/maps/{map_id}/versions/{label}", response_class=HTMLResponse)
def version_view(request: Request, map_id: str, label: str) -> Response:
    """An earlier version, read-only: drawn, what changed since, and its YAML."""
    ws = _ws(request)
    _, current = map_by_id(ws, map_id)
    path = history.version_file(ws, map_id, label)
    text = history.read_text(path)
    old: Map | None = None
    problems: list[Problem] = []
    try:
        old = loads_map(text, f".cxmap/history/{map_id}/{path.name}")
    except MapInvalid as exc:
        problems = exc.problems
    return page(
        request,
        "map_version.html.j2",
        map=current,
        label=label,
        old=old,
        problems=problems,
        text=text,
        svg=Markup(render_svg(old)) if old else None,  # cxmap's renderer escapes every text
        changes=diff_maps(old, current) if old else [],
        saved_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )


@dataclass
class Card:
    """An idea on the board, with the steps it addresses and the problem areas on those steps."""

    map: Map
    id: str
    title: str
    status: str
    owner: str | None
    steps: list[tuple[str, str, str]]  # (step id, action, stage title)
    problem_areas: list[tuple[str, str]]  # (step action, text)


def _cards(maps: list[Map]) -> list[Card]:
    cards: list[Card] = []
    for m in maps:
        placed = {p.step.id: p for p in m.placed_steps}
        for idea in m.ideas:
            steps = [(s, placed[s].step.action, placed[s].stage.title) for s in idea.addresses if s in placed]
            areas = [(placed[n.step].step.action, n.text) for n in m.problem_areas if n.step in idea.addresses]
            cards.append(Card(m, idea.id, idea.title, idea.status, idea.owner, steps, areas))
    return cards


def _board(
    request: Request,
    map_id: str | None,
    *,
    status: int = 200,
    notice: str | None = None,
    form_error: tuple[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    loaded = all_maps(_ws(request))
    maps = [m for _, m, _ in loaded if m is not None]
    shown = [m for m in maps if map_id in (None, m.id)]
    if map_id and not shown:
        raise NotFound(f"no map '{map_id}' in this workspace")
    cards = _cards(shown)
    return page(
        request,
        "ideas.html.j2",
        status,
        maps=maps,
        shown=shown,
        map_id=map_id,
        columns=[(s, [c for c in cards if c.status == s]) for s in history.STATUSES],
        statuses=history.STATUSES,
        broken=sum(1 for _, m, _ in loaded if m is None),
        notice=notice,
        form_error=form_error,
        form=form or {},
    )


@router.get("/ideas", response_class=HTMLResponse)
def ideas(
    request: Request, map: str | None = None, done: str | None = None, of: str | None = None, idea: str | None = None
) -> Response:
    """The improve-and-innovate roadmap: every map's ideas (or one map's), a column per status."""
    notice = None
    if done in ("added", "moved") and of and idea:
        try:
            _, the_map = map_by_id(_ws(request), of)
        except CxmapError:
            the_map = None
        found = next((i for i in the_map.ideas if i.id == idea), None) if the_map else None
        if the_map and found:
            what = "Added" if done == "added" else "Moved"
            notice = f"{what} “{found.title}”: {found.status}. {the_map.title} is now version {the_map.version}."
    return _board(request, map or None, notice=notice)


@router.post("/ideas/{map_id}", response_class=HTMLResponse, dependencies=WRITE)
def idea_add(
    request: Request,
    map_id: str,
    title: str = Form("", max_length=history.MAX_TITLE * 2),
    addresses: list[str] = Form([]),
    status: str = Form("proposed"),
    owner: str = Form("", max_length=200),
    board: str = Form(""),
    who: Principal = Depends(EDITOR),
) -> Response:
    """Add an idea to a map (a new version of the map); back to the board."""
    ws = _ws(request)
    map_by_id(ws, map_id)
    fields = {"title": title, "addresses": addresses, "status": status, "owner": owner}
    try:
        _, idea_id = history.add_idea(ws, map_id, fields, who.name)
    except NotFound:
        raise
    except CxmapError as exc:
        message = "; ".join(p.message for p in exc.problems) or exc.say(WEB)
        return _board(request, board or None, status=422, form_error=(map_id, message), form=fields)
    return _back(board, "added", map_id, idea_id)


@router.post("/ideas/{map_id}/{idea_id}/move", response_class=HTMLResponse, dependencies=WRITE)
def idea_move(
    request: Request,
    map_id: str,
    idea_id: str,
    status: str = Form(...),
    board: str = Form(""),
    who: Principal = Depends(EDITOR),
) -> Response:
    """Move an idea to another status column (a new version of the map)."""
    ws = _ws(request)
    history.move_idea(ws, map_id, idea_id, status, who.name)
    return _back(board, "moved", map_id, idea_id)


def _back(board: str, done: str, map_id: str, idea_id: str) -> Response:
    """Back to the board the form was on, saying what was done, scrolled to the idea."""
    query = urlencode({**({"map": board} if board else {}), "done": done, "of": map_id, "idea": idea_id})
    return RedirectResponse(f"/ideas?{query}#idea-{map_id}-{idea_id}", 303)
