"""The accounts side on DuckDB and on PySpark: accounts, account, customer, gating, alerts, milestones,
verification and progress, as of several moments, equal on both engines.

Three workspaces, each answered as of the moments their hand-made cases turn on:
- the B2B log of tests/functional/test_accounts.py (UTC): worst contact, the three policies, a colleague
  who blocks a review, alerts open on day 5, overdue only after 7 days, closed by a recovery;
- the B2B log of tests/unit/test_milestones.py (Europe/Amsterdam, times with an offset): milestones done at
  23:30 local on the due day, late at 00:30 the day after (still the due day in UTC), an account known only
  from its events, contacts with no account (NULL account_id);
- the log of test_analyze.py (Amsterdam, naive and zoned times, across the change to summer time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from cxmap.accounts.progress import map_progress, progress_table
from cxmap.service import accounts as service
from cxmap.workspace import Workspace, init_workspace
from tests.analytics_fixtures import load_csv
from tests.engines import test_analyze
from tests.engines.helpers import answer, on_each_engine, on_spark, same
from tests.functional import test_accounts as functional
from tests.unit import test_milestones

pytestmark = pytest.mark.spark

Task = Callable[[str], Any]


class Contexts:
    """One service context per engine and as-of day (the connection, events and members of the answers)."""

    def __init__(self, ws: Workspace, map_id: str | None) -> None:
        self.ws, self.map_id = ws, map_id
        self.made: dict[tuple[str, date | None], service.Context] = {}

    def __call__(self, engine: str, day: date | None) -> service.Context:
        if (engine, day) not in self.made:
            self.made[engine, day] = service.context(self.ws.using(engine), day, self.map_id)
        return self.made[engine, day]


def operating(ctx: Contexts, day: date | None) -> dict[str, Task]:
    """The answers for all accounts as of `day`: accounts, alerts, milestones, verify and progress."""
    label = day.isoformat() if day else "latest"
    return {
        f"accounts {label}": lambda e: service.accounts(ctx(e, day)),
        f"alerts {label}": lambda e: service.alerts(ctx(e, day)),
        f"milestones {label}": lambda e: service.milestone_list(ctx(e, day)),
        f"verify {label}": lambda e: service.verification_list(ctx(e, day)),
        f"progress {label}": lambda e: progress_rows(ctx(e, day)),
    }


def progress_rows(c: service.Context) -> list[dict[str, Any]]:
    assert c.map is not None
    table = progress_table(c.con, c.map, c.workspace.settings, c.as_of, c.prepared, c.members)
    return list(table.order_by("account_id").to_pyarrow().to_pylist())


def functional_workspace(tmp_path: Any, conf: dict[str, Any]) -> Workspace:
    # BETA's only scored contact is its champion, who weighs 0 here: no weighted experience (null, on every
    # engine: not NaN, not a division by zero)
    ws = on_spark(init_workspace(tmp_path / "ws"), conf, accounts={"role_weights": {"champion": 0, "admin": 2}})
    for kind, text in (("accounts", functional.ACCOUNTS), ("contacts", functional.CONTACTS)):
        load_csv(ws, tmp_path, text, kind)
    load_csv(ws, tmp_path, functional.EVENTS)
    (ws.maps_dir / "ops.yaml").write_text(functional.MAP, encoding="utf-8")
    return ws


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, spark_conf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    acme = Contexts(functional_workspace(tmp_path_factory.mktemp("acme"), spark_conf), "ops")
    _, b2b_ws, b2b_map = test_milestones.build_b2b(tmp_path_factory.mktemp("b2b"))
    b2b = Contexts(on_spark(b2b_ws, spark_conf), b2b_map.id)
    rich = Contexts(test_analyze.build(tmp_path_factory.mktemp("rich"), spark_conf)[0], "t")
    end, march, january, early = date(2026, 3, 31), test_milestones.AS_OF, date(2026, 1, 31), date(2026, 1, 8)

    def progress_of(**who: str) -> Task:
        def task(e: str) -> Any:
            c = b2b(e, march)
            return map_progress(c.con, b2b_map, c.workspace.settings, c.as_of, **who)

        return task

    tasks: dict[str, Task] = {
        "acme accounts": lambda e: service.accounts(acme(e, end)),
        "acme accounts mean": lambda e: service.accounts(acme(e, end), policy="mean"),
        "acme accounts weighted": lambda e: service.accounts(acme(e, end), policy="weighted"),
        "acme alerts day 5": lambda e: service.alerts(acme(e, date(2026, 3, 25))),
        "acme alerts day 7": lambda e: service.alerts(acme(e, date(2026, 3, 17))),
        "acme gate C1": lambda e: service.gate_answer(acme(e, end), "C1", "review"),
        "acme gate B2": lambda e: service.gate_answer(acme(e, end), "B2", "referral"),
        "acme customer C2": lambda e: service.customer(acme(e, end), "C2"),
        "b2b milestones": lambda e: service.milestone_list(b2b(e, march)),
        "b2b milestones 2026-01-31": lambda e: service.milestone_list(b2b(e, january)),
        "b2b verify": lambda e: service.verification_list(b2b(e, march)),
        "b2b progress": lambda e: progress_rows(b2b(e, march)),
        "b2b progress of C2": progress_of(customer_id="C2"),
        "b2b progress of C9": progress_of(customer_id="C9"),
        **{f"rich {name}": task for name, task in operating(rich, None).items()},
        "rich alerts 2026-01-08": lambda e: service.alerts(rich(e, early)),
        "rich account A1 2026-01-08": lambda e: service.account(rich(e, early), "A1"),
        "rich customer Q1": lambda e: service.customer(rich(e, None), "Q1"),
    }
    return on_each_engine(tasks)


ANSWERS = [
    "acme accounts",
    "acme accounts mean",
    "acme accounts weighted",
    "acme alerts day 5",
    "acme alerts day 7",
    "acme gate C1",
    "acme gate B2",
    "acme customer C2",
    "b2b milestones",
    "b2b milestones 2026-01-31",
    "b2b verify",
    "b2b progress",
    "b2b progress of C2",
    "b2b progress of C9",
    *(f"rich {k} latest" for k in ("accounts", "alerts", "milestones", "verify", "progress")),
    "rich alerts 2026-01-08",
    "rich account A1 2026-01-08",
    "rich customer Q1",
]


@pytest.mark.parametrize("name", ANSWERS)
def test_same_on_both_engines(results: dict[str, dict[str, Any]], name: str) -> None:
    same(results, name)


def test_the_answers_are_the_ones_worked_out_by_hand(results: dict[str, dict[str, Any]]) -> None:
    """Both engines agree, and with the answers of the functional and unit tests they come from."""
    for engine in ("duckdb", "pyspark"):
        worst = answer(results, engine, "acme accounts")
        assert [(r["account_id"], r["experience"], r["set_by"]) for r in worst][:2] == [
            ("DELTA", 1.0, "D4"),
            ("ACME", 2.0, "C2"),
        ]
        day5 = answer(results, engine, "acme alerts day 5")
        assert [(r["customer_id"], r["days_open"], r["overdue"]) for r in day5][-1] == ("D1", 5, False)
        milestones = [(r["account_id"], r["milestone"], r["status"]) for r in answer(results, engine, "b2b milestones")]
        assert ("A1", "checkin-30", "done") in milestones
        assert ("A2", "checkin-30", "late") in milestones
        assert answer(results, engine, "acme gate C1", "allowed") is False
        weighted = {r["account_id"]: r["experience"] for r in answer(results, engine, "acme accounts weighted")}
        assert (weighted["ACME"], weighted["BETA"]) == (2.0, None)
        alerts = {r["customer_id"]: r for r in answer(results, engine, "rich alerts 2026-01-08")}
        assert alerts["M2"]["overdue"] is True  # 7 days and half a second
        assert len(answer(results, engine, "rich account A1 2026-01-08", "alerts")) > 1
