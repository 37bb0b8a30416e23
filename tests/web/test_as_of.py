"""One as-of: every face of the account answers says the same day, the calendar date in the workspace's zone.

A hand-made workspace in Europe/Amsterdam whose latest event is at 2025-03-10T23:30:00Z: 00:30 on 03-11 in
Amsterdam. The UTC date (03-10) must show nowhere as the as-of day: not in `cxmap account` (text and JSON),
`cxmap accounts --json`, the gating reasons, the API's bodies and `X-Cxmap-As-Of`, nor on the pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cxmap.cli.accounts import _total
from cxmap.progress import Steps
from cxmap.service.users import AuthStore
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace, open_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.conftest import run_cxmap, write
from tests.web.throwaway import serving

EVENTS = """\
customer_id,account_id,timestamp,touchpoint,score,comment
C1,ACME,2025-03-01T09:00:00Z,QBR,9,
C2,ACME,2025-03-05T09:00:00Z,Support ticket,2,
C3,ACME,2025-03-06T09:00:00Z,Welcome email,,
C1,ACME,2025-03-10T23:30:00Z,Check-in call,8,
"""
DAY = "2025-03-11"  # the latest event, 23:30 UTC on 03-10, is 00:30 on 03-11 in Amsterdam (UTC+1)
MOMENT = "2025-03-11T00:30:00+01:00"
END_OF_DAY = "2025-03-11T23:59:59.999999+01:00"  # --as-of 2025-03-11: the end of that day in Amsterdam
PASSWORD = "viewer-password-1"
UNSCORED = f"C3 has no scored experience in the 90 days before {DAY}, so we cannot tell they are happy"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("as-of")
    settings = init_workspace(root / "ws").root / "cxmap.yaml"
    settings.write_text(settings.read_text("utf-8").replace("timezone: UTC", "timezone: Europe/Amsterdam"), "utf-8")
    ws = open_workspace(settings.parent)
    ingest(ws, [str(write(root / "events.csv", EVENTS))], Options(kind="events"), Steps(None))
    AuthStore(ws.root).add_user("vera", "viewer", PASSWORD)
    return ws.root


def cli(ws: Path, *args: str) -> str:
    result = run_cxmap(args[0], str(ws), *args[1:])
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def url(ws: Path) -> Iterator[str]:
    with serving(create_app(ws)) as served:
        yield served


@pytest.fixture(scope="module")
def api(ws: Path, url: str) -> Iterator[httpx.Client]:
    token = AuthStore(ws).create_token("as-of test", "viewer")
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield client


def dated(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_one_as_of_across_account_accounts_gate_and_the_api(ws: Path, api: httpx.Client) -> None:
    text = cli(ws, "account", "ACME")
    assert text.splitlines()[0].endswith(f"as of {DAY}")
    detail = json.loads(cli(ws, "account", "ACME", "--json"))
    rows = json.loads(cli(ws, "accounts", "--json"))
    gate = json.loads(cli(ws, "gate", "C3", "--json"))
    assert detail["as_of"] == MOMENT
    assert {c["gate"]["as_of"] for c in detail["contacts"]} == {MOMENT}
    assert [r["as_of"] for r in rows] == [MOMENT]
    assert gate["as_of"] == MOMENT
    assert UNSCORED in gate["reasons"]
    assert UNSCORED in next(c["gate"]["reasons"] for c in detail["contacts"] if c["customer_id"] == "C3")
    assert cli(ws, "accounts").splitlines()[-1] == f"1 account as of {DAY}"
    assert f"as of {DAY}" in cli(ws, "customer", "C1").splitlines()[0]

    listed, one, asked = api.get("/api/accounts"), api.get("/api/accounts/ACME"), api.get("/api/gate/C3")
    assert {r.headers["X-Cxmap-As-Of"] for r in (listed, one, asked)} == {MOMENT}
    assert dated(listed) == rows
    assert dated(one)["as_of"] == MOMENT
    assert dated(one)["contacts"] == detail["contacts"]  # the snapshot's gating answers are the CLI's
    assert dated(asked) == gate
    # a direct computation (a policy other than the default) resolves the same moment as the snapshot
    assert api.get("/api/accounts", params={"policy": "mean"}).headers["X-Cxmap-As-Of"] == MOMENT
    assert api.get("/api/customers/C1").json()["as_of"] == MOMENT


def test_an_explicit_as_of_is_the_end_of_that_day_on_every_face(ws: Path, api: httpx.Client) -> None:
    detail = json.loads(cli(ws, "account", "ACME", "--as-of", DAY, "--json"))
    assert detail["as_of"] == END_OF_DAY
    assert cli(ws, "alerts", "--as-of", DAY).splitlines()[-1] == f"1 open alert as of {DAY}"
    answer = api.get("/api/accounts/ACME", params={"as_of": DAY})
    assert answer.headers["X-Cxmap-As-Of"] == END_OF_DAY
    assert dated(answer) == detail


def test_the_pages_say_the_same_day(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as browser:
        signed = browser.post("/login", data={"username": "vera", "password": PASSWORD, "next": "/"})
        assert signed.status_code == 303, signed.text
        for path in ("/accounts", "/accounts/ACME", "/customers/C1"):
            page = browser.get(path)
            assert page.status_code == 200, path
            assert set(re.findall(r"As of (\d{4}-\d\d-\d\d)", page.text)) == {DAY}, path


def test_a_list_ends_with_its_count_and_as_of_day() -> None:
    ctx = SimpleNamespace(as_of=SimpleNamespace(day=date(2025, 3, 11)))
    assert _total([{}] * 1665, "milestone", ctx) == f"1,665 milestones as of {DAY}"
    assert _total([{}], "open alert", ctx) == f"1 open alert as of {DAY}"
