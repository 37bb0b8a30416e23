"""Ideal-map progress on the hand-made B2B workspace of test_milestones (answers worked out there).

Steps in map order: visits (website), sees-demo, kicks-off, checks-in, reviews (qbr). As of 2026-03-01:
- A1: demo, kickoff, check-in (C1 and C2): last checks-in, next step reviews; both milestones done.
- A2: kickoff, check-in, demo: the same steps; milestones late (happened), so none is next.
- A3: website and an unscored demo (its check-in is after the as-of day): last sees-demo; next kickoff-7,
  overdue since 01-08 (earliest due).
- A4: demo, kickoff: last kicks-off; next checkin-30, upcoming on 03-01.
- A5: website, kickoff (its demo is after the as-of day): last kicks-off; next checkin-30, overdue.
- A6, in the accounts file only: nothing done; next kickoff-7, upcoming on 03-04.
- C9, no account: website 02-01, demo 02-02; on their own, started 02-01 local: kickoff-7 overdue 02-08.
- C8, in the contacts file without an account, added 02-20, a website visit 02-25: kickoff-7 due 02-27.
"""

from __future__ import annotations

from typing import Any

import pytest

from cxmap.accounts.base import resolve_as_of
from cxmap.accounts.progress import map_progress, progress_table
from cxmap.errors import CxmapError, UsageError
from cxmap.model import Map
from cxmap.workspace import Workspace
from tests.unit.test_milestones import AS_OF, build_b2b


@pytest.fixture(scope="module")
def b2b(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Workspace, Map]:
    return build_b2b(tmp_path_factory.mktemp("progress"))


def progress(b2b: tuple[Any, Workspace, Map], **who: str) -> dict[str, Any]:
    con, ws, the_map = b2b
    return map_progress(con, the_map, ws.settings, resolve_as_of(con, ws.settings, AS_OF), **who)


def test_an_account_with_every_milestone_done(b2b: Any) -> None:
    assert progress(b2b, account_id="A1") == {
        "account_id": "A1",
        "customer_id": None,
        "last_step": "checks-in",
        "steps_done": ["sees-demo", "kicks-off", "checks-in"],
        "next": None,
        "next_step": {"id": "reviews", "action": "Reviews the value"},
    }


def test_the_next_planned_engagement_is_the_earliest_not_happened(b2b: Any) -> None:
    a3 = progress(b2b, account_id="A3")
    assert (a3["last_step"], a3["steps_done"]) == ("sees-demo", ["visits", "sees-demo"])
    assert a3["next"] == {"milestone": "kickoff-7", "touchpoint": "kickoff", "due": "2026-01-08", "status": "overdue"}
    assert a3["next_step"] == {"id": "kicks-off", "action": "Joins the kickoff"}
    a4 = progress(b2b, account_id="A4")
    assert a4["next"] == {"milestone": "checkin-30", "touchpoint": "checkin", "due": "2026-03-01", "status": "upcoming"}
    assert progress(b2b, account_id="A2")["next"] is None  # late milestones have happened


def test_an_account_without_contacts_or_events_starts_at_the_beginning(b2b: Any) -> None:
    assert progress(b2b, account_id="A6") == {
        "account_id": "A6",
        "customer_id": None,
        "last_step": None,
        "steps_done": [],
        "next": {"milestone": "kickoff-7", "touchpoint": "kickoff", "due": "2026-03-04", "status": "upcoming"},
        "next_step": {"id": "visits", "action": "Visits the website"},
    }


def test_a_customer_of_an_account_gets_their_own_steps_and_the_accounts_milestones(b2b: Any) -> None:
    c4 = progress(b2b, customer_id="C4")
    assert (c4["account_id"], c4["customer_id"], c4["steps_done"]) == ("A3", "C4", ["visits", "sees-demo"])
    assert c4["next"] == {"milestone": "kickoff-7", "touchpoint": "kickoff", "due": "2026-01-08", "status": "overdue"}
    c2 = progress(b2b, customer_id="C2")  # C2 never joined the kickoff; C1 did, for A1
    assert (c2["steps_done"], c2["last_step"], c2["next"]) == (["sees-demo", "checks-in"], "checks-in", None)


def test_a_customer_without_an_account_is_their_own(b2b: Any) -> None:
    assert progress(b2b, customer_id="C9") == {
        "account_id": None,
        "customer_id": "C9",
        "last_step": "sees-demo",
        "steps_done": ["visits", "sees-demo"],
        "next": {"milestone": "kickoff-7", "touchpoint": "kickoff", "due": "2026-02-08", "status": "overdue"},
        "next_step": {"id": "kicks-off", "action": "Joins the kickoff"},
    }


def test_a_contact_without_an_account_starts_when_added(b2b: Any) -> None:
    c8 = progress(b2b, customer_id="C8")
    assert (c8["account_id"], c8["last_step"]) == (None, "visits")
    assert c8["next"] == {"milestone": "kickoff-7", "touchpoint": "kickoff", "due": "2026-02-27", "status": "overdue"}


def test_unknown_or_ambiguous_asks(b2b: Any) -> None:
    with pytest.raises(CxmapError, match="no account 'A9'"):
        progress(b2b, account_id="A9")
    with pytest.raises(CxmapError, match="no customer 'C99'"):
        progress(b2b, customer_id="C99")
    with pytest.raises(UsageError):
        progress(b2b, account_id="A1", customer_id="C1")


def test_the_table_of_every_account(b2b: Any) -> None:
    con, ws, the_map = b2b
    table = progress_table(con, the_map, ws.settings, resolve_as_of(con, ws.settings, AS_OF))
    rows = table.order_by("account_id").to_pyarrow().to_pylist()
    got = [(r["account_id"], r["last_step"], r["steps_done"], r["next_milestone"], r["next_status"]) for r in rows]
    assert got == [
        ("A1", "checks-in", 3, None, None),
        ("A2", "checks-in", 3, None, None),
        ("A3", "sees-demo", 2, "kickoff-7", "overdue"),
        ("A4", "kicks-off", 2, "checkin-30", "upcoming"),
        ("A5", "kicks-off", 2, "checkin-30", "overdue"),
        ("A6", None, 0, "kickoff-7", "upcoming"),
    ]
    assert {r["account_id"]: r["next_due"].isoformat() for r in rows if r["next_due"]} == {
        "A3": "2026-01-08",
        "A4": "2026-03-01",
        "A5": "2026-02-10",
        "A6": "2026-03-04",
    }
