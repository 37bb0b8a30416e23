"""The outcome is chosen once, in one order: the run's own, the map's `measure:`, cxmap.yaml's `measure:`."""

from __future__ import annotations

from cxmap.analytics.outcomes import OutcomeChoice, choose_outcome
from cxmap.model import loads_map
from cxmap.settings import Settings

MAP = """\
id: m
title: M
measure: {outcome: renewal, outcome_negative: churn-notice}
touchpoints: [{id: renewal, name: Renewal}]
stages: [{id: s, title: S, steps: [{id: renew, action: Renews, touchpoints: [renewal]}]}]
"""
BARE = MAP.replace("measure: {outcome: renewal, outcome_negative: churn-notice}\n", "")
SETTINGS = Settings.model_validate({"measure": {"outcome": "purchase", "outcome_negative": "refund"}})


def test_the_map_measure_comes_before_the_settings() -> None:
    assert choose_outcome(loads_map(MAP), SETTINGS) == OutcomeChoice("renewal", "churn-notice", "map")


def test_the_settings_answer_for_maps_without_a_measure_and_runs_without_a_map() -> None:
    assert choose_outcome(loads_map(BARE), SETTINGS) == OutcomeChoice("purchase", "refund", "settings")
    assert choose_outcome(None, SETTINGS) == OutcomeChoice("purchase", "refund", "settings")
    assert choose_outcome(None, Settings()) == OutcomeChoice(None, None, "none")


def test_naming_the_configured_outcome_by_its_raw_name_keeps_the_configured_opposite() -> None:
    assert choose_outcome(loads_map(MAP), Settings(), "Renewal") == OutcomeChoice("Renewal", "churn-notice", "map")


def test_an_explicit_empty_opposite_means_everyone_without_the_outcome() -> None:
    assert choose_outcome(loads_map(MAP), Settings(), "renewal", "") == OutcomeChoice("renewal", None, "request")


def test_another_outcome_drops_the_configured_opposite() -> None:
    assert choose_outcome(loads_map(MAP), Settings(), "upsell") == OutcomeChoice("upsell", None, "request")
    assert choose_outcome(loads_map(MAP), Settings(), "upsell", "churn-notice") == OutcomeChoice(
        "upsell", "churn-notice", "request"
    )
