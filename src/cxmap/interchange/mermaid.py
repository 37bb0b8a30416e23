"""Mermaid `journey` diagrams: export a map so that it shows wherever Mermaid runs, import one as a map.

Mermaid's journey holds only a title, section titles, task names, a 1-5 score and actor names, so the
trip is lossy both ways. Export keeps the text readable and safe for Mermaid's lexer; import never
drops anything silently: every loss is returned as a plain-English note.

Choices (see DECISIONS.md for the score rule):

- Score: ``1 + floor(during * 4 / 10 + 0.5)``: halves round up. Python's ``round`` rounds halves to even,
  so 1.25 would give 1 and 6.25 would give 3, which nobody expects. A step without a grade shows as 3,
  under a ``%% cxmap: no grade`` comment line that import reads back.
- Text: newlines and runs of spaces become one space; HTML tags are removed and any other angle bracket
  becomes a single angle quotation mark (U+2039, U+203A), so the text can go into ``<pre class="mermaid">``
  as is; ``#`` is dropped (Mermaid starts a comment there); ``%%`` becomes ``%``. In task names and
  section titles ``:`` becomes `` - `` and ``;`` becomes ``,``; the map title keeps its ``:`` (Mermaid's
  title allows it). In actor names ``,`` ``;`` and ``:`` become `` - ``. A task name Mermaid would read
  as a keyword (``journey``, ``title ...``, ``section ...``, ``accDescr {``, ``%``) gets an invisible
  zero-width space in front.
- Import reads Mermaid's entity codes (``#35;``, ``#quot;``) as the characters they stand for.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from cxmap.errors import Report
from cxmap.ids import slugify, unique_slug
from cxmap.model.load import resolve
from cxmap.model.map import Map
from cxmap.model.raw import RawDoc
from cxmap.model.schema import Step

NO_GRADE_SCORE = 3
"""Where a step has no grade, Mermaid still needs a score: the middle of its scale."""

NO_GRADE_MARK = "%% cxmap: no grade"
"""Start of the comment line export writes above an ungraded step; import reads it back."""

DEFAULT_STAGE = "Journey"
DEFAULT_TITLE = "Imported journey"
DEFAULT_MAP_ID = "imported-journey"
_MAX_SLUG = 60  # ids may be 80 long; leave room for the -2, -3 that make them unique

_ZWSP = "\u200b"  # not whitespace to Mermaid's lexer (JavaScript's \s), invisible when drawn
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_KEYWORD_START = re.compile(r"(?:journey(?![A-Za-z0-9_])|title\s|section\s|accdescr\s*\{|%)", re.IGNORECASE)

_LINE_BREAK = re.compile(r"\r\n?|\n")
_ENTITY = re.compile(r"#(\w+);")
_HELD_OPEN, _HELD_CLOSE = "\ue000", "\ue001"  # private-use characters stand in for entity codes
_HELD = re.compile(f"{_HELD_OPEN}(\\w+){_HELD_CLOSE}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_JOURNEY = re.compile(r"journey(?![A-Za-z0-9_])", re.IGNORECASE)
_TITLE = re.compile(r"title\s(.*)", re.IGNORECASE | re.DOTALL)
_SECTION = re.compile(r"section\s(.*)", re.IGNORECASE | re.DOTALL)
_ACC_TITLE = re.compile(r"accTitle\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_ACC_DESCR = re.compile(r"accDescr\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_ACC_DESCR_BLOCK = re.compile(r"accDescr\s*\{(.*)", re.IGNORECASE | re.DOTALL)
_BARE_KEYWORD = re.compile(r"(?:title|section)", re.IGNORECASE)
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


# --- scores -------------------------------------------------------------------------------------------


def score_from_grade(grade: float) -> int:
    """Mermaid's 1-5 score for a 0-10 grade; halves round up (1.25 -> 2, 6.25 -> 4), unlike round()."""
    return 1 + math.floor(grade * 4 / 10 + 0.5)


