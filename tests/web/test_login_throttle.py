"""Sign-in cannot be used to guess passwords, to tell which users exist, to exhaust the server's memory, or
to sign a visitor in from another site."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from cxmap.errors import Throttled
from cxmap.service import users
from cxmap.service.users import PER_CLIENT, PER_USER, WINDOW, AuthStore, LoginThrottle
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace


@pytest.fixture
def site(tmp_path: Path) -> TestClient:
    ws = init_workspace(tmp_path / "ws")
    store = AuthStore(ws.root)
    store.add_user("ed", "editor", "editor-password-1")
    store.add_user("ann", "viewer", "viewer-password-1")
    return TestClient(create_app(ws.root), follow_redirects=False)


def sign_in(client: TestClient, user: str, password: str) -> Any:
    return client.post("/login", data={"username": user, "password": password, "next": "/"})


def test_after_five_wrong_passwords_a_user_name_waits_even_with_the_right_one(site: TestClient) -> None:
    for _ in range(PER_USER):
        assert sign_in(site, "ed", "guess").status_code == 401
    refused = sign_in(site, "ed", "editor-password-1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW + 1
    assert "too many failed sign-ins" in refused.text
    assert sign_in(site, "ann", "viewer-password-1").status_code == 303  # another name is not held up


def test_one_client_guessing_many_names_is_held_up(site: TestClient) -> None:
    for i in range(PER_CLIENT):
        assert sign_in(site, f"nobody-{i}", "guess").status_code == 401
    assert sign_in(site, "someone-new", "guess").status_code == 429


def test_failures_leave_the_window_and_a_success_clears_the_name() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(PER_USER):
        throttle.failed("ed", "10.0.0.1")
    with pytest.raises(Throttled) as caught:
        throttle.check("ed", "10.0.0.2")
    assert caught.value.retry_after == WINDOW + 1
    now[0] += WINDOW
    throttle.check("ed", "10.0.0.2")  # the first failures have left the window
    throttle.failed("ed", "10.0.0.3")
    throttle.succeeded("ed")
    throttle.check("ed", "10.0.0.3")


class CountingHasher:
    """The real argon2 hasher, counting its work and how many verifications ran at once."""

    def __init__(self) -> None:
        self.real = PasswordHasher()
        self.hashes = self.verifies = self.running = self.most = 0
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        self.hashes += 1
        return self.real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        with self.lock:
            self.verifies += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)  # long enough for the threads of the test to overlap
            return self.real.verify(stored, password)
        finally:
            with self.lock:
                self.running -= 1


def test_an_unknown_user_costs_the_same_single_verification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AuthStore(tmp_path)
    store.add_user("ed", "editor", "editor-password-1")
    store.login("nobody", "warm-up")  # the decoy hash is made once, the first time
    counting = CountingHasher()
    monkeypatch.setattr(users, "_HASHER", counting)
    assert store.login("ed", "wrong-password") is None
    assert (counting.hashes, counting.verifies) == (0, 1)
    assert store.login("nobody", "wrong-password") is None
    assert (counting.hashes, counting.verifies) == (0, 2)


def test_at_most_two_verifications_run_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AuthStore(tmp_path)
    store.add_user("ed", "editor", "editor-password-1")
    counting = CountingHasher()
    monkeypatch.setattr(users, "_HASHER", counting)
    threads = [threading.Thread(target=store.login, args=("ed", f"guess-{i}")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.verifies == 8
    assert counting.most == 2


def test_a_sign_in_posted_from_another_site_is_refused(site: TestClient) -> None:
    form = {"username": "ed", "password": "editor-password-1", "next": "/"}
    other = site.post("/login", data=form, headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    assert "sign in from this site&#39;s own sign-in page" in other.text  # escaped in the page
    fetched = site.post("/login", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    own = site.post("/login", data=form, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 303
