"""The synthetic data's comment bank (cxmap.synthetic_comments): every comment reads as its tone says, to
VADER as to a person, and a comment is drawn only from its event's touchpoint and tone."""

from __future__ import annotations

import numpy as np
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxmap.synthetic_comments import BANK, CLOSERS, NEGATIVE, NEUTRAL, OPENERS, POSITIVE, THEMES, pick, tone


def test_tone_bands() -> None:
    # negative 0-3, neutral 4-6, positive 7-10: the bands a comment must agree with
    grades = np.array([0.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 10.0])
    assert tone(grades).tolist() == [NEGATIVE] * 2 + [NEUTRAL] * 3 + [POSITIVE] * 3


def test_the_bank_is_every_combination_once() -> None:
    themes = sum(len(bank) for banks in THEMES.values() for bank in banks)
    assert len(BANK.texts) == themes * 3 * 3  # 3 openers x 3 closers per theme
    assert len(set(BANK.texts.tolist())) == len(BANK.texts)  # so a text says its touchpoint and tone
    assert "Call rescheduled to Thursday." in BANK.texts.tolist()
    assert "Honestly, great QBR, clear value and a solid plan! Thank you." in BANK.texts.tolist()
    assert "Sadly, the import broke our data again, very frustrating. So frustrating." in BANK.texts.tolist()


def test_vader_reads_every_comment_in_its_band() -> None:
    """VADER's compound c gives the emotion (c + 1) * 5: positive comments land at 7 or more, negative ones at
    3 or less, neutral ones strictly between, the same bands as the grades that choose them."""
    vader = SentimentIntensityAnalyzer()
    compound = np.array([vader.polarity_scores(t)["compound"] for t in BANK.texts])
    positive, negative, neutral = (BANK.tones == k for k in (POSITIVE, NEGATIVE, NEUTRAL))
    assert positive.sum() > 300
    assert negative.sum() > 300
    assert neutral.sum() > 300
    assert compound[positive].min() >= 0.4, BANK.texts[positive][compound[positive].argmin()]
    assert compound[negative].max() <= -0.4, BANK.texts[negative][compound[negative].argmax()]
    assert np.abs(compound[neutral]).max() < 0.4, BANK.texts[neutral][np.abs(compound[neutral]).argmax()]


@pytest.mark.parametrize(("touchpoint", "grade", "k"), [("Check-in call", 7.0, 2), ("Import job", 3.0, 0)])
def test_pick_draws_from_the_touchpoint_and_tone_only(touchpoint: str, grade: float, k: int) -> None:
    number = BANK.touchpoints.index(touchpoint)
    codes = pick(np.random.default_rng(1), np.full(10_000, number), np.full(10_000, grade))
    # built here by hand from the parts: the theme is lower-cased after an opener
    expected = {
        f"{opener}{theme[0].lower() + theme[1:] if opener else theme}{closer}"
        for theme in THEMES[touchpoint][k]
        for opener in OPENERS[k]
        for closer in CLOSERS[k]
    }
    assert set(BANK.texts[codes].tolist()) == expected  # all 27 or 36 of them turn up in 10,000 draws
    assert "Call rescheduled to Thursday." not in expected
