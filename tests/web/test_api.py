"""The JSON API end to end on a live server: the services' bodies (the CLI's --json), headers, roles,
errors in one shape, and loading events as `cxmap ingest` does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxmap.analytics.analyze import Request, analyze
from cxmap.model import load_map
from cxmap.service import accounts as service
from cxmap.service import answers
from cxmap.service.answers import answer_json
from cxmap.service.snapshot import build
from cxmap.workspace import open_workspace
from tests.web.conftest import ROOT, Server
from tests.web.throwaway import served_copy

AS_OF = "2025-06-30"  # half a year before the data ends
READS = [
    "/api/maps",
    "/api/maps/b2b-onboarding",
    "/api/findings",
    "/api/accounts",
    "/api/accounts/A-00001",
    "/api/customers/C-000001",
    "/api/gate/C-000001",
    "/api/alerts",
    "/api/milestones?map=b2b-onboarding",
    "/api/verify?map=b2b-onboarding",
    "/api/status",
    "/api/quarantine",
]


def client(url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=120)


@contextmanager
def context(root: Path, as_of: str | None = None, map_id: str | None = None) -> Iterator[service.Context]:
    """The services' context, closed afterwards (an open reader would keep the server from loading)."""
    ctx = service.context(root, date.fromisoformat(as_of) if as_of else None, map_id)
    try:
        yield ctx
    finally:
        ctx.con.disconnect()


def plain(value: Any) -> Any:
    return json.loads(json.dumps(answer_json(value)))


def same(got: Any, expected: Any) -> bool:
    """Equal, floats to 1e-9 (the engine adds in parallel, so the last digit of a mean may differ)."""
    if isinstance(got, float) and isinstance(expected, float):
        return got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(same(a, b) for a, b in zip(got, expected, strict=True))
    return bool(got == expected)


def by_customer(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(alerts, key=lambda a: (a["customer_id"], a["at"]))


def fresh_at(response: httpx.Response) -> datetime:
    return datetime.fromisoformat(response.headers["X-Cxmap-Fresh-At"])


@pytest.fixture(scope="module")
def viewer(server: Server) -> Iterator[httpx.Client]:
    with client(server.url, server.token_viewer) as c:
        yield c


def test_anonymous_reads_nothing_and_loads_nothing(server: Server) -> None:
    with client(server.url) as anon:
        for path in READS:
            response = anon.get(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "unauthorized", path
        posted = anon.post("/api/events", json={"customer_id": "x", "timestamp": "2026-01-01", "touchpoint": "y"})
        assert posted.status_code == 401


def test_only_an_admin_loads_events(server: Server, viewer: httpx.Client) -> None:
    before = viewer.get("/api/status").json()
    event = {"customer_id": "C-NEW", "timestamp": "2026-07-20T10:00:00Z", "touchpoint": "Kickoff call", "score": 9}
    refused = [viewer.post("/api/events", json=event)]
    for user in ("vera", "eddie"):
        refused.append(server.client(user).post("/api/events", json=event))
    for response in refused:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert "admin" in response.json()["error"]["message"]
    assert viewer.get("/api/status").json() == before


def test_accounts_are_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace) as ctx:
        expected, moment = service.accounts(ctx), ctx.as_of.iso()
        worst = service.accounts(ctx, 5)
        by_mean = service.accounts(ctx, None, "mean")
    with context(server.workspace, AS_OF) as ctx:
        earlier, earlier_moment = service.accounts(ctx), ctx.as_of.iso()
    response = viewer.get("/api/accounts")
    assert response.status_code == 200
    assert response.json() == plain(expected)
    assert response.headers["X-Cxmap-As-Of"] == moment == "2025-12-31T19:46:45+00:00"
    assert fresh_at(response) <= datetime.now(fresh_at(response).tzinfo)
    assert set(response.json()[0]) >= {"account_id", "experience", "set_by", "contacts", "open_alerts", "policy"}
    assert viewer.get("/api/accounts", params={"worst": 5}).json() == plain(worst)
    assert viewer.get("/api/accounts", params={"policy": "mean"}).json() == plain(by_mean)
    dated = viewer.get("/api/accounts", params={"as_of": AS_OF})
    assert dated.json() == plain(earlier)
    assert dated.headers["X-Cxmap-As-Of"] == earlier_moment == "2025-06-30T23:59:59.999999+00:00"
    assert "X-Cxmap-Fresh-At" not in dated.headers  # computed for the request, not from the snapshot


def test_account_is_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace) as ctx:
        alerted = service.alerts(ctx)[0].account_id
        ids = [*[a.account_id for a in service.accounts(ctx)][:3], "A-00002", "A-00100", alerted]
        expected = {i: plain(service.account(ctx, i)) for i in ids}
    for account_id, body in expected.items():
        response = viewer.get(f"/api/accounts/{account_id}")
        assert response.status_code == 200
        got = response.json()
        got["alerts"], body["alerts"] = by_customer(got["alerts"]), by_customer(body["alerts"])
        assert got == body, account_id
        assert response.headers["X-Cxmap-As-Of"] == body["as_of"]
        assert "X-Cxmap-Fresh-At" in response.headers
        answers.AccountDetail.model_validate(got)
    worst = expected[ids[0]]
    assert worst["experience"] == 4.0
    assert expected[alerted]["alerts"]
    assert not any(c["gate"]["allowed"] for c in expected[alerted]["contacts"])  # an open alert refuses asks
    assert set(worst["events"][0]) >= {"customer_id", "at", "touchpoint", "touchpoint_name", "emotion", "comment"}


