"""The browsing pages: maps, touchpoints, findings, accounts and customers, read by a viewer.

Every expected number comes from the services (or plain SQL) on the same workspace and as-of as the server;
one extra event carries a comment with a script tag, which must come back as text wherever it shows. That
event is loaded into a copy of the shared workspace, served by a server of its own, so the other test
modules see the shared workspace as built, whichever runs first.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from markupsafe import escape

from cxmap.accounts.milestones import milestones
from cxmap.analytics.analyze import Request, analyze
from cxmap.model import load_map
from cxmap.progress import Steps
from cxmap.render.summary import headline
from cxmap.service import accounts as service
from cxmap.service.answers import answer_json
from cxmap.workspace import open_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.web.conftest import Server
from tests.web.throwaway import served_copy

MAP_ID = "b2b-onboarding"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = str(escape(SCRIPT))
URL = re.compile(r"https?://[^\s\"'<>)]+")
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def n(value: int) -> str:
    return f"{value:,}"


def sql(server: Server, query: str, *params: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(server.workspace / "cxmap.duckdb"), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def server(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's server: the shared one's workspace (users and tokens included), copied and served apart,
    because `planted` loads an event into it."""
    with served_copy(server.workspace, tmp_path_factory.mktemp("pages")) as (url, root):
        yield Server(url, root, server.token_viewer, server.token_admin)


