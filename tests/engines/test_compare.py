"""The comparer can fail: a difference of 1e-6 in a nested mean is flagged, with the field's path."""

from __future__ import annotations

import pytest

from tests.engines.helpers import assert_same, differences

ANSWER = {"touchpoints": [{"id": "kickoff", "events": 40, "emotion_mean": 5.0, "emotion_ci": [4.1, 5.9]}]}


def nudged(**fields: object) -> dict[str, object]:
    return {"touchpoints": [{**ANSWER["touchpoints"][0], **fields}]}


def test_a_difference_of_one_millionth_is_flagged_with_its_path() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_same(ANSWER, nudged(emotion_ci=[4.1, 5.9 + 1e-6]), "analyze")
    assert str(caught.value).splitlines() == [
        "analyze differs between engines:",
        f"analyze.touchpoints[0].emotion_ci[1]: duckdb 5.9 != pyspark {5.9 + 1e-6!r} (off by 1e-06)",
    ]


def test_rounding_in_the_last_bits_is_not_a_difference() -> None:
    assert differences(ANSWER, nudged(emotion_mean=5.0 * (1 + 1e-12)), "a") == []
    assert differences({"d": 0.0}, {"d": 1e-17}, "a") == []


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (nudged(events=41), "a.touchpoints[0].events: duckdb 40 != pyspark 41"),  # counts are exact
        (nudged(events=40.0), "a.touchpoints[0].events: duckdb 40 (int) != pyspark 40.0 (float)"),
        (nudged(emotion_mean=float("nan")), "a.touchpoints[0].emotion_mean: NaN where null belongs"),
        (nudged(emotion_mean=None), "a.touchpoints[0].emotion_mean: duckdb 5.0 (float) != pyspark None"),
        (nudged(id="kick-off"), "a.touchpoints[0].id: duckdb 'kickoff' != pyspark 'kick-off'"),
        (nudged(emotion_ci=[4.1]), "a.touchpoints[0].emotion_ci: 2 items on duckdb, 1 on pyspark"),
        ({**ANSWER, "extra": 1}, "a: key 'extra' only on pyspark"),
    ],
)
def test_exact_fields_types_nulls_and_shapes_are_compared(other: dict[str, object], expected: str) -> None:
    assert differences(ANSWER, other, "a")[0].startswith(expected)