def test_account_as_of_and_with_a_map(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace, AS_OF) as ctx:
        earlier = plain(service.account(ctx, "A-00002"))
    with context(server.workspace, None, "b2b-onboarding") as ctx:
        planned = plain(service.account(ctx, "A-00002"))
    dated = viewer.get("/api/accounts/A-00002", params={"as_of": AS_OF})
    assert dated.json() == earlier
    assert dated.headers["X-Cxmap-As-Of"] == earlier["as_of"]
    mapped = viewer.get("/api/accounts/A-00002", params={"map": "b2b-onboarding"}).json()
    assert mapped == planned
    assert mapped["map"] == "b2b-onboarding"
    assert {m["milestone"] for m in mapped["milestones"]}
    assert set(mapped["progress"]) >= {"last_step", "next", "next_step"}


def test_customer_is_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace) as ctx:
        expected = plain(service.customer(ctx, "C-000005"))
    with context(server.workspace, AS_OF, "b2b-onboarding") as ctx:
        planned = plain(service.customer(ctx, "C-000005"))
    response = viewer.get("/api/customers/C-000005")
    assert response.json() == expected
    assert response.headers["X-Cxmap-As-Of"] == expected["as_of"]
    answers.CustomerDetail.model_validate(response.json())
    mapped = viewer.get("/api/customers/C-000005", params={"map": "b2b-onboarding", "as_of": AS_OF})
    assert mapped.json() == planned
    assert "progress" in planned


def test_gate_is_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    """The snapshot works gating out in memory: it gives the service's answer, word for word."""
    ws = open_workspace(server.workspace)
    with context(server.workspace) as ctx:
        worst = [a.account_id for a in service.accounts(ctx)][:8]
        members = ctx.members.filter(ctx.members.account_id.isin(worst)).to_pyarrow().to_pylist()
        contacts = [*sorted({m["customer_id"] for m in members}), "C-000001", "C-000002", "C-000003"]
        actions = list(ws.settings.accounts.gates)
        expected = {(c, a): plain(service.gate_answer(ctx, c, a)) for c in contacts for a in actions[:2]}
    assert any(not e["allowed"] and len(e["reasons"]) >= 2 for e in expected.values())
    assert any(e["allowed"] for e in expected.values()) or all(e["reasons"] for e in expected.values())
    for (customer_id, action), body in expected.items():
        response = viewer.get(f"/api/gate/{customer_id}", params={"action": action})
        assert response.json() == body, (customer_id, action)
    default = viewer.get(f"/api/gate/{contacts[0]}")
    assert default.json() == expected[(contacts[0], "review")]
    assert default.headers["X-Cxmap-As-Of"] == "2025-12-31T19:46:45+00:00"
    assert "X-Cxmap-Fresh-At" in default.headers


