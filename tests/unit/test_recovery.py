"""Service recovery on a hand-made log whose answers are worked out below, and on the synthetic data."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import ibis
import pytest

from cxmap import synthetic
from cxmap.analytics.outcomes import customer_outcomes
from cxmap.analytics.prepare import Prepared, prepare
from cxmap.analytics.recovery import recovery
from cxmap.engine import connect
from cxmap.progress import Steps
from cxmap.settings import Settings
from cxmap.workspace import init_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.analytics_fixtures import newcombe_by_hand, workspace_with

EXAMPLE_MAP = (Path(__file__).resolve().parents[2] / "examples" / "maps" / "b2b-onboarding.yaml").read_text("utf-8")

# Negative moment: emotion <= 3. Recovery touchpoints (default globs): "Recovery call", "Callback".
# R1: negative 01-01, recovery exactly 168 h later: on time (168 h). Later emotion: 8 (the call is a recovery).
# R2: negative 01-01, recovery 168 h + 1 s later: late. Its later emotion (6) is in neither group.
# R3: its only recovery (12-30) comes before its negative moment (01-01, a 3): unrecovered. Later: 4, 2.
# R4: negative and a recovery call at the same instant: no recovery (0 < dt). The survey at that instant
#     is not later either; later: 5. Unrecovered.
# R5: recovery 36 h after (graded 3, still a recovery; its emotion is not "later"). Later: 9, 7. On time.
# R6: the first negative moment is itself a callback; it is not its own recovery; the next callback,
#     72 h later, is. Later: 4. On time.
# H1 had no negative moment; H2's worst is a 4. Neither counts.
LOG = """\
customer_id,timestamp,touchpoint,department,score
R1,2026-01-01T00:00:00,Support ticket,Support,2
R1,2026-01-08T00:00:00,Recovery call,Customer Success,8
R1,2026-01-10T00:00:00,Check-in call,Customer Success,8
R1,2026-02-01T00:00:00,Renewal,Sales,
R2,2026-01-01T00:00:00,Support ticket,Support,1
R2,2026-01-08T00:00:01,Recovery call,Customer Success,7
R2,2026-01-09T00:00:00,Survey,Customer Success,6
R3,2025-12-30T00:00:00,Recovery call,Customer Success,8
R3,2026-01-01T00:00:00,Support ticket,Support,3
R3,2026-01-02T00:00:00,Check-in call,Customer Success,4
R3,2026-01-03T00:00:00,Check-in call,Customer Success,2
R3,2026-02-01T00:00:00,Churn notice,Sales,
R4,2026-01-01T10:00:00,Support ticket,Support,0
R4,2026-01-01T10:00:00,Recovery call,Customer Success,9
R4,2026-01-01T10:00:00,Survey,Customer Success,10
R4,2026-01-03T00:00:00,Survey,Customer Success,5
R4,2026-02-01T00:00:00,Renewal,Sales,
R5,2026-01-01T00:00:00,Support ticket,Support,2
R5,2026-01-02T12:00:00,Recovery call,Customer Success,3
R5,2026-01-05T00:00:00,Check-in call,Customer Success,9
R5,2026-01-06T00:00:00,Check-in call,Customer Success,7
R5,2026-02-01T00:00:00,Renewal,Sales,
R6,2026-01-01T00:00:00,Callback,Support,2
R6,2026-01-04T00:00:00,Callback,Support,8
R6,2026-01-06T00:00:00,Survey,Customer Success,4
H1,2026-01-01T00:00:00,Support ticket,Support,8
H1,2026-01-02T00:00:00,Recovery call,Customer Success,9
H2,2026-01-01T00:00:00,Support ticket,Support,4
"""
NO_GLOBS = {"recovery": {"touchpoints": []}}


def prepared_from(
    tmp_path: Path, csv_text: str, settings: dict[str, Any] | None = None, map_yaml: str | None = None
) -> Prepared:
    """A workspace with these events (and map), analysed with these cxmap.yaml settings."""
    ws, the_map = workspace_with(tmp_path, csv_text, map_yaml)
    return prepare(connect(ws), the_map, Settings.model_validate(settings or {}))


def test_on_time_late_and_unrecovered_without_an_outcome(tmp_path: Path) -> None:
    result = recovery(prepared_from(tmp_path, LOG), None)
    assert result == {
        "negative_customers": 6,
        "recovered_on_time": 3,  # R1 (168 h exactly), R5 (36 h), R6 (72 h)
        "recovered_late": 1,  # R2 (168 h + 1 s)
        "unrecovered": 2,  # R3 (recovery before), R4 (recovery at the same instant)
        "on_time_share": 0.5,
        "median_hours_to_recovery": 120.0,  # 36, 72 | 168, 168.0003: (72 + 168) / 2
        "later_emotion_recovered": 7.0,  # (8 + 9 + 7 + 4) / 4
        "later_emotion_unrecovered": pytest.approx(11 / 3),  # (4 + 2 + 5) / 3
        "outcome_rate_recovered": None,
        "outcome_rate_unrecovered": None,
        "outcome_customers_recovered": None,
        "outcome_customers_unrecovered": None,
        "difference": None,
        "difference_ci": None,
        "significant": None,
        "evidence": None,
        "window_days": 7,
    }


def test_outcome_rates_of_recovered_against_unrecovered(tmp_path: Path) -> None:
    prepared = prepared_from(tmp_path, LOG)
    result = recovery(prepared, customer_outcomes(prepared, "renewal"))
    # Recovered on time: R1 and R5 renewed, R6 did not: 2/3. Unrecovered: R4 renewed, R3 did not: 1/2.
    low, high = newcombe_by_hand(2, 3, 1, 2)
    assert result["outcome_rate_recovered"] == pytest.approx(2 / 3)
    assert result["outcome_rate_unrecovered"] == 0.5
    assert (result["outcome_customers_recovered"], result["outcome_customers_unrecovered"]) == (3, 2)
    assert result["difference"] == pytest.approx(1 / 6)
    assert result["difference_ci"] == [pytest.approx(low), pytest.approx(high)]
    assert result["significant"] is False
    assert result["evidence"] == "too_few"  # 3 and 2 customers, 20 needed on each side


def test_a_recovery_comparison_of_one_customer_is_too_few_whatever_its_interval(tmp_path: Path) -> None:
    prepared = prepared_from(tmp_path, LOG, {"analysis": {"min_customers": 3}})
    result = recovery(prepared, customer_outcomes(prepared, "renewal", "churn-notice"))
    # 2 decided customers a side (R1 R5 | R3 R4): below 3, so never significant, numbers still given.
    assert (result["outcome_customers_recovered"], result["outcome_customers_unrecovered"]) == (2, 2)
    assert (result["evidence"], result["significant"], result["difference"]) == ("too_few", False, 0.5)


def test_undecided_customers_are_left_out_of_outcome_rates(tmp_path: Path) -> None:
    prepared = prepared_from(tmp_path, LOG)
    result = recovery(prepared, customer_outcomes(prepared, "renewal", "churn-notice"))
    # R6 neither renewed nor churned: undecided. Recovered: R1, R5 both renewed. Unrecovered: R4 yes, R3 no.
    assert (result["outcome_rate_recovered"], result["outcome_rate_unrecovered"]) == (1.0, 0.5)
    assert (result["outcome_customers_recovered"], result["outcome_customers_unrecovered"]) == (2, 2)
    assert result["difference"] == 0.5
    assert result["difference_ci"] == [pytest.approx(x) for x in newcombe_by_hand(2, 2, 1, 2)]


def test_the_window_is_a_setting(tmp_path: Path) -> None:
    result = recovery(prepared_from(tmp_path, LOG, {"recovery": {"window_days": 8}}), None)
    # 192 h: R2's 168 h + 1 s is on time now, and its later 6 joins the recovered: (28 + 6) / 5.
    assert (result["recovered_on_time"], result["recovered_late"], result["unrecovered"]) == (4, 0, 2)
    assert result["on_time_share"] == pytest.approx(4 / 6)
    assert result["later_emotion_recovered"] == pytest.approx(6.8)
    assert result["window_days"] == 8


def test_recovery_touchpoints_come_from_the_settings_globs(tmp_path: Path) -> None:
    result = recovery(prepared_from(tmp_path, LOG, NO_GLOBS), None)
    assert (result["negative_customers"], result["recovered_on_time"], result["unrecovered"]) == (6, 0, 6)
    assert result["median_hours_to_recovery"] is None
    assert result["later_emotion_recovered"] is None


def test_recovery_touchpoints_come_from_the_map(tmp_path: Path) -> None:
    # No globs: only the map's `recovery: true` touchpoint (it matches "Recovery call*"), not "Callback".
    prepared = prepared_from(tmp_path, LOG, NO_GLOBS, EXAMPLE_MAP)
    result = recovery(prepared, None)
    assert (result["recovered_on_time"], result["recovered_late"], result["unrecovered"]) == (2, 1, 3)
    assert result["median_hours_to_recovery"] == 168.0  # 36 | 168 | 168.0003


def test_no_negative_moments(tmp_path: Path) -> None:
    log = "customer_id,timestamp,touchpoint,score\nH1,2026-01-01,Support ticket,8\nH1,2026-01-02,Renewal,\n"
    prepared = prepared_from(tmp_path, log)
    result = recovery(prepared, customer_outcomes(prepared, "renewal"))
    assert result["negative_customers"] == 0
    assert (result["on_time_share"], result["median_hours_to_recovery"]) == (None, None)
    assert (result["outcome_rate_recovered"], result["difference"]) == (None, None)
    assert result["difference_ci"] == [None, None]
    assert result["significant"] is False


@pytest.fixture(scope="module")
def synthetic_prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("synthetic")
    paths = synthetic.write(synthetic.generate(30_000, seed=5), folder / "data")
    ws = init_workspace(folder / "ws")
    ingest(ws, [str(paths["events"])], Options(), Steps(None))
    return prepare(connect(ws), None, ws.settings)


def test_planted_recovery_is_found_on_the_synthetic_data(synthetic_prepared: Prepared) -> None:
    result = recovery(synthetic_prepared, customer_outcomes(synthetic_prepared, "renewal"))
    # Most first negative moments are a bad data import, which nobody recovers; still, the customers
    # recovered on time renew more often than the unrecovered.
    assert result["recovered_on_time"] > 50
    assert result["outcome_rate_recovered"] > result["outcome_rate_unrecovered"] + 0.05


def test_planted_recovery_of_bad_support_tickets(synthetic_prepared: Prepared) -> None:
    # Looking at support alone, a bad ticket is the first negative moment: the generator calls back half
    # of these customers within 1 h to 5 days (never later), and they renew more often.
    e = synthetic_prepared.events
    support = e.raw_touchpoint.isin(["Support ticket", "Recovery call", "Renewal", "Churn notice"])
    prepared = dataclasses.replace(synthetic_prepared, events=e.filter(support))
    result = recovery(prepared, customer_outcomes(prepared, "renewal"))
    assert 0.4 < result["on_time_share"] < 0.6
    assert result["recovered_late"] == 0
    assert 1 < result["median_hours_to_recovery"] < 120
    assert result["significant"] is True
    assert result["evidence"] == "enough"
    assert result["difference_ci"][0] > 0


def test_no_effect_on_an_outcome_that_recovery_cannot_move(synthetic_prepared: Prepared) -> None:
    # A planted non-effect: the same support view, with an "outcome" that is a coin toss (the parity of
    # the customer number). Recovery is found as before, but makes no significant difference to it.
    e = synthetic_prepared.events
    support = e.raw_touchpoint.isin(["Support ticket", "Recovery call"])
    prepared = dataclasses.replace(synthetic_prepared, events=e.filter(support))
    customers = prepared.events.select("customer_id").distinct()
    coin = customers.customer_id.right(1).isin(["0", "2", "4", "6", "8"]).cast("int64")
    outcomes = customers.mutate(outcome=coin, decided=ibis.literal(True))
    result = recovery(prepared, outcomes)
    assert result["recovered_on_time"] > 100
    assert result["outcome_customers_recovered"] == result["recovered_on_time"]
    assert result["significant"] is False
