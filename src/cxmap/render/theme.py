"""Colours, labels and fonts shared by the SVG and the HTML, so both speak the same visual language.

Every text colour here is paired with the background it is drawn on, and the pairs meet WCAG AA (4.5:1);
``tests/unit/test_render_svg.py`` checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_STACK = "'Inter', 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"

INK = "#0f172a"  # body text
INK_SOFT = "#334155"  # secondary text
MUTED = "#475569"  # hints, axis labels: 7.6:1 on white
LINE = "#e2e8f0"  # grid and separators
LINE_STRONG = "#cbd5e1"
PANEL = "#f8fafc"  # lane label column
PAPER = "#ffffff"


@dataclass(frozen=True)
class Hue:
    """A strong colour for fills under white text, a soft one for tints, and a dark one for text on soft."""

    strong: str
    soft: str
    ink: str


STAGE_HUES: tuple[Hue, ...] = (
    Hue("#1d4ed8", "#eff6ff", "#1e3a8a"),  # blue
    Hue("#0f766e", "#f0fdfa", "#134e4a"),  # teal
    Hue("#6d28d9", "#f5f3ff", "#4c1d95"),  # violet
    Hue("#b45309", "#fffbeb", "#78350f"),  # amber
    Hue("#0e7490", "#ecfeff", "#164e63"),  # cyan
    Hue("#be185d", "#fdf2f8", "#831843"),  # pink
    Hue("#4d7c0f", "#f7fee7", "#365314"),  # olive
    Hue("#475569", "#f8fafc", "#1e293b"),  # slate
)


def stage_hue(index: int) -> Hue:
    """Stages take the palette in turn, so neighbouring stages always differ."""
    return STAGE_HUES[index % len(STAGE_HUES)]


@dataclass(frozen=True)
class OwnerStyle:
    """How a touchpoint's owner shows: badge colours and the card's border."""

    label: str
    badge_fill: str
    badge_text: str
    border: str
    card_fill: str
    accent: str  # the channel icon
    tint: str  # the icon's disc
    dashed: bool = False


OWNER_STYLES: dict[str, OwnerStyle] = {
    "us": OwnerStyle("Us", "#1d4ed8", "#ffffff", "#93c5fd", "#ffffff", "#1d4ed8", "#eff6ff"),
    "partner": OwnerStyle("Partner", "#0f766e", "#ffffff", "#5eead4", "#ffffff", "#0f766e", "#f0fdfa"),
    "third-party": OwnerStyle(
        "Third party", "#f1f5f9", "#334155", "#94a3b8", "#ffffff", "#475569", "#f1f5f9", dashed=True
    ),
    "competitor": OwnerStyle("Competitor", "#b91c1c", "#ffffff", "#fca5a5", "#fff5f5", "#b91c1c", "#fee2e2"),
}


@dataclass(frozen=True)
class ClueStyle:
    label: str
    meaning: str
    colour: str
    shape: str  # square | diamond | circle


CLUE_STYLES: dict[str, ClueStyle] = {
    "tangible": ClueStyle("Tangible", "the product or service itself", "#1d4ed8", "square"),
    "mechanic": ClueStyle("Mechanic", "impressions from things", "#b45309", "diamond"),
    "humanic": ClueStyle("Humanic", "impressions from people", "#be185d", "circle"),
}


@dataclass(frozen=True)
class Chip:
    label: str
    fill: str
    text: str


STATUS_CHIPS: dict[str, Chip] = {
    "proposed": Chip("Proposed", "#f1f5f9", "#334155"),
    "planned": Chip("Planned", "#dbeafe", "#1e40af"),
    "funded": Chip("Funded", "#ede9fe", "#5b21b6"),
    "in-progress": Chip("In progress", "#fef3c7", "#92400e"),
    "done": Chip("Done", "#dcfce7", "#166534"),
    "dropped": Chip("Dropped", "#f3f4f6", "#4b5563"),
}

KIND_CHIPS: dict[str, Chip] = {
    "current": Chip("Current state", "#e0f2fe", "#075985"),
    "ideal": Chip("Ideal state", "#dcfce7", "#166534"),
    "future": Chip("Future state", "#f3e8ff", "#6b21a8"),
}

# Note cards: background, border, text, accent (icon and left bar).
PROBLEM = Hue("#dc2626", "#fef2f2", "#7f1d1d")
PURPLE_COW = Hue("#7c3aed", "#f5f3ff", "#4c1d95")
IDEA = Hue("#ca8a04", "#fefce8", "#422006")
MOMENT = Hue("#1d4ed8", "#eff6ff", "#1e3a8a")
HOT_SPOT = Hue("#dc2626", "#fef2f2", "#991b1b")
PURCHASE = Hue("#15803d", "#f0fdf4", "#14532d")

EMOTION_LINE = "#1e293b"
MEASURED_LINE = "#7c3aed"
NEGATIVE = "#dc2626"
NEUTRAL = "#d97706"
POSITIVE = "#16a34a"


def grade_colour(grade: float) -> str:
    """Red at or below 3, green at or above 7 (the bands the lint and findings use), amber between."""
    if grade <= 3:
        return NEGATIVE
    if grade >= 7:
        return POSITIVE
    return NEUTRAL


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_pairs() -> list[tuple[str, str, str]]:
    """Every (name, text colour, background) pair the renderers draw, for the contrast test."""
    pairs = [("ink", INK, PAPER), ("muted", MUTED, PAPER), ("muted on panel", MUTED, PANEL)]
    pairs += [(f"stage {i}", "#ffffff", h.strong) for i, h in enumerate(STAGE_HUES)]
    pairs += [(f"stage soft {i}", h.ink, h.soft) for i, h in enumerate(STAGE_HUES)]
    pairs += [(f"owner {k}", s.badge_text, s.badge_fill) for k, s in OWNER_STYLES.items()]
    pairs += [(f"status {k}", c.text, c.fill) for k, c in STATUS_CHIPS.items()]
    pairs += [(f"kind {k}", c.text, c.fill) for k, c in KIND_CHIPS.items()]
    for name, hue in [("problem", PROBLEM), ("purple cow", PURPLE_COW), ("idea", IDEA), ("moment", MOMENT)]:
        pairs.append((name, hue.ink, hue.soft))
    pairs += [("hot spot", HOT_SPOT.ink, HOT_SPOT.soft), ("purchase", PURCHASE.ink, PURCHASE.soft)]
    return pairs
