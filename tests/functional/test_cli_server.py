"""`cxmap serve`, `cxmap user` and `cxmap token`, run as a user runs them."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from cxmap.errors import CxmapError
from cxmap.service.users import AuthStore
from cxmap.web.app import create_app, from_environment
from tests.conftest import EXAMPLES, run_cxmap


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "acme"
    assert run_cxmap("init", str(ws)).returncode == 0
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, ws / "maps")
    return ws


def test_user_add_prints_a_generated_password_once(workspace: Path) -> None:
    added = run_cxmap("user", "add", str(workspace), "ana", "--role", "editor")
    assert added.returncode == 0, added.stderr
    first, second = added.stdout.splitlines()
    assert first.startswith("added ana (editor) with the password: ")
    password = first.rsplit(" ", 1)[1]
    assert len(password) >= 12
    assert second == "  it is shown only this once; pass it on to them safely"
    who = AuthStore(workspace).login("ana", password)
    assert who is not None
    assert who.role == "editor"
    again = run_cxmap("user", "add", str(workspace), "ana", "--role", "viewer")
    assert (again.returncode, again.stderr) == (1, "error: user 'ana' already exists\n")


def test_user_add_reads_the_password_from_stdin(workspace: Path) -> None:
    added = run_cxmap("user", "add", str(workspace), "bo", "--role", "admin", "--password-stdin", stdin="bo-secret-1\n")
    assert (added.returncode, added.stdout) == (0, "added bo (admin)\n")
    assert AuthStore(workspace).login("bo", "bo-secret-1") is not None
    as_json = run_cxmap("user", "add", str(workspace), "cy", "--role", "viewer", "--json")
    body = json.loads(as_json.stdout)
    assert (body["user"], body["role"]) == ("cy", "viewer")
    assert AuthStore(workspace).login("cy", body["password"])
    empty = run_cxmap("user", "add", str(workspace), "di", "--role", "viewer", "--password-stdin", stdin="")
    assert (empty.returncode, empty.stderr) == (2, "error: --password-stdin: no password on standard input\n")
    wrong = run_cxmap("user", "add", str(workspace), "ed", "--role", "owner")
    assert wrong.returncode == 2
    assert wrong.stderr == "error: --role: unknown role 'owner'; use one of: viewer, editor, admin\n"


def test_users_are_listed_given_a_role_and_removed(workspace: Path) -> None:
    for name, role in (("ana", "editor"), ("bo", "admin")):
        assert run_cxmap("user", "add", str(workspace), name, "--role", role).returncode == 0
    listed = json.loads(run_cxmap("user", "list", str(workspace), "--json").stdout)
    assert [(u["user"], u["role"]) for u in listed] == [("ana", "editor"), ("bo", "admin")]
    demoted = run_cxmap("user", "set-role", str(workspace), "ana", "--role", "viewer")
    assert (demoted.returncode, demoted.stdout) == (0, "ana is now viewer\n")
    removed = run_cxmap("user", "remove", str(workspace), "bo")
    assert (removed.returncode, removed.stdout) == (0, "removed bo; their sessions have ended\n")
    text = run_cxmap("user", "list", str(workspace)).stdout.splitlines()
    assert len(text) == 1
    assert text[0].startswith("ana  viewer  (added ")
    nobody = run_cxmap("user", "remove", str(workspace), "bo", "--json")
    assert nobody.returncode == 1
    assert json.loads(nobody.stderr)["error"] == {"code": "not_found", "message": "no user 'bo'", "details": []}


def test_tokens_are_listed_with_their_expiry_and_revoked_by_name(workspace: Path) -> None:
    made = run_cxmap("token", "create", str(workspace), "crm-sync", "--role", "viewer", "--days", "30", "--json")
    token = json.loads(made.stdout)["token"]
    listed = json.loads(run_cxmap("token", "list", str(workspace), "--json").stdout)
    assert [(t["name"], t["role"]) for t in listed] == [("crm-sync", "viewer")]
    created, expires = (datetime.fromisoformat(listed[0][k]) for k in ("created_at", "expires_at"))
    assert expires - created == timedelta(days=30)
    assert token not in json.dumps(listed)
    revoked = run_cxmap("token", "revoke", str(workspace), "crm-sync")
    assert (revoked.returncode, revoked.stdout) == (0, "revoked 1 token named 'crm-sync'\n")
    assert AuthStore(workspace).check_token(token) is None
    too_long = run_cxmap("token", "create", str(workspace), "x", "--role", "viewer", "--days", "5000")
    assert too_long.returncode == 2


def test_token_create_prints_a_token_that_opens_the_api(workspace: Path) -> None:
    made = run_cxmap("token", "create", str(workspace), "crm-sync", "--role", "viewer")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("cxm_")
    assert "shown only this once" in made.stderr
    app = TestClient(create_app(workspace))
    assert app.get("/api/maps").status_code == 401
    maps = app.get("/api/maps", headers={"Authorization": f"Bearer {token}"})
    assert maps.status_code == 200
    assert {m["id"] for m in maps.json()} == {"b2b-onboarding", "car-service-visit", "library-membership"}
    event = {"customer_id": "C-1", "timestamp": "2026-01-01T10:00:00Z", "touchpoint": "Kickoff call"}
    refused = app.post("/api/events", json=event, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    stored = (workspace / ".cxmap" / "auth.sqlite").read_bytes()
    assert token.encode() not in stored  # only its SHA-256 is kept


def read_until_serving(proc: subprocess.Popen[str], seconds: float = 60) -> list[str]:
    """The lines `cxmap serve` prints up to the one with the URL (read by a thread: never blocks the test)."""
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stdout or []], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while not (seen and seen[-1].startswith("serving ")):
        try:
            seen.append(lines.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    return seen


@pytest.fixture
def serving(workspace: Path) -> Iterator[tuple[list[str], Path]]:
    """`cxmap serve` started as a subprocess on a free port; killed at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxmap", "serve", str(workspace), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield read_until_serving(proc), workspace
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_serve_prints_the_url_and_a_one_time_admin_password(serving: tuple[list[str], Path]) -> None:
    lines, workspace = serving
    assert len(lines) == 3, lines
    assert lines[0].startswith("first start: created the user admin with the one-time password: ")
    password = lines[0].rsplit(" ", 1)[1]
    url = lines[2].split(" at ", 1)[1].split()[0].rstrip("/")
    assert lines[2] == f"serving {workspace} at {url}/ (API: {url}/api/; Ctrl+C stops)"
    assert url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{url}/api/maps").status_code == 401
    with httpx.Client(base_url=url) as browser:
        signed_in = browser.post("/login", data={"username": "admin", "password": password, "next": "/"})
        assert signed_in.status_code == 303
        assert browser.get("/api/maps").status_code == 200


def test_a_second_start_prints_no_password(workspace: Path) -> None:
    AuthStore(workspace).add_user("ana", "admin", "ana-password-1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxmap", "serve", str(workspace), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = read_until_serving(proc)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert len(lines) == 1
    assert lines[0].startswith(f"serving {workspace} at http://127.0.0.1:")


def test_serve_refuses_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    result = run_cxmap("serve", str(tmp_path / "nowhere"), "--port", "0")
    assert result.returncode == 1
    assert "no such workspace folder" in result.stderr


def test_the_app_started_by_name_serves_the_workspace_its_variable_names(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `cxmap serve` runs (and `uvicorn --factory cxmap.web.app:from_environment` can): one clear line
    when the variable is missing."""
    monkeypatch.delenv("CXMAP_WORKSPACE", raising=False)
    with pytest.raises(CxmapError) as missing:
        from_environment()
    assert str(missing.value) == "set CXMAP_WORKSPACE to the workspace folder the app serves"
    monkeypatch.setenv("CXMAP_WORKSPACE", str(workspace))
    assert TestClient(from_environment()).get("/healthz").json() == {"status": "ok"}
