"""The web app in a real browser (Debian's Chromium through Playwright) against a real cxmap server.

Each step checks what a person sees on the page: log in, open a map, switch a segment, open an account and
read why a review request is refused, edit a map with a mistake and find it in place, add and move an idea.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.conftest import run_cxmap
from tests.web.conftest import PASSWORDS, Server
from tests.web.restore import maps_restored

from cxmap.service import accounts as service
from cxmap.service.answers import answer_json

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

MAP_ID = "b2b-onboarding"
MAP_TITLE = "New customer onboarding to first renewal"


@pytest.fixture(scope="module")
def web(server: Server) -> Iterator[Server]:
    """The shared server; the maps this module saves are put back afterwards."""
    with maps_restored(server.workspace):
        yield server


def log_in(page: Page, user: str, password: str) -> None:
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")


@pytest.fixture(scope="module")
def editor(browser: Browser, web: Server) -> Iterator[BrowserContext]:
    """A browser signed in as eddie (editor) through the login form."""
    context = browser.new_context(base_url=web.url)
    page = context.new_page()
    page.goto("/login")
    log_in(page, "eddie", PASSWORDS["eddie"])
    page.wait_for_url("**/")
    page.close()
    yield context
    context.close()


@dataclass
class Watched:
    """A page, the script errors it raised (a page that throws is broken even if it looks right) and every
    request it made anywhere but the cxmap server (the app needs nothing from the network)."""

    page: Page
    errors: list[str]
    elsewhere: list[str]


@pytest.fixture
def tab(editor: BrowserContext, web: Server) -> Iterator[Watched]:
    page = editor.new_page()
    page.set_default_timeout(15_000)
    watched = Watched(page, [], [])
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    local = (web.url + "/", "data:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else watched.elsewhere.append(r.url))
    yield watched
    page.close()
    assert watched.errors == []
    assert watched.elsewhere == []


def text(page: Page, selector: str = "main") -> str:
    return page.inner_text(selector)


def test_log_in_through_the_form(browser: Browser, web: Server) -> None:
    context = browser.new_context(base_url=web.url)
    page = context.new_page()
    try:
        page.goto("/maps")
        assert page.url.endswith("/login?next=/maps")
        assert "Sign in to cxmap" in text(page)

        log_in(page, "vera", "wrong password")
        assert "That user name and password do not match." in text(page)

        log_in(page, "vera", PASSWORDS["vera"])
        page.wait_for_url("**/maps")
        assert "Journey maps" in text(page)
        assert MAP_TITLE in text(page)
        assert "vera" in text(page, "header")
        assert "viewer" in text(page, "header")
        # A viewer is offered no way to change anything.
        page.goto("/ideas")
        assert "Shared brief so the partner never asks the customer twice" in text(page)
        assert page.locator("form[action^='/ideas/']").count() == 0
        assert "Add an idea" not in text(page)
    finally:
        context.close()


def test_open_a_map_and_switch_a_segment(tab: Watched) -> None:
    page = tab.page
    page.goto("/maps")
    page.click(f"a:has-text('{MAP_TITLE}')")
    page.wait_for_url(f"**/maps/{MAP_ID}")
    assert MAP_TITLE in text(page, "h1")
    assert "Priya, operations lead" in text(page)

    choice = page.locator("select[name=segment] option:not([value=''])").first
    value, label = choice.get_attribute("value"), choice.inner_text().strip()
    group = choice.evaluate("option => option.parentElement.label")  # the dimension, e.g. "Account segment"
    assert value
    assert f"{group}: {label}" not in text(page)
    form = page.locator("form:has(select[name=segment])")
    form.locator("select[name=segment]").select_option(value)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"[?&]segment="))
    assert page.locator("select[name=segment]").input_value() == value
    assert label in page.locator("select[name=segment] option:checked").inner_text()
    assert f"{group}: {label}" in text(page)  # the page says whose journey it now shows
    assert MAP_TITLE in text(page, "h1")


@pytest.fixture(scope="module")
def refused(web: Server) -> dict[str, Any]:
    """A contact of the worst account whose review request the gate refuses, with the reasons it gives."""
    ctx = service.context(web.workspace)
    try:
        worst = service.accounts(ctx)[0].account_id
        contacts = answer_json(service.account(ctx, worst))["contacts"]
    finally:
        ctx.con.disconnect()
    refusals = [c for c in contacts if not c["gate"]["allowed"]]
    assert refusals, f"the worst account {worst} has no refused contact"
    chosen = max(refusals, key=lambda c: len(c["gate"]["reasons"]))
    return {"account_id": worst, **chosen["gate"]}


def test_open_an_account_and_see_why_a_review_is_refused(tab: Watched, refused: dict[str, Any]) -> None:
    page = tab.page
    page.goto("/accounts")
    account = refused["account_id"]
    page.locator(f"main a[href='/accounts/{account}'], main a[href^='/accounts/{account}?']").first.click()
    page.wait_for_url(f"**/accounts/{account}*")
    shown = text(page)
    assert account in shown
    row = page.locator("tr", has_text=refused["customer_id"]).filter(has_text="Refused")
    assert row.count() >= 1, f"no refusal shown for {refused['customer_id']}"
    for reason in refused["reasons"]:
        assert reason in shown, f"the page does not give the reason: {reason}"


def test_edit_a_map_with_a_mistake_and_see_it_in_place(tab: Watched, web: Server) -> None:
    page = tab.page
    path = web.workspace / "maps" / f"{MAP_ID}.yaml"
    before = path.read_bytes()
    page.goto(f"/maps/{MAP_ID}/edit")
    assert f"Edit {MAP_TITLE}" in text(page, "h1")
    area = page.locator("textarea[name=text]")
    original = area.input_value()
    assert original == before.decode()

    lines = original.splitlines()
    line = next(i for i, x in enumerate(lines, 1) if x.strip() == "touchpoints: [data-import, support-ticket]")
    lines[line - 1] = lines[line - 1].replace("data-import", "data-imprt")
    area.fill("\n".join(lines) + "\n")
    page.click("button:has-text('Check')")

    alert = page.locator("#problems")
    assert "1 problem: nothing was saved." in alert.inner_text()
    assert "touchpoint 'data-imprt', which is not defined" in alert.inner_text()
    assert f"maps/{MAP_ID}.yaml:{line}:" in alert.inner_text()
    row = page.locator(f"tr#L{line}")
    assert "data-imprt" in row.inner_text()
    assert "hit error" in (row.get_attribute("class") or "")
    message = page.locator(f"tr#L{line} + tr.msg")
    assert f"line {line}, column" in message.inner_text()
    assert "not defined" in message.inner_text()
    assert page.locator(".gutter span.error").inner_text() == str(line)
    # The text typed is kept, and the link in the list puts the cursor on the line in the editor.
    assert "data-imprt" in area.input_value()
    alert.locator(f"a[data-line='{line}']").click()
    selected = page.evaluate(
        "() => { const a = document.querySelector('textarea');"
        " return a.value.slice(a.selectionStart, a.selectionEnd); }"
    )
    assert selected == lines[line - 1]
    assert path.read_bytes() == before

    # Fixed and saved: a new version, and the old one stays readable.
    area.fill(original.replace("title: New customer onboarding", "title: Customer onboarding", 1))
    page.click("button:has-text('Save')")
    page.wait_for_url(f"**/maps/{MAP_ID}?saved=4")
    assert "Customer onboarding to first renewal" in text(page, "h1")
    page.goto(f"/maps/{MAP_ID}/versions")
    assert "Version 4" in text(page)
    page.click("a:has-text('Version 3')")
    assert "An earlier version, read-only" in text(page)
    assert MAP_TITLE in text(page, "h1")


def test_add_an_idea_and_see_it_on_the_board(tab: Watched) -> None:
    page = tab.page
    page.goto(f"/ideas?map={MAP_ID}")
    form = page.locator(f"form[action='/ideas/{MAP_ID}']")
    form.locator("input[name=title]").fill("Import checklist <b>before</b> kickoff")
    form.locator("select[name=addresses]").select_option(["imports-data", "pays-invoice"])
    form.locator("select[name=status]").select_option("planned")
    form.locator("button:has-text('Add idea')").click()

    page.wait_for_url(re.compile(r"done=added"))
    assert "Added “Import checklist <b>before</b> kickoff”: planned." in text(page, "#notice")
    planned = page.locator("section.column[data-status=planned]")
    card = planned.locator("article.idea", has_text="Import checklist <b>before</b> kickoff")
    assert card.count() == 1
    seen = card.inner_text()
    assert "Imports historic data and connects tools" in seen
    assert "Receives and pays the first invoice" in seen
    assert "Hand-off to the partner loses context" in seen  # the problem area on the step it addresses
    assert card.locator("b").count() == 0  # the title is text, never markup

    card.locator("select[name=status]").select_option("in-progress")
    card.locator("button:has-text('Move')").click()
    page.wait_for_url(re.compile(r"done=moved"))
    assert "Moved “Import checklist <b>before</b> kickoff”: in-progress." in text(page, "#notice")
    moved = page.locator("section.column[data-status=in-progress] article.idea", has_text="Import checklist")
    assert moved.count() == 1
    assert page.locator("section.column[data-status=planned] article.idea", has_text="Import checklist").count() == 0


def test_one_headline_on_the_report_the_map_page_and_the_findings_page(
    tab: Watched, web: Server, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    done = run_cxmap("report", str(web.workspace), "--map", MAP_ID, "--quiet", "-o", str(report))
    assert done.returncode == 0, done.stderr
    page = tab.page
    page.set_content(report.read_text(encoding="utf-8"))  # the file as a reader opens it, offline
    on_report = page.inner_text(".cx-headline")
    page.goto(f"{web.url}/maps/{MAP_ID}")
    on_map = page.inner_text(".headline")
    page.goto(f"{web.url}/findings?map={MAP_ID}")
    on_findings = page.inner_text(".headline")
    assert on_report == on_map == on_findings
    assert re.search(r"^The hottest spot is .+: renewal \d+% after a good experience against \d+%", on_report)
    assert "renewal against churn-notice, as the map's measure sets it" in text(page)
