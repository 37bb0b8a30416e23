"""Sessions live on the server: a logout, a removed user, a new role and a revoked or expired token count
on the very next request, even for someone who kept a copy of the cookie or the token."""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cxmap.service.users import AuthStore
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace
from tests.conftest import EXAMPLES

PASSWORD = "editor-password-1"
MAP = "b2b-onboarding"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, TestClient]:
    """A workspace with the example B2B map and an editor `ed`, served by a real app."""
    ws = init_workspace(tmp_path / "ws")
    shutil.copy(EXAMPLES / f"{MAP}.yaml", ws.maps_dir)
    AuthStore(ws.root).add_user("ed", "editor", PASSWORD)
    return ws.root, TestClient(create_app(ws.root), follow_redirects=False)


def using(client: TestClient, cookie: str) -> TestClient:
    """The client sending this session cookie (a copy kept by someone, or the current one)."""
    client.cookies.clear()
    client.cookies.set("cxmap_session", cookie)
    return client


def signed_in(client: TestClient) -> str:
    """Sign `ed` in; the session cookie's value."""
    answer = client.post("/login", data={"username": "ed", "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303
    return str(client.cookies["cxmap_session"])


def csrf(client: TestClient, cookie: str) -> str:
    page = using(client, cookie).get(f"/maps/{MAP}/edit")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def opens_the_editor(client: TestClient, cookie: str) -> bool:
    return using(client, cookie).get(f"/maps/{MAP}/edit").status_code == 200


def test_after_logout_a_copy_of_the_cookie_opens_nothing(site: tuple[Path, TestClient]) -> None:
    _, client = site
    cookie = signed_in(client)
    assert opens_the_editor(client, cookie)
    token = csrf(client, cookie)
    out = using(client, cookie).post("/logout", data={"csrf": token})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    stale = using(client, cookie).get(f"/maps/{MAP}/edit")
    assert (stale.status_code, stale.headers["location"]) == (303, f"/login?next=/maps/{MAP}/edit")


def test_a_removed_user_is_signed_out_at_once(site: tuple[Path, TestClient]) -> None:
    root, client = site
    cookie = signed_in(client)
    AuthStore(root).remove_user("ed")
    assert using(client, cookie).get(f"/maps/{MAP}/edit").status_code == 303


def test_a_new_role_counts_on_the_next_request(site: tuple[Path, TestClient]) -> None:
    """Made a viewer, the editor's open session can no longer save a map version."""
    root, client = site
    cookie = signed_in(client)
    token = csrf(client, cookie)
    AuthStore(root).set_role("ed", "viewer")
    text = (root / "maps" / f"{MAP}.yaml").read_text()
    saved = using(client, cookie).post(
        f"/maps/{MAP}/edit",
        data={"csrf": token, "text": text, "action": "save"},
    )
    assert saved.status_code == 403
    assert "this needs the editor role; you are viewer" in saved.text
    assert not (root / ".cxmap" / "history").exists()


def test_a_cookie_of_the_old_kind_names_no_one(site: tuple[Path, TestClient]) -> None:
    """A signed cookie that carries a user and a role (as cookies did before sessions were kept on the
    server) is refused: only a session id the server knows signs anyone in."""
    _, client = site
    forged = client.app.state.signer.dumps({"user": "ed", "role": "admin", "csrf": "x"})
    assert not opens_the_editor(client, forged)


def test_revoked_and_expired_tokens_are_refused(site: tuple[Path, TestClient]) -> None:
    root, client = site
    store = AuthStore(root)
    crm, bi = store.create_token("crm", "viewer"), store.create_token("bi", "viewer", days=30)
    assert client.get("/api/maps", headers={"Authorization": f"Bearer {crm}"}).status_code == 200
    assert store.revoke_token("crm") == 1
    assert client.get("/api/maps", headers={"Authorization": f"Bearer {crm}"}).status_code == 401
    with closing(sqlite3.connect(store.path)) as con, con:
        con.execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00+00:00' WHERE name = 'bi'")
    assert client.get("/api/maps", headers={"Authorization": f"Bearer {bi}"}).status_code == 401
    assert [t["name"] for t in store.tokens()] == ["bi"]


def test_the_user_store_is_readable_by_its_owner_alone(site: tuple[Path, TestClient]) -> None:
    root, _ = site
    mode = stat.S_IMODE((root / ".cxmap" / "auth.sqlite").stat().st_mode)
    assert mode == 0o600
