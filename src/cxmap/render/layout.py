"""Where everything goes on the journey map: pure geometry computed from the model, no SVG.

Keeping the geometry apart from the drawing lets tests check positions with plain numbers, and lets other
views reuse it: the measured-map report passes an :class:`Overlay` (a second emotion line and markers per
step, computed from real events) and gets it placed on the same columns and the same emotion scale.

Columns have a fixed width, so a 45-step map is simply wider (the HTML scrolls); text is wrapped to a few
lines with an ellipsis, and each lane is as tall as its fullest cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cxmap.model.map import Map
from cxmap.render.cells import LANES, Content, ItemKind, LaneKey, LaneSpec, contents
from cxmap.render.text import TextBlock, wrap

When = Literal["before", "during", "after", "measured"]
Tone = Literal["good", "bad", "neutral"]

MARGIN = 24.0
LABEL_WIDTH = 200.0
COLUMN_WIDTH = 204.0
CELL_PAD = 10.0
ITEM_GAP = 8.0
STAGE_HEIGHT = 44.0
STEP_HEADER_HEIGHT = 30.0
MIN_LANE_HEIGHT = 56.0  # room for a lane's name and a one-line hint
LANE_NUMBER_SPACE = 26.0  # room left of a lane's label for its number
EMOTION_AXIS_SPACE = 50.0  # room right of the emotion lane's label for the 0/5/10 ticks and faces
EMOTION_TOP_PAD = 30.0
EMOTION_PLOT_HEIGHT = 130.0
EMOTION_BOTTOM_PAD = 22.0
BEFORE_AFTER_OFFSET = 0.27  # before/after points sit this share of a column left/right of the centre


@dataclass(frozen=True)
class _Style:
    """How an item of one kind is set: font, line limit, room for an icon (inset) and card padding."""

    size: float
    bold: bool = False
    max_lines: int = 3
    inset: float = 0.0
    pad_x: float = 0.0
    pad_y: float = 0.0
    extra: float = 0.0  # room below the text for a badge or chip
    min_height: float = 0.0
    sub_size: float = 11.0


_PILL = _Style(12, bold=True, max_lines=1, inset=24, pad_x=8, pad_y=6, min_height=28)
_NOTE = _Style(11.5, max_lines=4, inset=22, pad_x=8, pad_y=8)
_STYLES: dict[ItemKind, _Style] = {
    "action": _Style(13.5, bold=True, max_lines=4, sub_size=11.0),
    "touchpoint": _Style(12, max_lines=2, inset=30, pad_x=8, pad_y=8, extra=22, min_height=58),
    "moment": _PILL,
    "hot-spot": _PILL,
    "purchase": _PILL,
    "frontstage": _Style(12, max_lines=2, inset=20),
    "clue": _Style(11.5, max_lines=3, inset=16),
    "backstage": _Style(12, max_lines=2, inset=20),
    "problem": _NOTE,
    "purple-cow": _NOTE,
    "idea": _Style(11.5, max_lines=3, inset=22, pad_x=8, pad_y=8, extra=22),
    "overlay": _Style(11.5, bold=True, max_lines=2, inset=20, pad_x=8, pad_y=6, min_height=28),
}


@dataclass(frozen=True)
class OverlayMarker:
    """Something measured at a step (a confirmed hot spot, a volume, a drop-off), drawn as a chip."""

    step_id: str
    text: str
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Overlay:
    """A second reading of the same map drawn over the designed one, e.g. the measured map.

    ``emotion`` maps step ids to a grade 0-10; steps without one leave a gap in the second line.
    """

    label: str = "Measured"
    emotion: Mapping[str, float] = field(default_factory=dict)
    markers: Sequence[OverlayMarker] = ()


@dataclass(frozen=True)
class Item:
    """One thing drawn in a cell: its box, its text (already wrapped) and where the text starts."""

    kind: ItemKind
    x: float
    y: float
    width: float
    height: float
    text: TextBlock
    text_x: float
    text_y: float
    sub: TextBlock | None = None
    sub_y: float = 0.0
    tag: str | None = None  # owner, clue kind, idea status or overlay tone
    icon: str | None = None  # channel icon name
    ref: str | None = None  # touchpoint, backstage or idea id

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Cell:
    step_id: str
    x: float
    y: float
    width: float
    height: float
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Lane:
    spec: LaneSpec
    y: float
    height: float
    label: TextBlock
    hint: TextBlock
    cells: tuple[Cell, ...]

    @property
    def key(self) -> LaneKey:
        return self.spec.key


@dataclass(frozen=True)
class Column:
    step_id: str
    index: int
    stage_id: str
    stage_index: int
    x: float
    width: float
    moment_of_truth: bool
    hot_spot: bool
    purchase: bool

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class StageBand:
    stage_id: str
    index: int
    title: TextBlock
    x: float
    width: float
    steps: int


@dataclass(frozen=True)
class EmotionScale:
    """Grades 0-10 mapped onto the emotion lane: 10 at ``top``, 0 at ``bottom``."""

    top: float
    bottom: float

    def y(self, grade: float) -> float:
        return self.bottom - (self.bottom - self.top) * grade / 10


@dataclass(frozen=True)
class EmotionPoint:
    step_id: str
    when: When
    grade: float
    x: float
    y: float


@dataclass(frozen=True)
class EmotionLine:
    """All points of one emotion reading, and the runs of consecutive graded steps the line joins."""

    points: tuple[EmotionPoint, ...]
    segments: tuple[tuple[EmotionPoint, ...], ...]


@dataclass(frozen=True)
class Header:
    title: TextBlock
    outcome: TextBlock | None
    y: float
    height: float


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    header: Header | None
    stages: tuple[StageBand, ...]
    columns: tuple[Column, ...]
    lanes: tuple[Lane, ...]
    scale: EmotionScale
    emotion: EmotionLine
    stage_y: float
    step_y: float
    body_top: float
    body_bottom: float
    overlay: EmotionLine | None = None
    overlay_label: str | None = None

    def lane(self, key: LaneKey) -> Lane:
        return next(lane for lane in self.lanes if lane.key == key)

    def column(self, step_id: str) -> Column:
        return next(column for column in self.columns if column.step_id == step_id)


def _place(content: Content, x: float, y: float, width: float) -> Item:
    """Wrap an item's text to the room its kind leaves, and size its box around it."""
    style = _STYLES[content.kind]
    text_width = width - style.inset - 2 * style.pad_x
    text = wrap(content.text, text_width, style.size, bold=style.bold, max_lines=style.max_lines)
    text_y = y + style.pad_y
    sub = None
    sub_y = text_y + text.height
    if content.sub:
        sub = wrap(content.sub, text_width, style.sub_size, max_lines=3 if content.kind == "action" else 2)
        sub_y += 3
    inner = text.height + (sub.height + 3 if sub else 0) + style.extra
    height = max(style.min_height, inner + 2 * style.pad_y)
    return Item(
        content.kind,
        x,
        y,
        width,
        height,
        text,
        x + style.pad_x + style.inset,
        text_y,
        sub,
        sub_y,
        content.tag,
        content.icon,
        content.ref,
    )


