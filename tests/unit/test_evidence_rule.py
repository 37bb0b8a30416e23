"""One minimum-evidence rule for every comparison: too few customers, or a split made by construction, is
never a finding; its numbers are still there for anyone who looks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxmap.analytics.analyze import Request, analyze
from cxmap.analytics.comparison import clear, evidence
from cxmap.analytics.evidence import evidence_for
from cxmap.analytics.findings import Findings
from cxmap.analytics.prepare import Scope, prepare
from cxmap.engine import connect
from cxmap.render.summary import summary_lines
from tests.analytics_fixtures import workspace_with


def log() -> str:
    """Everyone also had a welcome e-mail graded 6, so all share one stratum of experience elsewhere and the
    adjusted comparisons equal the raw ones.
    Kickoff: 20 good (15 renew) against 20 bad (5 renew): a hot spot with 20 a side.
    Callback: 20 customers graded it 9 (15 renewed) and one graded it 1 and did not renew: 15 of 20 against
    0 of 1.
    Survey: 20 customers graded it 9 and all renewed, 20 graded it 1 and none did: 100% against 0%."""
    rows = ["customer_id,timestamp,touchpoint,score"]
    for i in range(1, 21):
        rows += [f"G{i},2026-01-01,Kickoff call,8"] + ([f"G{i},2026-03-01,Renewal,"] if i <= 15 else [])
        rows += [f"B{i},2026-01-01,Kickoff call,2"] + ([f"B{i},2026-03-01,Renewal,"] if i <= 5 else [])
        rows += [f"C{i},2026-01-02,Callback,9"] + ([f"C{i},2026-03-01,Renewal,"] if i <= 15 else [])
        rows += [f"S{i},2026-01-01,Survey,9", f"S{i},2026-03-01,Renewal,", f"T{i},2026-01-01,Survey,1"]
    rows.append("C21,2026-01-02,Callback,1")
    customers = [f"{p}{i}" for p in "GBCST" for i in range(1, 21)] + ["C21"]
    rows += [f"{c},2025-12-20,Welcome email,6" for c in customers]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Findings:
    ws, _ = workspace_with(tmp_path_factory.mktemp("evidence"), log())
    return analyze(ws, Request(outcome="renewal"))


def test_a_comparison_needs_the_minimum_on_both_sides() -> None:
    assert evidence(20, 1, 15, 0, 20) == "too_few"
    assert evidence(19, 400, 10, 100, 20) == "too_few"
    assert evidence(20, 20, 15, 5, 20) == "enough"


def test_a_complete_split_is_suspicious_not_a_finding() -> None:
    assert evidence(300, 400, 300, 0, 20) == "separated"
    assert evidence(300, 400, 0, 400, 20) == "separated"
    assert clear("separated", 0.9, 1.0) is False
    assert clear("too_few", 0.1, 0.9) is False
    assert clear("enough", 0.1, 0.9) is True
    assert clear("enough", -0.1, 0.9) is False


def test_a_one_customer_comparison_is_listed_as_too_few(findings: Findings) -> None:
    tested = {s.touchpoint: s for s in findings.hot_spot_candidates}
    callback = tested["callback"]
    assert (callback.customers_good, callback.customers_bad) == (20, 1)
    assert (callback.outcome_rate_good, callback.outcome_rate_bad) == (0.75, 0.0)
    assert callback.leverage == pytest.approx(0.75)  # the numbers are kept
    assert (callback.evidence, callback.significant) == ("too_few", False)


def test_a_split_by_construction_is_flagged_and_not_ranked_first(findings: Findings) -> None:
    assert [s.touchpoint for s in findings.hot_spots] == ["kickoff-call"]
    survey = next(s for s in findings.hot_spot_candidates if s.touchpoint == "survey")
    assert (survey.outcome_rate_good, survey.outcome_rate_bad, survey.leverage) == (1.0, 0.0, 1.0)
    assert (survey.evidence, survey.significant) == ("separated", False)
    # ranked by leverage x reach alone, the survey (1.0 x 40/101) would come before the kickoff (0.5 x 40/101)
    assert findings.hot_spot_candidates[0].touchpoint == "kickoff-call"


def test_the_summary_lists_them_apart_with_their_numbers(findings: Findings) -> None:
    lines = summary_lines(findings)
    held = lines.index("Not findings (numbers shown, never ranked):")
    assert lines[held + 1 : held + 3] == [
        "  Survey: suspicious: the two groups are split completely, as if by construction (20 good, 20 bad; "
        "+100 points)",
        "  Callback: too few customers (20 good, 1 bad; at least 20 needed on each side)",
    ]
    hot = lines.index("Hot spots (where the experience moves the outcome):")
    assert lines[hot + 1].startswith("  1. Kickoff call: renewal 75% after a good experience against 25%")
    assert lines[hot + 2] == ""


def test_a_purple_cow_quotes_only_delighted_customers(tmp_path: Path) -> None:
    rows = ["customer_id,timestamp,touchpoint,score,comment"]
    rows += [f"C{i},2026-01-0{i},QBR,10,Loved the review number {i}" for i in range(1, 6)]
    rows += ["C6,2026-01-08,QBR,7,Call rescheduled to Thursday", "C7,2026-01-09,QBR,9,"]
    rows += [f"D{i},2026-01-0{i},Import job,1,Import broke again {i}" for i in range(1, 6)]
    rows += ["D6,2026-01-09,Import job,5,Import scheduled"]
    ws, _ = workspace_with(tmp_path, "\n".join(rows) + "\n")
    found = analyze(ws, Request(thresholds={"min_events": 5}))
    assert [p.touchpoint for p in found.purple_cows] == ["qbr"]
    assert [p.touchpoint for p in found.problem_areas] == ["import-job"]
    prepared = prepare(connect(ws), None, ws.settings, Scope())
    quotes = {t: [q["comment"] for q in qs] for t, qs in evidence_for(prepared, found).items()}
    # newest first: the 7.0 reschedule (Jan 8) and the 5.0 "Import scheduled" (Jan 9) are passed over
    assert quotes == {
        "qbr": ["Loved the review number 5", "Loved the review number 4", "Loved the review number 3"],
        "import-job": ["Import broke again 5", "Import broke again 4", "Import broke again 3"],
    }


def test_a_segment_split_shows_in_the_terminal_with_too_few_marked(tmp_path: Path) -> None:
    rows = ["customer_id,timestamp,touchpoint,score,channel"]
    rows += [f"P{i},2026-01-01,Kickoff call,8,phone" for i in range(1, 21)]
    rows += ["V1,2026-01-01,Kickoff call,2,video"]
    ws, _ = workspace_with(tmp_path, "\n".join(rows) + "\n")
    lines = summary_lines(analyze(ws, Request(segment="channel")))
    at = lines.index("Touchpoints by channel:")
    assert lines[at + 1 : at + 3] == [
        "  Kickoff call \u00b7 phone: mean 8.0/10, 20 customers",
        "  Kickoff call \u00b7 video: mean 2.0/10, 1 customer (too few customers, under 20)",
    ]
