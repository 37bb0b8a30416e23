"""Browser fixtures: Debian's Chromium driven by Playwright, shared by every browser test.

Playwright's own browser download is never used: the tests launch /usr/bin/chromium (`make system-deps`).
On a developer machine without Chromium or node_modules the browser tests skip; under CI (the CI
variable set) a missing piece fails them, so that CI can never pass by skipping what it should check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.web.conftest import server  # noqa: F401  (a real cxmap server for the web app's browser tests)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CXMAP_CHROMIUM", "/usr/bin/chromium"))
MERMAID_JS = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    """CI services set CI (usually to 'true'); an empty, '0' or 'false' value means a local run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(present: bool, what: str, fix: str) -> None:
    """Skip a local run that lacks a piece; fail loudly under CI, where skipping would hide a gap."""
    if present:
        return
    message = f"{what} is missing; {fix}"
    if in_ci():
        pytest.fail(f"{message} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session; each test opens its own page."""
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})", "run `make system-deps`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Python Playwright", "run `make install-test`")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """The pinned `mermaid` npm package's browser bundle (package.json, installed by `npm ci`)."""
    require(MERMAID_JS.exists(), f"the mermaid npm package ({MERMAID_JS})", "run `make node-deps`")
    return MERMAID_JS
