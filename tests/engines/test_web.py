"""The web app on a Spark workspace: the account and gate endpoints give DuckDB's answers, and asking again
runs no Spark job (answers come from the snapshot, or from memory until the store changes).

A real uvicorn server in this process, so that Spark's own job counter can be read: job ids only grow, so
the largest one before and after a request says whether the request ran a job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from cxmap.engines.spark import session
from cxmap.service import accounts as service
from cxmap.service.answers import answer_json
from cxmap.service.users import AuthStore
from cxmap.web.app import create_app
from cxmap.workspace import Workspace
from tests.engines.helpers import on_spark
from tests.engines.test_accounts import functional_workspace
from tests.web.throwaway import serving

pytestmark = pytest.mark.spark
END = "2026-03-31"


def last_job(conf: dict[str, Any]) -> int:
    ids = session(conf).sparkContext.statusTracker().getJobIdsForGroup(None)
    return max(ids, default=-1)


def duckdb_answer(ws: Workspace, as_of: str | None, ask: Any) -> Any:
    ctx = service.context(ws.using("duckdb"), None if as_of is None else date.fromisoformat(as_of), None)
    try:
        return json.loads(json.dumps(answer_json(ask(ctx)), default=str))
    finally:
        ctx.con.disconnect()


@pytest.fixture(scope="module")
def spark_ws(tmp_path_factory: pytest.TempPathFactory, spark_conf: dict[str, Any]) -> Workspace:
    ws = functional_workspace(tmp_path_factory.mktemp("web"), spark_conf)
    return on_spark(ws, spark_conf, engine="pyspark")


@pytest.fixture(scope="module")
def client(spark_ws: Workspace) -> Iterator[httpx.Client]:
    token = AuthStore(spark_ws.root).create_token("spark test", "viewer")
    with (
        serving(create_app(spark_ws.root)) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http,
    ):
        yield http


@pytest.mark.parametrize(
    ("path", "params", "as_of", "ask"),
    [
        ("/api/accounts", {}, None, service.accounts),
        ("/api/accounts/ACME", {}, None, lambda c: service.account(c, "ACME")),
        ("/api/gate/C1", {"action": "review"}, None, lambda c: service.gate_answer(c, "C1", "review")),
        ("/api/accounts/ACME", {"as_of": END}, END, lambda c: service.account(c, "ACME")),
        ("/api/gate/C1", {"action": "review", "as_of": END}, END, lambda c: service.gate_answer(c, "C1", "review")),
    ],
)
def test_answers_are_duckdbs_and_asking_again_runs_no_job(
    client: httpx.Client,
    spark_ws: Workspace,
    spark_conf: dict[str, Any],
    path: str,
    params: dict[str, str],
    as_of: str | None,
    ask: Any,
) -> None:
    first = client.get(path, params=params)
    assert first.status_code == 200, first.text
    assert first.json() == duckdb_answer(spark_ws, as_of, ask)
    before = last_job(spark_conf)
    again = client.get(path, params=params)
    assert last_job(spark_conf) == before, f"GET {path} {params} ran a Spark job the second time"
    assert again.json() == first.json()
    assert again.headers["X-Cxmap-Fresh-At"] == first.headers["X-Cxmap-Fresh-At"]
    assert again.headers["X-Cxmap-As-Of"] == first.headers["X-Cxmap-As-Of"]


def test_the_refusal_is_worked_out_on_spark(client: httpx.Client) -> None:
    """The hand-made case of tests/functional/test_accounts.py, answered through the API on Spark."""
    answer = client.get("/api/gate/C1", params={"action": "review", "as_of": END}).json()
    assert (answer["allowed"], answer["reasons"]) == (
        False,
        [
            "colleague C2 at ACME is at 2.0/10 (at or below 3; last scored 2026-03-10)",
            "ACME has an open service-recovery alert: C2 scored 2.0/10 at Support ticket on 2026-03-10, "
            "21 days without recovery",
        ],
    )


def test_a_load_through_the_api_is_served_fresh(client: httpx.Client, spark_ws: Workspace) -> None:
    """After POST /api/events the snapshot is computed again: C3 scores 1/10 and now sets ACME's experience."""
    before = client.get("/api/accounts/ACME")
    admin = AuthStore(spark_ws.root).create_token("spark admin", "admin")
    event = {"customer_id": "C3", "timestamp": "2026-04-02T10:00:00", "touchpoint": "Support ticket", "score": 1}
    posted = client.post("/api/events", json=event, headers={"Authorization": f"Bearer {admin}"})
    assert (posted.status_code, posted.json()["loaded"]) == (200, 1), posted.text
    after = client.get("/api/accounts/ACME")
    assert after.headers["X-Cxmap-Fresh-At"] > before.headers["X-Cxmap-Fresh-At"]
    assert after.headers["X-Cxmap-As-Of"] == "2026-04-02T10:00:00+00:00"
    assert after.json()["experience"] == 1.0
    assert after.json() == duckdb_answer(spark_ws, None, lambda c: service.account(c, "ACME"))


def test_findings_are_kept_and_a_map_edit_gives_new_answers(
    client: httpx.Client, spark_ws: Workspace, spark_conf: dict[str, Any]
) -> None:
    """Kept answers depend on the maps too: an edited milestone is answered again, not from memory."""
    findings = client.get("/api/findings", params={"map": "ops"})
    assert findings.status_code == 200, findings.text
    before = last_job(spark_conf)
    assert client.get("/api/findings", params={"map": "ops"}).json() == findings.json()
    assert last_job(spark_conf) == before
    params = {"map": "ops", "as_of": END}
    due_30 = {r["account_id"]: r["due"] for r in client.get("/api/milestones", params=params).json()}
    path = spark_ws.maps_dir / "ops.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("due_days: 30", "due_days: 60"), encoding="utf-8")
    try:
        due_60 = {r["account_id"]: r["due"] for r in client.get("/api/milestones", params=params).json()}
    finally:
        path.write_text(text, encoding="utf-8")
    assert due_30["ACME"] == "2026-01-31"
    assert due_60["ACME"] == "2026-03-02"
