"""Opinion scales and their normalisation to emotion 0-10, as SQL expressions run in the engine."""

from __future__ import annotations

from dataclasses import dataclass

from cxmap.errors import unknown


@dataclass(frozen=True)
class Scale:
    name: str
    low: float
    high: float
    to_emotion: str  # SQL over the numeric score `{x}`
    meaning: str

    def emotion_sql(self, x: str) -> str:
        return "(" + self.to_emotion.format(x=x) + ")"


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("0-10", 0, 10, "{x}", "0 to 10, kept as it is"),
        Scale("1-5", 1, 5, "({x} - 1) * 2.5", "1 to 5 (CSAT): (x - 1) * 2.5"),
        Scale("1-7", 1, 7, "({x} - 1) * 10.0 / 6", "1 to 7 (effort): (x - 1) * 10 / 6"),
        Scale("1-10", 1, 10, "({x} - 1) * 10.0 / 9", "1 to 10: (x - 1) * 10 / 9"),
        Scale("-1-1", -1, 1, "({x} + 1) * 5", "-1 to 1: (x + 1) * 5"),
        Scale("0-100", 0, 100, "{x} / 10.0", "0 to 100 (percent satisfied): x / 10"),
        Scale("nps", 0, 10, "{x}", "NPS 0 to 10, kept as it is, plus promoter / passive / detractor"),
    )
}


def get_scale(name: str) -> Scale:
    if name not in SCALES:
        raise unknown("scale", name, SCALES)
    return SCALES[name]


def nps_class_sql(x: str) -> str:
    """Promoters score 9-10, passives 7-8, detractors 0-6."""
    return f"CASE WHEN {x} >= 9 THEN 'promoter' WHEN {x} >= 7 THEN 'passive' WHEN {x} IS NOT NULL THEN 'detractor' END"


def sentiment_emotion(compound: float) -> float:
    """A VADER compound score c (-1..1) as emotion: (c + 1) * 5."""
    return (compound + 1) * 5
