"""Contagion across departments on a hand-made log whose answers are worked out below, and on the
synthetic data with its planted effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxmap import synthetic
from cxmap.analytics.contagion import contagion, pair_counts
from cxmap.analytics.prepare import Prepared, prepare
from cxmap.engine import connect
from cxmap.progress import Steps
from cxmap.settings import Settings
from cxmap.workspace import init_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.analytics_fixtures import newcombe_by_hand, workspace_with

# Window 10 days = 240 h; negative: emotion <= 3. Starts (t0) per customer and department:
#   X1 Support exposed 01-01        | Success control 01-05 | Finance control 01-20
#   X2 Support exposed 01-03 (the first ticket, an 8 on 01-01, is not negative) | Success 01-02 | Finance 01-13 00:00:01
#   X3 Support exposed 01-01 10:00  | Success control 01-01 10:00 | Finance control 01-04
#   Y1 Support control 01-01        | Success control 01-03
#   Y2 Support control 01-01 (5 and 4 are not negative) | Finance control 01-05 | Success control 01-15
#   Y3 Support control 01-01 (unscored) | Finance exposed 01-01 (a 3)
#   Z1 Finance exposed 01-01 | Support control 01-02 | Success control 01-31; the web visit has no department
# Engaged = a non-recovery event of the other department in (t0, t0 + 240 h]:
#   Support -> Success: exposed X1 (01-05) yes, X2 (01-13 00:00, exactly 240 h) yes, X3 no (its Success
#     event is at t0 itself, and the recovery call does not count): 2/3; control Y1 yes, Y2 (14 days) no,
#     Y3 none, Z1 (29 days) no: 1/4.
#   Support -> Finance: exposed X1 (19 days) no, X2 (240 h + 1 s) no, X3 yes: 1/3; control Y2 yes, Y3
#     (same instant) no, Y1 none, Z1 (before) no: 1/4.
#   Finance -> Support: exposed Y3 (same instant) no, Z1 yes: 1/2; control X1, X2, X3, Y2 none after: 0/4.
#   Finance -> Success: exposed Y3 none, Z1 (30 days) no: 0/2; control Y2 (01-15, exactly 240 h) yes,
#     X1, X2, X3 only before: 1/4.
#   Success -> *: nobody had a negative moment with Success: no exposed customers, not reported.
LOG = """\
customer_id,timestamp,touchpoint,department,score
X1,2026-01-01T00:00:00,Support ticket,Support,2
X1,2026-01-05T00:00:00,Training,Success,8
X1,2026-01-20T00:00:00,Invoice,Finance,6
X2,2026-01-01T00:00:00,Support ticket,Support,8
X2,2026-01-02T00:00:00,Training,Success,7
X2,2026-01-03T00:00:00,Support ticket,Support,1
X2,2026-01-13T00:00:00,Check-in,Success,7
X2,2026-01-13T00:00:01,Invoice,Finance,5
X3,2026-01-01T10:00:00,Support ticket,Support,0
X3,2026-01-01T10:00:00,Training,Success,
X3,2026-01-02T00:00:00,Recovery call,Success,9
X3,2026-01-04T00:00:00,Invoice,Finance,6
Y1,2026-01-01T00:00:00,Support ticket,Support,7
Y1,2026-01-03T00:00:00,Training,Success,9
Y2,2026-01-01T00:00:00,Support ticket,Support,5
Y2,2026-01-02T00:00:00,Support ticket,Support,4
Y2,2026-01-05T00:00:00,Invoice,Finance,6
Y2,2026-01-15T00:00:00,Training,Success,8
Y3,2026-01-01T00:00:00,Support ticket,Support,
Y3,2026-01-01T00:00:00,Invoice,Finance,3
Z1,2026-01-01T00:00:00,Invoice,Finance,0
Z1,2026-01-02T00:00:00,Support ticket,Support,6
Z1,2026-01-03T00:00:00,Website visit,,2
Z1,2026-01-31T00:00:00,Training,Success,7
"""


def settings(window_days: int = 10, least: int = 1) -> dict[str, Any]:
    return {"analysis": {"contagion_window_days": window_days, "min_customers": least}}


def prepared_from(tmp_path: Path, csv_text: str, overrides: dict[str, Any] | None = None) -> Prepared:
    """A workspace with these events, analysed with these cxmap.yaml settings."""
    ws, _ = workspace_with(tmp_path, csv_text)
    return prepare(connect(ws), None, Settings.model_validate(overrides or {}))


def newcombe(k1: int, n1: int, k2: int, n2: int) -> list[float]:
    return list(newcombe_by_hand(k1, n1, k2, n2))


def row(a: str, b: str, k1: int, n1: int, k2: int, n2: int, evidence: str = "enough") -> dict[str, Any]:
    return {
        "from_department": a,
        "to_department": b,
        "exposed_customers": n1,
        "exposed_engaged": k1,
        "exposed_rate": pytest.approx(k1 / n1),
        "control_customers": n2,
        "control_engaged": k2,
        "control_rate": pytest.approx(k2 / n2),
        "difference": pytest.approx(k1 / n1 - k2 / n2),
        "difference_ci": pytest.approx(newcombe(k1, n1, k2, n2)),
        "significant": False,
        "evidence": evidence,
    }


def test_every_pair_with_exposed_and_control_customers(tmp_path: Path) -> None:
    result = contagion(prepared_from(tmp_path, LOG, settings()))
    assert result == [  # strongest avoidance first
        row("Finance", "Success", 0, 2, 1, 4),  # -0.25
        row("Support", "Finance", 1, 3, 1, 4),  # 1/3 - 1/4
        row("Support", "Success", 2, 3, 1, 4),  # 2/3 - 1/4
        row("Finance", "Support", 1, 2, 0, 4),  # 0.5
    ]


def test_pairs_below_the_minimum_are_listed_as_too_few_after_the_others(tmp_path: Path) -> None:
    result = contagion(prepared_from(tmp_path, LOG, settings(least=3)))
    assert result == [  # 3 exposed and 4 control customers are enough; 2 exposed are too few
        row("Support", "Finance", 1, 3, 1, 4),
        row("Support", "Success", 2, 3, 1, 4),
        row("Finance", "Success", 0, 2, 1, 4, "too_few"),
        row("Finance", "Support", 1, 2, 0, 4, "too_few"),
    ]


def test_the_window_is_a_setting(tmp_path: Path) -> None:
    result = contagion(prepared_from(tmp_path, LOG, settings(window_days=30)))
    pairs = {(r["from_department"], r["to_department"]): r for r in result}
    # 720 h: Y2's training 14 days after its first ticket and Z1's 29 days after are in now; so are X1's
    # and X2's invoices (19 days, 240 h + 1 s), and Z1's training exactly 720 h after its bad invoice.
    assert (pairs["Support", "Success"]["exposed_engaged"], pairs["Support", "Success"]["control_engaged"]) == (2, 3)
    assert (pairs["Support", "Finance"]["exposed_engaged"], pairs["Support", "Finance"]["control_engaged"]) == (3, 1)
    assert (pairs["Finance", "Success"]["exposed_engaged"], pairs["Finance", "Success"]["control_engaged"]) == (1, 1)


def test_more_departments_than_one_mask_holds(tmp_path: Path) -> None:
    # 64 departments: D00 to D61 are bits 0 to 61 of the first mask, D62 and D63 bits 0 and 1 of a second.
    # F1 meets all 64 at one instant (so engages with none: the same instant is not later); N1 has a bad
    # D63, then D00; C1 a good D63, then D62; N2 a bad D62, then D63 four days later; H1 a bad moment in
    # each of D00 to D62 at one instant, then D63 a day later: every bit of both masks on one row.
    names = [f"D{i:02d}" for i in range(64)]
    log = "customer_id,timestamp,touchpoint,department,score\n"
    log += "".join(f"F1,2026-01-01,Visit {d},{d},8\n" for d in names)
    log += "".join(f"H1,2026-01-01,Visit {d},{d},1\n" for d in names[:63]) + "H1,2026-01-02,Visit,D63,8\n"
    log += "N1,2026-01-01,Visit,D63,1\nN1,2026-01-03,Visit,D00,8\n"
    log += "C1,2026-01-01,Visit,D63,8\nC1,2026-01-02,Visit,D62,8\n"
    log += "N2,2026-01-01,Visit,D62,1\nN2,2026-01-05,Visit,D63,8\n"
    prepared = prepared_from(tmp_path, log, settings())
    pairs = {(r["from_department"], r["to_department"]): r for r in pair_counts(prepared)}
    assert len(pairs) == 64 * 63

    def counts(a: str, b: str) -> tuple[int, int, int, int]:
        r = pairs[a, b]
        return r["exposed_engaged"], r["exposed_customers"], r["control_engaged"], r["control_customers"]

    assert counts("D63", "D00") == (1, 1, 0, 4)  # N1 | F1, C1, N2, H1 (its D00 came before)
    assert counts("D63", "D62") == (0, 1, 1, 4)  # N1 | C1 engages; F1, N2 and H1 do not
    assert counts("D62", "D63") == (2, 2, 0, 2)  # N2, H1 | F1, C1 (its D63 came before)
    assert counts("D00", "D63") == (1, 1, 0, 2)  # H1 | F1, N1 (its D63 came before)
    assert counts("D30", "D63") == (1, 1, 0, 1)  # H1 (bit 30) | F1
    assert counts("D61", "D63") == (1, 1, 0, 1)  # H1 (bit 61) | F1
    assert counts("D01", "D02") == (0, 1, 0, 1)  # H1's D02 is at the same instant | F1


def test_no_departments_no_pairs(tmp_path: Path) -> None:
    log = "customer_id,timestamp,touchpoint,score\nC1,2026-01-01,Support ticket,1\nC1,2026-01-02,Training,8\n"
    assert contagion(prepared_from(tmp_path, log, settings())) == []


@pytest.fixture(scope="module")
def synthetic_contagion(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("synthetic")
    paths = synthetic.write(synthetic.generate(30_000, seed=5), folder / "data")
    ws = init_workspace(folder / "ws")
    ingest(ws, [str(paths["events"])], Options(), Steps(None))
    rows = contagion(prepare(connect(ws), None, ws.settings))
    return {(r["from_department"], r["to_department"]): r for r in rows}


def test_planted_contagion_is_found_on_the_synthetic_data(
    synthetic_contagion: dict[tuple[str, str], dict[str, Any]],
) -> None:
    # After a bad support ticket the generator drops 60% of later training, check-in calls and QBRs.
    support = synthetic_contagion["Support", "Customer Success"]
    assert support["significant"] is True
    assert support["difference"] < -0.1
    assert support["difference_ci"][1] < 0
    assert support["exposed_customers"] > 200
    assert support["control_customers"] > 1000


def test_no_contagion_where_none_was_planted(synthetic_contagion: dict[tuple[str, str], dict[str, Any]]) -> None:
    # A bad invoice changes nothing in the generator: customers go on meeting Customer Success as usual,
    # and nobody meets Marketing (pricing pages) after an invoice.
    finance = synthetic_contagion["Finance", "Customer Success"]
    assert finance["exposed_customers"] > 100
    assert finance["significant"] is False
    assert abs(finance["difference"]) < 0.05
    marketing = synthetic_contagion["Finance", "Marketing"]
    assert (marketing["exposed_engaged"], marketing["control_engaged"], marketing["significant"]) == (0, 0, False)
