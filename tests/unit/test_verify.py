"""Verification activities on the hand-made B2B workspace of test_milestones (answers worked out there)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cxmap.accounts.base import resolve_as_of
from cxmap.accounts.milestones import milestone_status
from cxmap.accounts.verify import verify
from cxmap.model import Map
from cxmap.workspace import Workspace
from tests.unit.test_milestones import AS_OF, build_b2b


@pytest.fixture(scope="module")
def b2b(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Workspace, Map]:
    return build_b2b(tmp_path_factory.mktemp("verify"))


def results(b2b: tuple[Any, Workspace, Map], day: date = AS_OF) -> dict[str, dict[str, Any]]:
    con, ws, the_map = b2b
    return {r["verification"]: r for r in verify(con, the_map, ws.settings, resolve_as_of(con, ws.settings, day))}


def test_milestone_verification_at_its_target_passes(b2b: Any) -> None:
    """Kickoff due by 03-01 for all five accounts: A1, A4, A5 done; A2 late, A3 overdue: 3/5 = 0.6 = target."""
    assert results(b2b)["kickoff-on-time"] == {
        "verification": "kickoff-on-time",
        "kind": "milestone",
        "text": "Kickoff within a week",
        "measured": 0.6,
        "target": 0.6,
        "passed": True,
        "accounts": 5,
        "failing_accounts": ["A2", "A3"],
    }


def test_milestone_verification_leaves_out_what_is_due_today_and_not_done_yet(b2b: Any) -> None:
    """Check-in: A1 done, A2 late, A3 and A5 overdue; A4 is due on the as-of day itself, not done yet: it
    still has the day, so it is neither in the share nor failing. 1/4."""
    got = results(b2b)["checkin-on-time"]
    assert (got["measured"], got["passed"], got["accounts"], got["failing_accounts"]) == (
        0.25,
        False,
        4,
        ["A2", "A3", "A5"],
    )


def test_due_today_and_done_counts(b2b: Any) -> None:
    """As of 01-31: A1, A2, A3 are due that day; only A1 is done (23:30 local), the others still have the day."""
    got = results(b2b, date(2026, 1, 31))["checkin-on-time"]
    assert (got["measured"], got["passed"], got["accounts"], got["failing_accounts"]) == (1.0, True, 1, [])


def test_nothing_due_yet_is_measured_as_null(b2b: Any) -> None:
    got = results(b2b, date(2026, 1, 5))["kickoff-on-time"]
    assert (got["measured"], got["passed"], got["accounts"], got["failing_accounts"]) == (None, None, 0, [])


def test_experience_verification_of_a_step_uses_the_worst_contact(b2b: Any) -> None:
    """Demos in the 90 days before 03-01: A1 worst contact 7.5 passes, A2 worst 4 fails, A4 exactly 7 passes;
    A3's demo is unscored and A5's comes after the as-of day. 2/3 against 0.5."""
    assert results(b2b)["demo-good"] == {
        "verification": "demo-good",
        "kind": "experience",
        "text": "Demos feel good",
        "measured": pytest.approx(2 / 3),
        "target": 0.5,
        "passed": True,
        "accounts": 3,
        "failing_accounts": ["A2"],
    }


def test_experience_verification_of_a_touchpoint(b2b: Any) -> None:
    """Check-in scores: A1 (C2) 9 passes, A2 (C3) 5 fails; A3's scored call is after the as-of day. 1/2 < 0.9."""
    got = results(b2b)["checkin-felt"]
    assert (got["kind"], got["measured"], got["passed"], got["accounts"], got["failing_accounts"]) == (
        "experience",
        0.5,
        False,
        2,
        ["A2"],
    )


def test_the_window_is_the_last_90_days(b2b: Any) -> None:
    """As of 2026-01-25, 90 days back reaches 2025-10-27: A4's demo of 2025-11-01 (a 2) now counts, alone."""
    got = results(b2b, date(2026, 1, 25))["demo-good"]
    assert (got["measured"], got["passed"], got["accounts"], got["failing_accounts"]) == (0.0, False, 1, ["A4"])


def test_a_verification_without_a_measure_is_manual(b2b: Any) -> None:
    assert results(b2b)["by-hand"] == {
        "verification": "by-hand",
        "kind": "manual",
        "text": "Someone looks at it",
        "measured": None,
        "target": 1.0,
        "passed": None,
        "accounts": 0,
        "failing_accounts": [],
    }


def test_map_order_and_a_given_status_table(b2b: Any) -> None:
    con, ws, the_map = b2b
    as_of = resolve_as_of(con, ws.settings, AS_OF)
    statuses = milestone_status(con, the_map, ws.settings, as_of)
    got = verify(con, the_map, ws.settings, as_of, statuses=statuses)
    assert [r["verification"] for r in got] == [v.id for v in the_map.verifications]
    assert got == list(results(b2b).values())


def test_a_map_without_verifications_has_none(b2b: Any) -> None:
    con, ws, the_map = b2b
    bare = the_map.model_copy(update={"verifications": []})
    assert verify(con, bare, ws.settings, resolve_as_of(con, ws.settings, AS_OF)) == []