def grade_from_score(score: float) -> float:
    """The 0-10 grade a Mermaid score stands for: ``(s - 1) * 2.5`` (DECISIONS.md)."""
    return (score - 1) * 2.5


# --- export -------------------------------------------------------------------------------------------


def to_mermaid(map: Map) -> str:
    """The map as a Mermaid journey diagram: stages become sections, steps become scored tasks."""
    version = f"version {map.version}" if map.version is not None else "no version"
    lines = [
        f"%% Exported by cxmap from map id {map.id} {version}. "
        "Score = 1 + floor(grade * 4 / 10 + 0.5) from the step's 0-10 'during' grade (halves round up); "
        f"{NO_GRADE_SCORE} for a step without a grade.",
        "journey",
    ]
    title = _title_text(map.title)
    if title:
        lines.append(f"  title {title}")
    for stage in map.stages:
        lines.append(f"  section {_name_text(stage.title) or stage.id}")
        for step in stage.steps:
            if step.emotion is None:
                lines.append(f"    {NO_GRADE_MARK} for step '{step.id}'; shown as {NO_GRADE_SCORE}")
                score = NO_GRADE_SCORE
            else:
                score = score_from_grade(step.emotion.during)
            task = f"    {_task_name(step.action) or step.id}: {score}"
            actors = _actors(map, step)
            lines.append(f"{task}: {', '.join(actors)}" if actors else task)
    return "\n".join(lines) + "\n"


def _actors(map: Map, step: Step) -> list[str]:
    """The persona, then whoever delivers the step's touchpoints: the people Mermaid draws as dots."""
    names = [map.persona.name] if map.persona else []
    for touchpoint_id in step.touchpoints:
        touchpoint = map.touchpoints_by_id.get(touchpoint_id)
        if touchpoint is not None and touchpoint.delivered_by:
            names.append(touchpoint.delivered_by)
    cleaned = (_actor_text(name) for name in names)
    return list(dict.fromkeys(name for name in cleaned if name))


def _plain(text: str) -> str:
    """One line of inert text: no tags, no angle brackets, no '#', no '%%' (which Mermaid would act on)."""
    text = _SPACES.sub(" ", text)
    previous = None
    while previous != text:  # '<<b>script>' hides a tag inside a tag
        previous, text = text, _TAG.sub("", text)
    text = text.replace("<", "\u2039").replace(">", "\u203a").replace("#", "")
    while "%%" in text:
        text = text.replace("%%", "%")
    return _SPACES.sub(" ", text).strip()


def _join_parts(text: str, separators: str, joiner: str) -> str:
    """Split on the separators and join the non-empty parts: 'Step 1: sign up' -> 'Step 1 - sign up'."""
    parts = (part.strip() for part in re.split(f"[{re.escape(separators)}]", text))
    return joiner.join(part for part in parts if part)


def _title_text(text: str) -> str:
    """The map title: Mermaid's title line ends at '#' or ';' but allows ':'."""
    return _join_parts(_plain(text), ";", ", ")


def _name_text(text: str) -> str:
    """A section title or task name: Mermaid ends them at ':' too."""
    return _join_parts(_join_parts(_plain(text), ";", ", "), ":", " - ")


def _task_name(text: str) -> str:
    """A task name, guarded so that Mermaid never reads it as a keyword or a comment."""
    name = _name_text(text)
    return _ZWSP + name if _KEYWORD_START.match(name) else name


def _actor_text(text: str) -> str:
    """An actor name: Mermaid splits actors at ',' and drops anything after a second ':'."""
    return _join_parts(_plain(text), ",;:", " - ")


# --- import -------------------------------------------------------------------------------------------


@dataclass
class _Task:
    line: int
    name: str
    score: float
    actors: list[str]
    graded: bool


@dataclass
class _Section:
    title: str
    tasks: list[_Task] = field(default_factory=list)