def test_gate_as_of_and_bad_actions(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace, AS_OF) as ctx:
        expected = plain(service.gate_answer(ctx, "C-000002", "referral"))
    dated = viewer.get("/api/gate/C-000002", params={"action": "referral", "as_of": AS_OF})
    assert dated.json() == expected
    assert dated.headers["X-Cxmap-As-Of"] == expected["as_of"]
    bad = viewer.get("/api/gate/C-000002", params={"action": "bribe"})
    assert bad.status_code == 422
    detail = bad.json()["error"]["details"][0]
    assert detail["loc"] == ["query", "action"]
    assert detail["message"] == "unknown action 'bribe'; use one of: review, referral, case-study, upsell"
    unknown = viewer.get("/api/gate/C-NOBODY")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == {
        "code": "not_found",
        "message": "no contact 'C-NOBODY' in the workspace (not in the contacts file or the events)",
        "details": [],
    }


def test_every_gating_answer_of_the_snapshot_is_the_services(server: Server) -> None:
    """Every tenth contact of the workspace and every action, in memory (the service takes ~0.1 s an answer)."""
    ws = open_workspace(server.workspace)
    snap = build(ws)
    with context(server.workspace) as ctx:
        people = ctx.members.to_pyarrow().to_pylist()
        some = sorted({p["customer_id"] for p in people})[::10]
        for customer_id in some:
            for action in ws.settings.accounts.gates:
                assert snap.gate(customer_id, action) == answer_json(service.gate_answer(ctx, customer_id, action))
    assert len(some) == 42


def test_alerts_are_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace) as ctx:
        now = plain(service.alerts(ctx))
    with context(server.workspace, AS_OF) as ctx:
        earlier = plain(service.alerts(ctx))
    response = viewer.get("/api/alerts")
    assert response.json() == now
    assert len(now) == 12  # the seed-21 book's open alerts at its end, oldest first
    assert [(a["customer_id"], a["days_open"], a["overdue"]) for a in now][:2] == [
        ("C-000204", 88, True),
        ("C-000410", 87, True),
    ]
    assert "X-Cxmap-Fresh-At" in response.headers
    dated = viewer.get("/api/alerts", params={"as_of": AS_OF})
    assert dated.json() == earlier
    assert len(earlier) > 1
    for alert in earlier:
        answers.Alert.model_validate(alert)


