"""Hot spots are drivers, not mood: on data with a planted temperament that colours every grade and the
outcome, the leverage that holds the customer's experience elsewhere fixed finds the one real driver and
lists the touchpoints that only carry the temperament as satisfaction proxies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxmap.analytics.analyze import Request, analyze
from cxmap.analytics.findings import Findings
from cxmap.analytics.stats import mantel_haenszel
from tests.analytics_fixtures import workspace_with

DELTA = 0.30  # the planted driver: renewal +30 points after a good kickoff (>= 7) against a bad one (<= 4)
PROXIES = ["Welcome email", "Invoice", "Newsletter", "Webinar", "Help centre"]


def log(seed: int, driver_mood: float, customers: int = 3000) -> str:
    """Each customer's temperament m ~ N(0, 1) colours every grade (6 + 1.5 m, noise 0.9 on the five proxies;
    the kickoff 5.5 + driver_mood x m, noise 2: it depends mostly on the team that runs it) and renewal:
    P(renew) = 0.35 + 0.10 m + DELTA x (kickoff good: +1/2, bad: -1/2, neutral: 0), within 0.02-0.98.
    So the proxies move with renewal only through m, and the kickoff by DELTA on top of it."""
    rng = np.random.default_rng(seed)
    m = rng.normal(0, 1, customers)
    grades = {t: np.clip(np.round(6 + 1.5 * m + rng.normal(0, 0.9, customers)), 0, 10) for t in PROXIES}
    kickoff = np.clip(np.round(5.5 + driver_mood * m + rng.normal(0, 2.0, customers)), 0, 10)
    grades["Kickoff call"] = kickoff
    side = np.where(kickoff >= 7, 0.5, np.where(kickoff <= 4, -0.5, 0.0))
    renew = rng.random(customers) < np.clip(0.35 + 0.10 * m + DELTA * side, 0.02, 0.98)
    rows = ["customer_id,timestamp,touchpoint,score"]
    for i in range(customers):
        rows += [f"K{i},2026-01-{d + 1:02d},{t},{int(g[i])}" for d, (t, g) in enumerate(grades.items())]
        rows.append(f"K{i},2026-03-01,{'Renewal' if renew[i] else 'Churn'},")
    return "\n".join(rows) + "\n"


def findings(tmp_path: Path, driver_mood: float) -> Findings:
    ws, _ = workspace_with(tmp_path, log(seed=1, driver_mood=driver_mood))
    return analyze(ws, Request(outcome="renewal", outcome_negative="churn"))


@pytest.fixture(scope="module")
def coloured(tmp_path_factory: pytest.TempPathFactory) -> Findings:
    return findings(tmp_path_factory.mktemp("temperament"), driver_mood=0.5)


def test_the_driver_is_the_only_hot_spot(coloured: Findings) -> None:
    assert [s.touchpoint for s in coloured.hot_spots] == ["kickoff-call"]


def test_the_five_that_carry_only_the_temperament_are_satisfaction_proxies(coloured: Findings) -> None:
    proxies = {s.name: s for s in coloured.satisfaction_proxies}
    assert sorted(proxies) == sorted(PROXIES)
    for s in proxies.values():
        assert s.leverage is not None
        assert s.leverage_adjusted is not None
        assert s.leverage > 0.2  # a clear raw gap: happy customers are happy here and renew
        assert abs(s.leverage_adjusted) < s.leverage / 3, s.name  # explained by the experience elsewhere
        assert (s.significant, s.moves_with_satisfaction) == (False, True)


def test_the_drivers_adjusted_leverage_is_within_its_planted_value(coloured: Findings) -> None:
    driver = coloured.hot_spots[0]
    low, high = driver.leverage_adjusted_ci
    assert low is not None
    assert high is not None
    assert low <= DELTA <= high
    assert driver.leverage is not None
    assert driver.leverage > high  # the raw gap also carries the temperament
    assert driver.method.startswith("mantel-haenszel")


def test_a_driver_independent_of_temperament_has_raw_and_adjusted_alike(tmp_path: Path) -> None:
    driver = findings(tmp_path, driver_mood=0.0).hot_spots[0]
    assert driver.touchpoint == "kickoff-call"
    assert driver.leverage is not None
    assert driver.leverage_adjusted is not None
    assert abs(driver.leverage - driver.leverage_adjusted) < 0.01
    for low, high in (driver.leverage_ci, driver.leverage_adjusted_ci):
        assert low is not None
        assert high is not None
        assert low <= DELTA <= high


def test_mantel_haenszel_by_hand() -> None:
    # stratum 1: 10 of 20 against 5 of 10 (difference 0, weight 200/30); stratum 2: 3 of 10 against 1 of 10
    # (difference 0.2, weight 5): d = (0 + 0.2 x 5) / (200/30 + 5) = 3/35. Group 1 has no stratum with both.
    d, low, high = mantel_haenszel([0, 0, 1], [10, 3, 2], [20, 10, 5], [5, 1, 0], [10, 10, 0], 2)
    assert d[0] == pytest.approx(3 / 35)
    assert np.isnan(d[1])
    # Sato: P = (n1^2 k2 - n2^2 k1 + n1 n2 (n2 - n1)/2) / N^2, Q = (k1 (n2 - k2) + k2 (n1 - k1)) / 2N
    p = (400 * 5 - 100 * 10 + 200 * (10 - 20) / 2) / 900 + (100 * 1 - 100 * 3 + 0) / 400
    q = (10 * 5 + 5 * 10) / 60 + (3 * 9 + 1 * 7) / 40
    half = 1.959963984540054 * np.sqrt(3 / 35 * p + q) / (200 / 30 + 5)
    assert (low[0], high[0]) == pytest.approx((3 / 35 - half, 3 / 35 + half))
    # one stratum: the plain difference with the Wald interval
    d, low, high = mantel_haenszel([0], [15], [20], [5], [20], 1)
    half = 1.959963984540054 * np.sqrt(2 * 0.75 * 0.25 / 20)
    assert (d[0], low[0], high[0]) == pytest.approx((0.5, 0.5 - half, 0.5 + half))