@dataclass
class _Parse:
    """What a journey diagram says, and what reading it could not keep."""

    report: Report
    title: str | None = None
    sections: list[_Section] = field(default_factory=list)
    comment_lines: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loose_tasks: bool = False


def from_mermaid(
    text: str, *, source: str = "<mermaid>", map_id: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A map document (plain data, the YAML file's shape) from a Mermaid journey, and what was lost.

    Raises :class:`cxmap.errors.MapInvalid` with every problem at once when the text is not a journey
    diagram or a task has no score, or a score that is not a number from 1 to 5.
    """
    parsed = _Parse(Report(source))
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    start = _front_matter(lines, parsed)
    header = None if start is None else _header(lines, start, parsed)
    if header is not None:
        _read_body(lines, header, parsed)
        if not parsed.sections and not parsed.report.problems:
            parsed.report.add(header + 1, 1, "the diagram has no sections or tasks, so there is no journey")
    if map_id is not None and not _ID.fullmatch(map_id):
        parsed.report.add(0, 0, f"map id '{map_id}' is not an id; ids use lower-case letters, digits and '-'")
    parsed.report.raise_if_any(source)
    return _document(parsed, map_id)


def import_mermaid(text: str, *, source: str = "<mermaid>", map_id: str | None = None) -> tuple[Map, list[str]]:
    """A valid :class:`Map` from a Mermaid journey, and the notes on what Mermaid could not carry."""
    doc, notes = from_mermaid(text, source=source, map_id=map_id)
    return resolve(RawDoc(source, doc)), notes


def _front_matter(lines: list[str], parsed: _Parse) -> int | None:
    """Where the diagram starts after Mermaid's optional '---' YAML block (whose title is kept); None if
    the block never ends."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        parsed.report.add(1, 1, "the front matter that starts with '---' on line 1 is never closed by '---'")
        return None
    try:
        data = YAML(typ="safe").load("\n".join(lines[1:end]))
    except YAMLError:
        parsed.report.add(2, 1, "the front matter between the '---' lines is not valid YAML")
        return end + 1
    if isinstance(data, dict):
        title = data.pop("title", None)
        if title is not None:
            parsed.title = str(title).strip() or None
        if data:
            keys = ", ".join(f"'{key}'" for key in data)
            parsed.notes.append(f"line 1: the front matter's {keys} cannot be kept in a map and was dropped")
    return end + 1


def _header(lines: list[str], start: int, parsed: _Parse) -> int | None:
    """Index of the 'journey' line, after blank lines and comments; None (and a problem) if there is none."""
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if not stripped:
            continue
        if stripped.startswith("%"):
            _comment(stripped, index + 1, parsed)
            continue
        if not _JOURNEY.match(stripped):
            parsed.report.add(
                index + 1,
                _col(lines[index]),
                f"this is not a Mermaid journey diagram: it starts with {_show(stripped)}; "
                "a journey diagram starts with the line 'journey'",
            )
            return None
        rest = stripped[len("journey") :].strip()
        if rest:  # Mermaid reads 'journey title X' as the header and a title
            lines[index] = rest
            return index - 1
        return index
    parsed.report.add(0, 0, "there is no diagram here; a Mermaid journey diagram starts with the line 'journey'")
    return None


def _read_body(lines: list[str], header: int, parsed: _Parse) -> None:
    """Read every line after the header; problems and notes go into `parsed`."""
    ungraded = False
    index = header + 1
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("%"):
            ungraded = _comment(stripped, number, parsed) or ungraded
            continue
        if match := _ACC_TITLE.match(stripped):
            parsed.notes.append(f"line {number}: the accessible title {_show(match[1].strip())} was dropped")
            continue
        if match := _ACC_DESCR.match(stripped):
            parsed.notes.append(f"line {number}: the accessible description was dropped")
            continue
        if match := _ACC_DESCR_BLOCK.match(stripped):
            block = match[1]
            while "}" not in block and index < len(lines):  # the block runs to the next '}'
                block = lines[index]
                index += 1
            parsed.notes.append(f"line {number}: the accessible description was dropped")
            continue
        held = _ENTITY.sub(lambda m: f"{_HELD_OPEN}{m[1]}{_HELD_CLOSE}", stripped)
        if "#" in held:  # Mermaid's lexer starts a comment at any '#' that is not an entity code
            held = held[: held.index("#")].rstrip()
            parsed.comment_lines.append(number)
            if not held:
                continue
        ungraded = _statement(held, raw, number, parsed, ungraded=ungraded)


def _statement(held: str, raw: str, number: int, parsed: _Parse, *, ungraded: bool) -> bool:
    """Read one statement; True while a 'no grade' mark still waits for its task."""
    if ";" in held or _JOURNEY.match(held) or _BARE_KEYWORD.fullmatch(held):
        if ";" in held:
            reason = "Mermaid does not allow ';' in a journey"
        elif _JOURNEY.match(held):
            reason = "'journey' may only start the diagram"
        else:
            reason = "a title or section needs text after it"
        parsed.notes.append(f"line {number}: skipped {_show(_release(held))}: {reason}")
        return ungraded
    if match := _TITLE.match(held):
        parsed.title = _release(match[1]).strip() or parsed.title
        return ungraded
    if match := _SECTION.match(held):
        title, colon, rest = match[1].partition(":")
        if colon:
            parsed.notes.append(f"line {number}: {_show(_release(colon + rest))} after the section title was dropped")
        parsed.sections.append(_Section(_release(title).strip() or f"Stage {len(parsed.sections) + 1}"))
        return ungraded
    name_part, colon, data = held.partition(":")
    name = _release(name_part).strip()
    if not colon:
        parsed.report.add(number, _col(raw), _no_score(name))
        return False
    if not name:
        parsed.notes.append(f"line {number}: skipped {_show(_release(held))}: a score needs a task name before it")
        return ungraded
    score_text, *actor_parts = data.split(":")
    score = _score(_release(score_text).strip(), name, raw, number, parsed)
    actors = [_release(a).strip() for a in actor_parts[0].split(",")] if actor_parts else []
    if len(actor_parts) > 1:
        dropped = _release(":" + ":".join(actor_parts[1:]))
        parsed.notes.append(f"line {number}: {_show(dropped)} after the actors was dropped, as Mermaid does")
    if not parsed.sections:
        parsed.sections.append(_Section(DEFAULT_STAGE))
        parsed.loose_tasks = True
    if score is not None:
        task = _Task(number, name, score, [a for a in actors if a], graded=not ungraded)
        parsed.sections[-1].tasks.append(task)
    return False


def _score(text: str, name: str, raw: str, number: int, parsed: _Parse) -> float | None:
    """The task's score, or None after reporting why it cannot be one."""
    colon = raw.index(":")
    after = raw[colon + 1 :]
    col = colon + 2 + len(after) - len(after.lstrip())
    if not text:
        parsed.report.add(number, colon + 1, _no_score(name))
        return None
    if not _NUMBER.fullmatch(text):
        parsed.report.add(
            number,
            col,
            f"task {_show(name)} has score {_show(text)}, which is not a number; Mermaid journey scores go from 1 to 5",
        )
        return None
    score = float(text)
    if not 1 <= score <= 5:
        parsed.report.add(number, col, f"task {_show(name)} has score {text}; Mermaid journey scores go from 1 to 5")
        return None
    return score


def _no_score(name: str) -> str:
    return f"task {_show(name)} has no score; write it as '{name}: 3', with a score from 1 to 5"


def _comment(stripped: str, number: int, parsed: _Parse) -> bool:
    """Note a dropped comment or directive; True for cxmap's own 'no grade' mark."""
    if stripped.startswith(NO_GRADE_MARK):
        return True
    if stripped.startswith("%%{"):
        parsed.notes.append(f"line {number}: the directive {_show(stripped)} was dropped")
    else:
        parsed.comment_lines.append(number)
    return False


def _release(text: str) -> str:
    """Put back the characters that entity codes stand for, and drop export's zero-width guards."""

    def character(match: re.Match[str]) -> str:
        name = match[1]
        return html.unescape(f"&#{name};" if name.isdigit() else f"&{name};")

    return _HELD.sub(character, text).replace(_ZWSP, "")


def _col(raw: str) -> int:
    return len(raw) - len(raw.lstrip()) + 1


def _show(text: str) -> str:
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


# --- the map document ---------------------------------------------------------------------------------


def _slug_base(text: str, fallback: str) -> str:
    return slugify(text, fallback)[:_MAX_SLUG].rstrip("-") or fallback


def _persona(parsed: _Parse) -> str | None:
    """The first actor, when every task names the same one first: the customer the journey is about."""
    tasks = [task for section in parsed.sections for task in section.tasks]
    firsts = {task.actors[0] if task.actors else None for task in tasks}
    if len(firsts) == 1:
        return firsts.pop()
    return None


def _document(parsed: _Parse, map_id: str | None) -> tuple[dict[str, Any], list[str]]:
    """Build the map document from what was read, and the notes in the order a reader needs them."""
    title = parsed.title or DEFAULT_TITLE
    doc: dict[str, Any] = {
        "id": map_id or _slug_base(parsed.title or "", DEFAULT_MAP_ID),
        "title": title,
        "kind": "current",
    }
    persona = _persona(parsed)
    if persona is not None:
        doc["persona"] = {"name": persona}
    stage_ids: set[str] = set()
    step_ids: set[str] = set()
    stages: list[dict[str, Any]] = []
    any_actors = ungraded = False
    for section in parsed.sections:
        steps: list[dict[str, Any]] = []
        for task in section.tasks:
            step: dict[str, Any] = {"id": unique_slug(_slug_base(task.name, "step"), step_ids, "step")}
            step["action"] = task.name
            if task.graded:
                step["emotion"] = _number(grade_from_score(task.score))
            else:
                ungraded = True
            others = [actor for actor in dict.fromkeys(task.actors) if actor != persona]
            if others:
                step["notes"] = "Actors: " + ", ".join(others)
                any_actors = True
            steps.append(step)
        stage_id = unique_slug(_slug_base(section.title, "stage"), stage_ids, "stage")
        stages.append({"id": stage_id, "title": section.title, "steps": steps})
    doc["stages"] = stages

    notes = ["Mermaid has no map kind: the map is imported as a current-state map ('kind: current')."]
    if parsed.title is None:
        notes.append(f"The diagram has no title: the map is called '{DEFAULT_TITLE}'.")
    notes.append("Scores 1-5 became emotion grades (score - 1) * 2.5: 1 -> 0, 2 -> 2.5, 3 -> 5, 4 -> 7.5, 5 -> 10.")
    if ungraded:
        notes.append("Tasks marked by cxmap as having no grade were imported without an emotion.")
    if persona is not None:
        notes.append(f"The persona '{persona}' is the first actor of every task.")
    if any_actors:
        notes.append("Mermaid has no touchpoints: each task's other actors are in its step's notes ('Actors: ...').")
    if parsed.loose_tasks:
        notes.append(f"Tasks before the first section were put in a stage called '{DEFAULT_STAGE}'.")
    if parsed.comment_lines:
        lines = sorted(set(parsed.comment_lines))
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(str(n) for n in lines)
        notes.append(f"Comments cannot be kept in a map and were dropped ({where}).")
    return doc, notes + parsed.notes


def _number(value: float) -> float | int:
    """7.0 -> 7, so that the grade reads as a person would write it."""
    return int(value) if value.is_integer() else value
