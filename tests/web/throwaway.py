"""A second live server, on a copy of the shared test workspace, for tests that load events into it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from cxmap.web.app import create_app


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an app with uvicorn on a free loopback port, in a thread; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served_copy(workspace: Path, into: Path, **app_options: Any) -> Iterator[tuple[str, Path]]:
    """Copy the workspace and serve the copy on a free loopback port: (its URL, the copy's folder)."""
    root = into / "ws"
    shutil.copytree(workspace, root)
    with serving(create_app(root, **app_options)) as url:
        yield url, root
