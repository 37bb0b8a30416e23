"""Verification activities on the hand-made B2B workspace of test_milestones (its accounts, contacts and
events are worked out there); every answer below is counted by hand from that data.

As of 2026-03-01 the active accounts (an event by then, started by then) are A1-A5: A6 has no event yet.
Touchpoints had by then: A1 kickoff, check-in (C2, 01-31 23:30), demo; A2 kickoff, check-in (C3, 02-01),
demo; A3 website, demo (its check-in is on 03-05); A4 demo (also one of 2025-11-01), kickoff; A5 website,
kickoff (its demo is on 03-05). C8 and C9 belong to no account and count nowhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cxmap.accounts.base import resolve_as_of
from cxmap.accounts.milestones import milestone_status
from cxmap.accounts.verify import MANUAL, NO_OUTCOME, verify
from cxmap.accounts.verify_words import sentence
from cxmap.model import Map
from cxmap.model.schema import Measure, Verification
from cxmap.settings import Settings
from cxmap.workspace import Workspace
from tests.unit.test_milestones import AS_OF, build_b2b


@pytest.fixture(scope="module")
def b2b(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Workspace, Map]:
    return build_b2b(tmp_path_factory.mktemp("verify"))


def results(
    b2b: tuple[Any, Workspace, Map],
    day: date = AS_OF,
    the_map: Map | None = None,
    settings: Settings | None = None,
) -> dict[str, dict[str, Any]]:
    """The verify answer by verification id, for the fixture's map and settings unless others are given."""
    con, ws, fixture_map = b2b
    settings = settings or ws.settings
    got = verify(con, the_map or fixture_map, settings, resolve_as_of(con, settings, day))
    return {r["verification"]: r for r in got}


def with_outcome(b2b: tuple[Any, Workspace, Map], outcome: str, negative: str | None = None) -> Map:
    """The fixture's map with `measure: {outcome, outcome_negative}`."""
    return b2b[2].model_copy(update={"measure": Measure(outcome=outcome, outcome_negative=negative)})


def figures(got: dict[str, Any]) -> tuple[Any, ...]:
    return got["measured"], got["passed"], got["accounts"], got["failing_accounts"], got["reason"]