def _stack(found: list[Content], x: float, y: float, width: float) -> tuple[Item, ...]:
    items: list[Item] = []
    top = y
    for content in found:
        item = _place(content, x, top, width)
        items.append(item)
        top = item.bottom + ITEM_GAP
    return tuple(items)


def segments(line: Sequence[EmotionPoint | None]) -> tuple[tuple[EmotionPoint, ...], ...]:
    """Runs of consecutive points: a step without a grade (``None``) breaks the line."""
    runs: list[list[EmotionPoint]] = [[]]
    for point in line:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return tuple(tuple(run) for run in runs if run)


def _emotion_points(m: Map, columns: Sequence[Column], scale: EmotionScale) -> EmotionLine:
    """The designed line goes through each step's ``during`` grade; before/after flank it in the column."""
    points: list[EmotionPoint] = []
    line: list[EmotionPoint | None] = []
    for column, step in zip(columns, m.steps, strict=True):
        if step.emotion is None:
            line.append(None)
            continue
        shift = column.width * BEFORE_AFTER_OFFSET
        grades: list[tuple[When, float | None, float]] = [
            ("before", step.emotion.before, column.centre - shift),
            ("during", step.emotion.during, column.centre),
            ("after", step.emotion.after, column.centre + shift),
        ]
        for when, grade, x in grades:
            if grade is not None:
                points.append(EmotionPoint(step.id, when, grade, x, scale.y(grade)))
        line.append(next(p for p in points[::-1] if p.when == "during"))
    return EmotionLine(tuple(points), segments(line))


def _overlay_line(overlay: Overlay, columns: Sequence[Column], scale: EmotionScale) -> EmotionLine:
    """The overlay's grades (clamped to 0-10) at the column centres, with gaps where it has none."""
    line: list[EmotionPoint | None] = []
    for column in columns:
        grade = overlay.emotion.get(column.step_id)
        if grade is None:
            line.append(None)
            continue
        grade = min(10.0, max(0.0, float(grade)))
        line.append(EmotionPoint(column.step_id, "measured", grade, column.centre, scale.y(grade)))
    return EmotionLine(tuple(p for p in line if p is not None), segments(line))


def _columns(m: Map, left: float) -> tuple[Column, ...]:
    stage_index = {stage.id: i for i, stage in enumerate(m.stages)}
    return tuple(
        Column(
            placed.step.id,
            placed.index,
            placed.stage.id,
            stage_index[placed.stage.id],
            left + placed.index * COLUMN_WIDTH,
            COLUMN_WIDTH,
            placed.step.moment_of_truth or placed.step.hot_spot,
            placed.step.hot_spot,
            placed.step.purchase,
        )
        for placed in m.placed_steps
    )


