"""Comment sentiment: a small interface, VADER by default, run once per distinct comment.

This is the one place where Python touches rows: distinct comments without a score, in batches, cached
by the comment's hash so a comment is never scored twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Protocol


class SentimentModel(Protocol):
    """Anything that turns texts into compound scores from -1 (negative) to 1 (positive)."""

    name: str

    def compound(self, texts: Sequence[str]) -> list[float]: ...


class VaderModel:
    """VADER (vaderSentiment): a lexicon model that ships its lexicon; nothing is downloaded."""

    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def compound(self, texts: Sequence[str]) -> list[float]:
        return [float(self._analyzer.polarity_scores(t)["compound"]) for t in texts]


MODELS: dict[str, Callable[[], SentimentModel]] = {"vader": VaderModel}


def check_model(name: str) -> None:
    """Refuse an unknown model name before a load starts (the model itself is built only if needed)."""
    if name not in MODELS:
        from cxmap.errors import CxmapError

        raise CxmapError(f"sentiment.model: unknown model '{name}'; cxmap ships 'vader'")


@cache
def get_model(name: str) -> SentimentModel:
    """The model named in cxmap.yaml (`ingest.sentiment_model`)."""
    check_model(name)
    return MODELS[name]()