def test_milestone_verification_at_its_target_passes(b2b: Any) -> None:
    """Kickoff due by 03-01 for all five accounts: A1, A4, A5 done; A2 late, A3 overdue: 3/5 = 0.6 = target."""
    assert results(b2b)["kickoff-on-time"] == {
        "verification": "kickoff-on-time",
        "kind": "milestone",
        "measure": "on_time",
        "text": "Kickoff within a week",
        "measured": 0.6,
        "target": 0.6,
        "passed": True,
        "accounts": 5,
        "failing_accounts": ["A2", "A3"],
        "reason": None,
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
    assert figures(got) == (None, None, 0, [], "no account is due yet by 2026-01-05")


def test_experience_verification_of_a_step_uses_the_worst_contact(b2b: Any) -> None:
    """Demos in the 90 days before 03-01: A1 worst contact 7.5 passes, A2 worst 4 fails, A4 exactly 7 passes;
    A3's demo is unscored and A5's comes after the as-of day. 2/3 against 0.5."""
    assert results(b2b)["demo-good"] == {
        "verification": "demo-good",
        "kind": "experience",
        "measure": "satisfied",
        "text": "Demos feel good",
        "measured": pytest.approx(2 / 3),
        "target": 0.5,
        "passed": True,
        "accounts": 3,
        "failing_accounts": ["A2"],
        "reason": None,
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


def test_a_verification_naming_nothing_is_manual(b2b: Any) -> None:
    assert results(b2b)["by-hand"] == {
        "verification": "by-hand",
        "kind": "manual",
        "measure": "manual",
        "text": "Someone looks at it",
        "measured": None,
        "target": 1.0,
        "passed": None,
        "accounts": 0,
        "failing_accounts": [],
        "reason": "manual: this check is not recorded in the events",
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


def test_reached_counts_the_active_accounts_whose_contacts_had_it(b2b: Any) -> None:
    """Demo: A1-A4 had one by 03-01 (A3's is unscored: reached all the same); A5's comes on 03-05. 4/5.
    Website: only A3 (C4) and A5 (C6) visited it; C9's visit belongs to no account. 2/5 against 0.5."""
    got = results(b2b)
    assert (got["demo-reached"]["kind"], got["demo-reached"]["measure"]) == ("reach", "reached")
    assert figures(got["demo-reached"]) == (0.8, True, 5, ["A5"], None)
    assert figures(got["website-reached"]) == (0.4, False, 5, ["A1", "A2", "A4"], None)


def test_reached_leaves_out_accounts_that_have_not_started(b2b: Any) -> None:
    """As of 01-25, A4 (started 01-30) is not active, though its contact had a demo on 2025-11-01: the
    active accounts are A1, A2, A3, A5; none has had a demo yet, and A3 and A5 have had the website."""
    got = results(b2b, date(2026, 1, 25))
    assert figures(got["demo-reached"]) == (0.0, False, 4, ["A1", "A2", "A3", "A5"], None)
    assert figures(got["website-reached"]) == (0.5, True, 4, ["A1", "A2"], None)


def test_outcome_counts_an_account_when_any_contact_had_it(b2b: Any) -> None:
    """Outcome check-in, no opposite: every active account is decided. A1 (C2 on 01-31) and A2 (C3, though
    C7 never checked in) have it; A3's comes on 03-05, after the as-of day; A4 and A5 have none. 2/5."""
    got = results(b2b, the_map=with_outcome(b2b, "checkin"))["checked-in"]
    assert (got["kind"], got["measure"]) == ("outcome", "outcome")
    assert figures(got) == (0.4, False, 5, ["A3", "A4", "A5"], None)


def test_outcome_negative_leaves_the_undecided_out(b2b: Any) -> None:
    """Against the website: A3 and A5 visited it without checking in (lost), A4 did neither (undecided, out).
    2 of the 4 decided."""
    got = results(b2b, the_map=with_outcome(b2b, "checkin", "website"))["checked-in"]
    assert figures(got) == (0.5, True, 4, ["A3", "A5"], None)


def test_an_account_with_the_outcome_and_its_opposite_has_the_outcome(b2b: Any) -> None:
    """Demo against the website: A3 had both (won); A1, A2, A4 a demo; A5 only the website by 03-01. 4/5."""
    got = results(b2b, the_map=with_outcome(b2b, "demo", "website"))["checked-in"]
    assert figures(got) == (0.8, True, 5, ["A5"], None)


def test_the_outcome_of_cxmap_yaml_when_the_map_sets_none(b2b: Any) -> None:
    settings = b2b[1].settings
    configured = settings.model_copy(update={"measure": settings.measure.model_copy(update={"outcome": "checkin"})})
    assert figures(results(b2b, settings=configured)["checked-in"]) == (0.4, False, 5, ["A3", "A4", "A5"], None)


def test_no_outcome_anywhere_is_not_measured_and_says_how_to_set_one(b2b: Any) -> None:
    got = results(b2b)["checked-in"]
    assert figures(got) == (None, None, 0, [], "no outcome is set: add measure: {outcome: ...} to the map")
    unknown = results(b2b, the_map=with_outcome(b2b, "renewal"))["checked-in"]
    assert unknown["reason"] == "the outcome 'renewal' is not a touchpoint of the map or the data"
    no_opposite = results(b2b, the_map=with_outcome(b2b, "checkin", "churn-notice"))["checked-in"]
    assert no_opposite["reason"] == "the outcome's opposite 'churn-notice' is not a touchpoint of the map or the data"


def test_every_entry_not_measured_says_why(b2b: Any) -> None:
    """As of 2025-11-02 only C5's demo (a 2) has happened: A4 is scored, but it starts on 01-30, so no account
    is active or due. A verification built without the loader that lacks what its measure needs says so."""
    the_map = b2b[2]
    odd = Verification(id="odd", text="Odd", step="sees-demo", measure="on_time", target=0.5)
    got = results(b2b, date(2025, 11, 2), the_map.model_copy(update={"verifications": [*the_map.verifications, odd]}))
    assert {k: r["reason"] for k, r in got.items()} == {
        "kickoff-on-time": "no account is due yet by 2025-11-02",
        "checkin-on-time": "no account is due yet by 2025-11-02",
        "demo-good": None,
        "checkin-felt": "no account scored at Check-in call in the 90 days to 2025-11-02",
        "by-hand": MANUAL,
        "demo-reached": "no account was active (started, with an event) by 2025-11-02",
        "website-reached": "no account was active (started, with an event) by 2025-11-02",
        "checked-in": NO_OUTCOME,
        "odd": "on_time needs a milestone; the verification names none",
    }
    assert figures(got["demo-good"]) == (0.0, False, 1, ["A4"], None)
    assert all((r["measured"] is None) == bool(r["reason"]) for r in got.values())
    negative = with_outcome(b2b, "checkin", "qbr")
    assert results(b2b, date(2025, 11, 2), negative)["checked-in"]["reason"] == (
        "no account had Check-in call or Business review by 2025-11-02"
    )


def test_the_words_say_what_each_figure_counts(b2b: Any) -> None:
    _, ws, the_map = b2b
    decided = with_outcome(b2b, "checkin", "website")
    got = {**results(b2b), "checked-in": results(b2b, the_map=decided)["checked-in"]}
    said = {k: sentence(r, decided, ws.settings) for k, r in got.items()}
    assert said == {
        "kickoff-on-time": "60% of the 5 accounts due had Kickoff call on time",
        "checkin-on-time": "25% of the 4 accounts due had Check-in call on time",
        "demo-good": "67% of the 3 accounts scored at Demo were satisfied",
        "checkin-felt": "50% of the 2 accounts scored at Check-in call were satisfied",
        "by-hand": "not measured: manual: this check is not recorded in the events",
        "demo-reached": "80% of the 5 active accounts had Demo",
        "website-reached": "40% of the 5 active accounts had Website",
        "checked-in": "50% of the 4 decided accounts reached Check-in call",
    }
    alone = results(b2b, date(2025, 11, 2))["demo-good"]
    assert sentence(alone, the_map, ws.settings) == "0% of the 1 account scored at Demo was satisfied"
    every = with_outcome(b2b, "checkin")  # no opposite: every active account counts, none is "decided"
    assert sentence(results(b2b, the_map=every)["checked-in"], every, ws.settings) == (
        "40% of the 5 accounts reached Check-in call"
    )