def _stages(m: Map, columns: Sequence[Column]) -> tuple[StageBand, ...]:
    bands: list[StageBand] = []
    for index, stage in enumerate(m.stages):
        mine = [c for c in columns if c.stage_index == index]
        if not mine:
            continue  # a stage without steps takes no room
        width = len(mine) * COLUMN_WIDTH
        title = wrap(stage.title, width - 2 * CELL_PAD - 8, 14, bold=True, max_lines=1)
        bands.append(StageBand(stage.id, index, title, mine[0].x, width, len(mine)))
    return tuple(bands)


def _header(m: Map, width: float) -> Header:
    room = width - 2 * MARGIN
    title = wrap(m.title, room, 24, bold=True, max_lines=2)
    outcome = wrap(f"Outcome: {m.outcome}", room, 13, max_lines=2) if m.outcome else None
    height = 4 + title.height + 34 + (outcome.height + 6 if outcome else 0)
    return Header(title, outcome, MARGIN, height)


def _markers(overlay: Overlay | None) -> dict[str, list[Content]]:
    found: dict[str, list[Content]] = {}
    for marker in overlay.markers if overlay else ():
        found.setdefault(marker.step_id, []).append(Content("overlay", marker.text, tag=marker.tone))
    return found


def _labels(spec: LaneSpec) -> tuple[TextBlock, TextBlock]:
    """The lane's name and hint, wrapped to the label column (narrower beside the emotion scale)."""
    room = LABEL_WIDTH - 2 * CELL_PAD - LANE_NUMBER_SPACE
    room -= EMOTION_AXIS_SPACE if spec.key == "emotion" else 0
    return wrap(spec.label, room, 13, bold=True, max_lines=2), wrap(spec.hint, room, 11, max_lines=2)


def _lane(m: Map, spec: LaneSpec, y: float, columns: Sequence[Column], extra: dict[str, list[Content]]) -> Lane:
    """A lane of items: as tall as its fullest cell, and never shorter than its own label."""
    label, hint = _labels(spec)
    if spec.key == "emotion":
        height = EMOTION_TOP_PAD + EMOTION_PLOT_HEIGHT + EMOTION_BOTTOM_PAD
        cells = tuple(Cell(c.step_id, c.x, y, c.width, height) for c in columns)
        return Lane(spec, y, height, label, hint, cells)
    placed: list[tuple[Column, tuple[Item, ...]]] = []
    for column, step in zip(columns, m.steps, strict=True):
        found = contents(m, step, spec.key) + (extra.get(step.id, []) if spec.key == "moments" else [])
        placed.append((column, _stack(found, column.x + CELL_PAD, y + CELL_PAD, COLUMN_WIDTH - 2 * CELL_PAD)))
    needed = [items[-1].bottom - y + CELL_PAD for _, items in placed if items]
    height = max([MIN_LANE_HEIGHT, 12 + label.height + 2 + hint.height + CELL_PAD, *needed])
    cells = tuple(Cell(c.step_id, c.x, y, c.width, height, items) for c, items in placed)
    return Lane(spec, y, height, label, hint, cells)


def build_layout(m: Map, *, header: bool = True, overlay: Overlay | None = None) -> Layout:
    """Place every stage, step column, lane cell and emotion point of ``m``."""
    width = 2 * MARGIN + LABEL_WIDTH + len(m.steps) * COLUMN_WIDTH
    head = _header(m, width) if header else None
    stage_y = head.y + head.height + 12 if head else MARGIN
    step_y = stage_y + STAGE_HEIGHT
    columns = _columns(m, MARGIN + LABEL_WIDTH)
    extra = _markers(overlay)
    lanes: list[Lane] = []
    y = step_y + STEP_HEADER_HEIGHT
    for spec in LANES:
        lanes.append(_lane(m, spec, y, columns, extra))
        y += lanes[-1].height
    emotion = next(lane for lane in lanes if lane.key == "emotion")
    scale = EmotionScale(emotion.y + EMOTION_TOP_PAD, emotion.y + EMOTION_TOP_PAD + EMOTION_PLOT_HEIGHT)
    return Layout(
        width=width,
        height=y + MARGIN,
        header=head,
        stages=_stages(m, columns),
        columns=columns,
        lanes=tuple(lanes),
        scale=scale,
        emotion=_emotion_points(m, columns, scale),
        stage_y=stage_y,
        step_y=step_y,
        body_top=step_y + STEP_HEADER_HEIGHT,
        body_bottom=y,
        overlay=_overlay_line(overlay, columns, scale) if overlay else None,
        overlay_label=overlay.label if overlay else None,
    )