def test_milestones_and_verify_are_the_services_answer(server: Server, viewer: httpx.Client) -> None:
    with context(server.workspace, AS_OF, "b2b-onboarding") as ctx:
        overdue = plain(service.milestone_list(ctx, "overdue"))
        every = plain(service.milestone_list(ctx))
        checks = plain(service.verification_list(ctx))
    query = {"map": "b2b-onboarding", "as_of": AS_OF}
    response = viewer.get("/api/milestones", params={**query, "status": "overdue"})
    assert response.json() == overdue
    assert overdue
    assert {m["status"] for m in overdue} == {"overdue"}
    assert response.headers["X-Cxmap-As-Of"] == "2025-06-30T23:59:59.999999+00:00"
    assert viewer.get("/api/milestones", params=query).json() == every
    assert viewer.get("/api/verify", params=query).json() == checks
    assert set(checks[0]) >= {"verification", "kind", "measured", "target", "passed", "failing_accounts"}
    wrong = viewer.get("/api/milestones", params={"map": "b2b-onboarding", "status": "lost"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["loc"] == ["query", "status"]
    which = viewer.get("/api/milestones")
    assert which.status_code == 422
    assert "b2b-onboarding, car-service-visit, library-membership" in which.json()["error"]["details"][0]["message"]
    nowhere = viewer.get("/api/verify", params={"map": "../../etc/passwd.yaml"})
    assert nowhere.status_code == 422
    assert nowhere.json()["error"]["details"][0]["message"].startswith("no map '../../etc/passwd.yaml'")


def test_maps_and_findings(server: Server, viewer: httpx.Client) -> None:
    listed = viewer.get("/api/maps").json()
    assert {m["id"] for m in listed} == {"b2b-onboarding", "car-service-visit", "library-membership"}
    one = viewer.get("/api/maps/b2b-onboarding")
    assert one.json() == load_map(ROOT / "examples" / "maps" / "b2b-onboarding.yaml").model_dump(mode="json")
    missing = viewer.get("/api/maps/no-such-map")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    found = viewer.get("/api/findings", params={"map": "b2b-onboarding", "outcome": "renewal"})
    the_map = load_map(ROOT / "examples" / "maps" / "b2b-onboarding.yaml")
    expected = analyze(server.workspace, Request(the_map, "renewal")).model_dump(mode="json")
    assert same(found.json(), expected)
    assert found.json()["outcome"] == "renewal"
    assert "moments_of_truth_unconfirmed" in expected
    bad = viewer.get("/api/findings", params={"outcome": "no-such-touchpoint"})
    assert bad.status_code == 422
    assert "no touchpoint 'no-such-touchpoint'" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/accounts?as_of=yesterday", ["query", "as_of"]),
        ("/api/accounts?as_of=9999-12-31", ["query", "as_of"]),
        ("/api/accounts?worst=0", ["query", "worst"]),
        ("/api/accounts?policy=best", ["query", "policy"]),
        ("/api/alerts?as_of=2026-02-30", ["query", "as_of"]),
        ("/api/findings?period=day", ["query", "period"]),
        ("/api/quarantine?limit=0", ["query", "limit"]),
    ],
)
def test_bad_parameters_are_422_in_one_shape(viewer: httpx.Client, path: str, where: list[str]) -> None:
    response = viewer.get(path)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("invalid_request", "the request is not valid")
    assert error["details"][0]["loc"] == where


def test_the_schema_documents_every_endpoint(server: Server) -> None:
    assert httpx.get(f"{server.url}/api/openapi.json").status_code == 401  # anonymous: nothing, as the API
    schema = httpx.get(
        f"{server.url}/api/openapi.json", headers={"Authorization": f"Bearer {server.token_viewer}"}
    ).json()
    assert set(schema["paths"]) == {
        "/api/maps",
        "/api/maps/{map_id}",
        "/api/findings",
        "/api/accounts",
        "/api/accounts/{account_id}",
        "/api/customers/{customer_id}",
        "/api/gate/{customer_id}",
        "/api/alerts",
        "/api/milestones",
        "/api/verify",
        "/api/status",
        "/api/quarantine",
        "/api/events",
    }
    post = schema["paths"]["/api/events"]["post"]
    assert "oneOf" in post["requestBody"]["content"]["application/json"]["schema"]
    assert {"401", "403", "422"} <= set(post["responses"])


# Loading events: on a copy of the workspace, served by a second server.


