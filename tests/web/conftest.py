"""A real cxmap server (uvicorn on loopback) over a small real workspace, shared by the web tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cxmap import synthetic
from cxmap.progress import Steps
from cxmap.service.users import AuthStore
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace
from cxmap.workspace.ingest import Options, ingest
from tests.web.throwaway import serving

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"ada": "admin-password-1", "eddie": "editor-password-1", "vera": "viewer-password-1"}
ROLES = {"ada": "admin", "eddie": "editor", "vera": "viewer"}


@dataclass
class Server:
    url: str
    workspace: Path
    token_viewer: str
    token_admin: str

    def client(self, user: str | None = None) -> httpx.Client:
        """An HTTP client, signed in as `user` (ada: admin, eddie: editor, vera: viewer) when given."""
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        if user:
            response = client.post("/login", data={"username": user, "password": PASSWORDS[user], "next": "/"})
            assert response.status_code == 303, response.text
        return client


def build_workspace(root: Path) -> Path:
    """The example maps and a small seeded data set (accounts, contacts, ~6,000 events)."""
    ws = init_workspace(root / "ws")
    for path in (ROOT / "examples" / "maps").glob("*.yaml"):
        shutil.copy(path, ws.maps_dir)
    paths = synthetic.write(synthetic.generate(6_000, seed=21), root / "data")
    for kind in ("accounts", "contacts", "events"):
        ingest(ws, [str(paths[kind])], Options(kind=kind), Steps(None))
    store = AuthStore(ws.root)
    for user, password in PASSWORDS.items():
        store.add_user(user, ROLES[user], password)
    return ws.root


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = build_workspace(tmp_path_factory.mktemp("web"))
    store = AuthStore(root)
    tokens = (store.create_token("test viewer", "viewer"), store.create_token("test admin", "admin"))
    with serving(create_app(root)) as url:
        yield Server(url, root, *tokens)