@pytest.fixture(scope="module")
def planted(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One more event, a kickoff call of the worst account's worst contact just after the last event, whose
    comment is a script tag; loaded through the ordinary ingest."""
    ws = open_workspace(server.workspace)
    ctx = service.context(ws)
    worst = answer_json(service.accounts(ctx))[0]
    latest = ctx.as_of.instant
    ctx.con.disconnect()
    del ctx
    gc.collect()  # no read-only connection may stay open in this process while the load writes
    folder = tmp_path_factory.mktemp("planted")
    at = (latest + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    csv = folder / "events.csv"
    csv.write_text(
        "event_id,timestamp,customer_id,account_id,touchpoint,channel,department,score,comment\n"
        f'xss-1,{at},{worst["set_by"]},{worst["account_id"]},Kickoff call,video,Customer Success,8,"{SCRIPT}"\n',
        encoding="utf-8",
    )
    ingest(ws, [str(csv)], Options(kind="events"), Steps(None))
    return {"account": worst["account_id"], "customer": worst["set_by"], "touchpoint": "kickoff-call"}


@pytest.fixture(scope="module")
def vera(server: Server, planted: dict[str, str]) -> Any:
    return server.client("vera")


def the_map(server: Server) -> Any:
    return load_map(server.workspace / "maps" / f"{MAP_ID}.yaml")


OUTCOME = "?outcome=renewal&amp;outcome_negative=churn-notice"  # the map's measure, kept in links


def findings(server: Server, **scope: Any) -> Any:
    return analyze(open_workspace(server.workspace), Request(the_map(server), "renewal", **scope))


def ok(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:2000])
    return str(response.text)


def test_every_page_needs_a_sign_in(server: Server, planted: dict[str, str]) -> None:
    anon = server.client()
    for path in (
        f"/maps/{MAP_ID}",
        f"/maps/{MAP_ID}/touchpoints/kickoff-call",
        "/findings",
        "/accounts",
        f"/accounts/{planted['account']}",
        f"/customers/{planted['customer']}",
    ):
        response = anon.get(path)
        assert (response.status_code, response.headers["location"]) == (303, f"/login?next={path}")


def test_unknown_ids_give_a_404_page(vera: Any) -> None:
    cases = {
        "/maps/no-such-map": "no map &#39;no-such-map&#39;",
        f"/maps/{MAP_ID}/touchpoints/no-such-touchpoint": "no touchpoint &#39;no-such-touchpoint&#39;",
        "/accounts/A-NOPE": "no account &#39;A-NOPE&#39;",
        "/customers/C-NOPE": "no customer &#39;C-NOPE&#39;",
    }
    for path, message in cases.items():
        response = vera.get(path)
        assert response.status_code == 404, path
        assert message in response.text
        assert response.headers["content-type"].startswith("text/html")


def test_bad_parameters_say_what_is_wrong(vera: Any) -> None:
    response = vera.get(f"/maps/{MAP_ID}?since=yesterday")
    assert response.status_code == 400
    assert "since: &#39;yesterday&#39; is not a date (YYYY-MM-DD)" in response.text
    assert vera.get(f"/maps/{MAP_ID}?segment=colour:red").status_code == 400


def test_map_page_draws_the_map_with_the_measured_overlay(server: Server, vera: Any) -> None:
    f = findings(server)
    m = the_map(server)
    page = ok(vera, f"/maps/{MAP_ID}")
    assert f"<h1>{escape(m.title)}</h1>" in page
    assert str(escape(m.persona.name)) in page
    assert f"Measured from {n(f.events)} events" in page
    assert f"<dd>{n(f.customers)}</dd>" in page
    assert str(escape(headline(f))) in page
    assert 'data-part="measured-grades"' in page
    top = f.hot_spots[0]
    assert f'id="hot-spot-{top.touchpoint}"' in page  # the marker's anchor
    assert f'href="#hot-spot-{top.touchpoint}"' in page  # the marker on the map
    for t in m.touchpoints:  # every touchpoint card and row links to its page
        assert f'href="/maps/{MAP_ID}/touchpoints/{t.id}"' in page
    for s in m.stakeholders:
        assert str(escape(s.name)) in page
    drawn = ok(vera, f"/maps/{MAP_ID}?overlay=off")
    assert 'data-part="measured-grades"' not in drawn
    assert f'id="hot-spot-{top.touchpoint}"' in drawn  # the findings stay listed


def test_map_page_for_one_segment_and_period(server: Server, vera: Any) -> None:
    events, customers = sql(
        server,
        "SELECT count(*), count(DISTINCT e.customer_id) FROM events e JOIN accounts a USING (account_id) "
        "WHERE a.segment = ?",
        "enterprise",
    )[0]
    page = ok(vera, f"/maps/{MAP_ID}?segment=segment:enterprise")
    assert f"Measured from {n(events)} events" in page
    assert f"<dd>{n(customers)}</dd>" in page
    assert "Account segment: enterprise" in page
    assert f'href="/maps/{MAP_ID}/touchpoints/kickoff-call?segment=segment%3Aenterprise"' in page

    f = findings(server, since=the_day(server, 120), until=the_day(server, 30))
    period = ok(vera, f"/maps/{MAP_ID}?since={f.since}&until={f.until}")
    assert f"Measured from {n(f.events)} events" in period
    assert f"{f.since} to {f.until}" in period


def the_day(server: Server, days_before_last: int) -> Any:
    last = sql(server, "SELECT max(timestamp) FROM events")[0][0]
    return (last - timedelta(days=days_before_last)).date()


def test_touchpoint_page_numbers_trend_and_comments(server: Server, vera: Any, planted: dict[str, str]) -> None:
    f = findings(server)
    t = next(t for t in f.touchpoints if t.id == "kickoff-call")
    page = ok(vera, f"/maps/{MAP_ID}/touchpoints/kickoff-call")
    assert f"<dd>{n(t.events)}</dd>" in page
    assert f"{n(t.scored_events)} scored" in page
    assert f"<dd>{n(t.customers)}</dd>" in page
    assert f"{t.emotion_mean:.1f}</span>" in page
    assert f"95% interval {t.emotion_ci[0]:.1f} to {t.emotion_ci[1]:.1f}" in page
    assert f"{n(t.customers_negative)} customers hurt" in page
    spot = next(s for s in f.hot_spot_candidates if s.touchpoint == "kickoff-call")
    assert 'id="hot-spot"' in page
    if spot.significant:
        assert f"from {n(spot.customers_good)} customers with a good experience" in page
    else:
        assert "Tested as a hot spot" in page
    months = sql(
        server,
        "SELECT strftime(date_trunc('month', timestamp), '%Y-%m'), count(emotion), avg(emotion) FROM events "
        "WHERE touchpoint ILIKE 'kickoff%' OR touchpoint ILIKE 'onboarding call' GROUP BY 1 ORDER BY 1",
    )
    assert page.count("<svg") >= 1
    table = page[page.index("The numbers per month") :]
    for month, scored, mean in months:
        if scored:
            row = rf'<td>{month}</td><td class="num"><span class="grade [a-z]+"[^>]*>{mean:.1f}</span>'
            assert re.search(row, table), month
    assert ESCAPED in page
    assert SCRIPT not in page
    assert "Onboarding team" in page  # front stage
    assert "Account provisioning" in page  # back stage
    assert "Platform ops" in page
    assert f'href="/maps/{MAP_ID}#cx-step-kickoff"' in page


def test_findings_page_links_each_finding_to_its_evidence(server: Server, vera: Any) -> None:
    f = findings(server)
    page = ok(vera, "/findings")
    assert f"{n(f.customers)} customers" in page
    assert str(escape(headline(f))) in page
    for s in f.hot_spots:
        assert f'href="/maps/{MAP_ID}/touchpoints/{s.touchpoint}{OUTCOME}#hot-spot"' in page
        assert f"{s.leverage_adjusted * 100:+.0f} pts" in page
    for p in f.problem_areas:
        assert f'href="/maps/{MAP_ID}/touchpoints/{p.touchpoint}{OUTCOME}#problem-area"' in page
    for c in f.purple_cows:
        assert f'href="/maps/{MAP_ID}/touchpoints/{c.touchpoint}{OUTCOME}#purple-cow"' in page
    clear = [c for c in f.contagion if c.significant]
    assert page.count('id="contagion-') == min(len(clear), 12)
    assert f"<dd>{n(f.recovery.negative_customers)}</dd>" in page
    recovery_touchpoints = [t.id for t in the_map(server).touchpoints if t.recovery]
    for tp in recovery_touchpoints:
        assert f'href="/maps/{MAP_ID}/touchpoints/{tp}{OUTCOME}#numbers"' in page
    none = ok(vera, f"/findings?map={MAP_ID}&outcome=")
    assert "Choose an outcome above to find hot spots." in none


def test_accounts_worst_first_with_filters(server: Server, vera: Any) -> None:
    ctx = service.context(server.workspace)
    rows = answer_json(service.accounts(ctx))
    page = ok(vera, "/accounts")
    assert f"{n(len(rows))} accounts" in page
    assert f"As of {ctx.as_of.day.isoformat()}" in page
    shown = re.findall(r'<a class="account-name" href="/accounts/([^"?]+)', page)
    assert shown == [r["account_id"] for r in rows[:50]]

    segment = next(r["segment"] for r in rows if r["segment"])
    bad = [r for r in rows if r["segment"] == segment and r["experience"] is not None and r["experience"] <= 4]
    filtered = ok(vera, f"/accounts?segment={segment}&band=bad")
    assert re.findall(r'<a class="account-name" href="/accounts/([^"?]+)', filtered) == [
        r["account_id"] for r in bad[:50]
    ]
    owner = next(r["owner"] for r in rows if r["owner"])
    good = [r for r in rows if r["owner"] == owner and r["experience"] is not None and r["experience"] >= 7]
    by_owner = ok(vera, f"/accounts?owner={owner}&band=good")
    assert re.findall(r'<a class="account-name" href="/accounts/([^"?]+)', by_owner) == [
        r["account_id"] for r in good[:50]
    ]


def test_account_page(server: Server, vera: Any, planted: dict[str, str]) -> None:
    ws = open_workspace(server.workspace)
    ctx = service.context(ws, None, MAP_ID)
    answer = answer_json(service.account(ctx, planted["account"]))
    plan = milestones(ctx.con, ctx.map, ws.settings, ctx.as_of)
    page = ok(vera, f"/accounts/{planted['account']}")
    assert str(escape(answer["name"])) in page
    for c in answer["contacts"]:
        assert f'href="/customers/{c["customer_id"]}"' in page
        for reason in c["gate"]["reasons"]:
            assert str(escape(reason)) in page
    assert any(not c["gate"]["allowed"] for c in answer["contacts"])
    assert "Refused" in page
    assert f'<dd class="{"bad" if answer["alerts"] else ""}">{len(answer["alerts"])}</dd>' in page
    mine = [p for p in plan if p["account_id"] == planted["account"]]
    assert mine
    for p in mine:
        assert f'<td>{p["due"]}</td><td><span class="pill' in page
    assert ESCAPED in page
    assert SCRIPT not in page


def test_customer_page(server: Server, vera: Any, planted: dict[str, str]) -> None:
    ctx = service.context(server.workspace, None, MAP_ID)
    answer = answer_json(service.customer(ctx, planted["customer"]))
    page = ok(vera, f"/customers/{planted['customer']}")
    assert f"{len(answer['events'])} interactions" in page
    assert page.count("<circle") == len(answer["emotion_line"])
    assert f'href="/accounts/{answer["account_id"]}"' in page
    assert ESCAPED in page
    assert SCRIPT not in page


def test_pages_make_no_external_request(vera: Any, planted: dict[str, str]) -> None:
    paths = [
        f"/maps/{MAP_ID}",
        f"/maps/{MAP_ID}?overlay=off",
        f"/maps/{MAP_ID}/touchpoints/kickoff-call",
        "/findings",
        "/accounts",
        f"/accounts/{planted['account']}",
        f"/customers/{planted['customer']}",
    ]
    for path in paths:
        found = set(URL.findall(ok(vera, path)))
        assert found <= SVG_NAMESPACES, (path, found - SVG_NAMESPACES)


def test_a_map_without_matching_data_is_drawn_as_designed(server: Server, vera: Any) -> None:
    maps = sorted(p.stem for p in Path(server.workspace, "maps").glob("*.yaml"))
    for map_id in maps:
        page = ok(vera, f"/maps/{map_id}")
        assert "cx-scroll" in page


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_workspace_without_events(tmp_path: Path) -> None:
    """The maps are drawn as designed; findings and accounts say how to load data; nothing breaks."""
    from fastapi.testclient import TestClient

    from cxmap.service.users import AuthStore
    from cxmap.web.app import create_app
    from cxmap.workspace import init_workspace

    ws = init_workspace(tmp_path / "empty")
    (ws.maps_dir / f"{MAP_ID}.yaml").write_bytes(
        (Path(__file__).resolve().parents[2] / "examples" / "maps" / f"{MAP_ID}.yaml").read_bytes()
    )
    AuthStore(ws.root).add_user("vera", "viewer", "viewer-password-1")
    with TestClient(create_app(ws.root), follow_redirects=False) as client:
        login = {"username": "vera", "password": "viewer-password-1", "next": "/"}
        assert client.post("/login", data=login).status_code == 303
        page = ok(client, f"/maps/{MAP_ID}")
        assert "No events in this workspace yet" in page
        assert 'data-part="measured-grades"' not in page
        assert f'href="/maps/{MAP_ID}/touchpoints/kickoff-call"' in page
        assert "No events in this workspace yet" in ok(client, "/findings")
        assert "No accounts yet." in ok(client, "/accounts")
        touchpoint = ok(client, f"/maps/{MAP_ID}/touchpoints/kickoff-call")
        assert "Onboarding team" in touchpoint
        assert "No comments here yet." in touchpoint
        assert client.get("/accounts/A-00001").status_code == 404
