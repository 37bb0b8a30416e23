"""On a larger seeded log with known effects planted (cxmap.synthetic), analyze finds them and does not
find the planted non-effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxmap import synthetic
from tests.conftest import run_cxmap


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    root = tmp_path_factory.mktemp("planted")
    paths = synthetic.write(synthetic.generate(40_000, seed=11), root / "data")
    ws = root / "ws"
    assert run_cxmap("init", str(ws)).returncode == 0
    (ws / "maps" / "b2b-onboarding.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "examples" / "maps" / "b2b-onboarding.yaml").read_text()
    )
    for kind in ("accounts", "contacts", "events"):
        assert run_cxmap("ingest", str(ws), str(paths[kind]), "--kind", kind, "--quiet").returncode == 0
    result = run_cxmap(
        "analyze",
        str(ws),
        "--map",
        "b2b-onboarding",
        "--outcome",
        "renewal",
        "--outcome-negative",
        "churn notice",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_planted_hot_spot_is_the_hottest(findings: dict) -> None:  # type: ignore[type-arg]
    top = findings["hot_spots"][0]
    assert top["touchpoint"] == "kickoff-call"
    assert top["leverage_ci"][0] > 0.3
    assert top["outcome_rate_good"] > top["outcome_rate_bad"]


def test_the_planted_non_effect_is_not_a_hot_spot(findings: dict) -> None:  # type: ignore[type-arg]
    trial = next(s for s in findings["hot_spot_candidates"] if s["touchpoint"] == "trial")
    assert trial["significant"] is False
    assert trial["leverage_ci"][0] < 0 < trial["leverage_ci"][1]


def test_problem_area_and_purple_cow(findings: dict) -> None:  # type: ignore[type-arg]
    assert [p["touchpoint"] for p in findings["problem_areas"]] == ["data-import"]
    assert [p["touchpoint"] for p in findings["purple_cows"]] == ["qbr"]


def test_json_contract_keys(findings: dict) -> None:  # type: ignore[type-arg]
    assert {
        "workspace",
        "map",
        "outcome",
        "customers",
        "events",
        "touchpoints",
        "hot_spots",
        "problem_areas",
        "purple_cows",
        "curve",
        "journeys",
        "conformance",
        "contagion",
        "recovery",
        "moments_of_truth_unconfirmed",
    } <= set(findings)
    assert {
        "id",
        "name",
        "events",
        "customers",
        "reach",
        "emotion_mean",
        "emotion_ci",
        "emotion_median",
        "negative_share",
        "positive_share",
    } <= set(findings["touchpoints"][0])
    assert {
        "touchpoint",
        "leverage",
        "leverage_ci",
        "outcome_rate_good",
        "outcome_rate_bad",
        "customers_good",
        "customers_bad",
    } <= set(findings["hot_spots"][0])
    assert {"touchpoint", "emotion_mean", "negative_share", "customers"} <= set(findings["problem_areas"][0])
    assert {"touchpoint", "emotion_mean", "positive_share", "customers"} <= set(findings["purple_cows"][0])