@pytest.fixture(scope="module")
def loadable(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    with (
        served_copy(server.workspace, tmp_path_factory.mktemp("api-load"), body_limit=20_000) as (url, root),
        client(url, server.token_admin) as admin,
    ):
        yield admin, root


def counts(admin: httpx.Client) -> tuple[int, int, int]:
    info = admin.get("/api/status").json()
    return info["events"], info["quarantined"], len(info["loads"])


def test_a_batch_loads_its_good_events_and_quarantines_the_bad_one(loadable: tuple[httpx.Client, Path]) -> None:
    admin, _ = loadable
    batch = [
        {"customer_id": "C-API-1", "timestamp": "2026-07-20T09:00:00Z", "touchpoint": "Kickoff call", "score": 4},
        {"customer_id": "C-API-1", "timestamp": "the day after", "touchpoint": "Import job", "score": 2},
        {"customer_id": "C-API-2", "timestamp": "2026-07-21T09:00:00Z", "touchpoint": "QBR", "comment": "Superb"},
        7,
    ]
    events, quarantined, loads = counts(admin)
    first = admin.post("/api/events", json=batch)
    assert first.status_code == 200
    body = first.json()
    assert (body["loaded"], body["duplicates"], body["quarantined"], body["rows_read"]) == (2, 0, 2, 4)
    assert [(q["line"], q["reason"]) for q in body["quarantine"]] == [
        (2, "timestamp 'the day after' is not a date or time"),
        (4, "broken line: not a JSON object"),
    ]
    assert body["sources"] == ["the batch"]
    assert {q["file"] for q in body["quarantine"]} == {"the batch"}
    assert ".cxmap" not in first.text  # the server's own file paths stay on the server
    assert counts(admin) == (events + 2, quarantined + 2, loads + 1)
    again = admin.post("/api/events", json=batch).json()
    assert (again["loaded"], again["duplicates"]) == (0, 2)
    assert counts(admin) == (events + 2, quarantined + 2, loads + 2)  # nothing loaded, nothing new quarantined
    one = admin.post("/api/events", params={"scale": "1-5"}, json={**batch[0], "timestamp": "2026-07-22T09:00:00"})
    assert one.json()["loaded"] == 1


def test_bad_bodies_change_nothing(loadable: tuple[httpx.Client, Path]) -> None:
    admin, _ = loadable
    before = counts(admin)
    good = {"customer_id": "C-API-9", "timestamp": "2026-07-23T09:00:00Z", "touchpoint": "QBR", "score": 9}
    too_big = admin.post("/api/events", json=[{**good, "comment": "x" * 100} for _ in range(200)])
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "too_large"
    streamed = admin.post(
        "/api/events",
        content=iter([json.dumps([good] * 150).encode()] * 2),  # no Content-Length: counted as it arrives
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    for raw in (b"{not json", b"[]", b"42", b'"an event"', b"\xff\xfe"):
        response = admin.post("/api/events", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, raw
        assert response.json()["error"]["details"][0]["loc"] == ["body"]
    plain_text = admin.post("/api/events", content=json.dumps(good), headers={"Content-Type": "text/plain"})
    assert plain_text.status_code == 415
    strict = admin.post("/api/events", params={"strict": "true"}, json=[good, {**good, "timestamp": "never"}])
    assert strict.status_code == 422
    assert strict.json()["error"]["message"] == (
        "event 2: timestamp 'never' is not a date or time; strict=true: nothing was loaded (1 row could not be read)"
    )
    no_columns = admin.post("/api/events", json=[{"who": "C-1"}])
    assert no_columns.status_code == 422
    assert (
        no_columns.json()["error"]["message"]
        == "the batch: no column for customer_id, timestamp, touchpoint (its columns: who)"
    )
    assert admin.post("/api/events", params={"scale": "1-6"}, json=good).status_code == 422
    assert counts(admin) == before


def test_the_snapshot_follows_a_load(loadable: tuple[httpx.Client, Path]) -> None:
    admin, root = loadable
    before = admin.get("/api/accounts/A-00002")
    assert not admin.get("/api/alerts").json() or all(a["account_id"] != "A-00002" for a in before.json()["alerts"])
    someone = before.json()["contacts"][0]["customer_id"]
    bad = {"customer_id": someone, "timestamp": "2026-07-30T12:00:00Z", "touchpoint": "Support ticket", "score": 1}
    assert admin.post("/api/events", json=bad).json()["loaded"] == 1
    after = admin.get("/api/accounts/A-00002")
    assert after.headers["X-Cxmap-As-Of"] == "2026-07-30T12:00:00+00:00"
    assert fresh_at(after) > fresh_at(before)
    with context(root) as ctx:
        expected = plain(service.account(ctx, "A-00002"))
        alerts = plain(service.alerts(ctx))
        gate = plain(service.gate_answer(ctx, someone, "review"))
    got = after.json()
    got["alerts"], expected["alerts"] = by_customer(got["alerts"]), by_customer(expected["alerts"])
    assert got == expected
    assert expected["experience"] == 1.0
    assert expected["set_by"] == someone
    assert admin.get("/api/alerts").json() == alerts
    assert any(a["customer_id"] == someone and a["emotion"] == 1.0 for a in alerts)
    assert admin.get(f"/api/gate/{someone}").json() == gate
    assert not gate["allowed"]
    listed = admin.get("/api/accounts").json()
    assert listed[0]["experience"] <= 1.0
