"""Deny by default: anonymous requests read nothing; roles; sessions; tokens; CSRF."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from cxmap.service.users import AuthStore, Principal
from tests.web.conftest import Server


def test_anonymous_reads_nothing(server: Server) -> None:
    anon = server.client()
    page = anon.get("/maps")
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/maps")
    api = anon.get("/api/maps")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "unauthorized"
    assert anon.get("/api/maps", headers={"Authorization": "Bearer cxm_not-a-token"}).status_code == 401


def test_login_wrong_password_and_right_one(server: Server) -> None:
    client = server.client()
    bad = client.post("/login", data={"username": "vera", "password": "nope", "next": "/"})
    assert bad.status_code == 401
    assert "do not match" in bad.text
    good = server.client("vera")
    assert good.get("/maps").status_code == 200


def test_token_reads_the_api(server: Server) -> None:
    response = httpx_get(server, "/api/maps", server.token_viewer)
    assert response.status_code == 200
    assert {m["id"] for m in response.json()} == {"b2b-onboarding", "car-service-visit", "library-membership"}


def test_login_never_redirects_off_site(server: Server) -> None:
    client = server.client()
    response = client.post(
        "/login", data={"username": "vera", "password": "viewer-password-1", "next": "//evil.example/x"}
    )
    assert response.headers["location"] == "/"


def test_logout_needs_the_csrf_token(server: Server) -> None:
    client = server.client("vera")
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/maps").status_code == 200


def test_a_token_counts_at_once_and_checking_holds_no_lock(tmp_path: Path) -> None:
    """The server keeps a connection for token checks; the CLI must still add and remove tokens meanwhile."""
    served = AuthStore(tmp_path)
    assert served.check_token("cxm_unknown") is None
    token = AuthStore(tmp_path).create_token("crm", "admin")
    assert served.check_token(token) == Principal("crm", "admin", "token")
    with closing(sqlite3.connect(served.path, timeout=0)) as cli:
        cli.execute("BEGIN EXCLUSIVE")  # fails at once if the server's connection still held a read lock
        cli.execute("DELETE FROM tokens")
        cli.commit()
    assert served.check_token(token) is None


def httpx_get(server: Server, path: str, token: str):  # type: ignore[no-untyped-def]
    client = server.client()
    return client.get(path, headers={"Authorization": f"Bearer {token}"})
