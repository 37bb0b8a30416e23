"""Editing in the browser: roles and CSRF guard every write; problems shown in place; saves make versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from ruamel.yaml import YAML

from tests.web.conftest import Server
from tests.web.restore import maps_restored

MAP_ID = "b2b-onboarding"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
BASE = re.compile(r'name="base" value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def restored(server: Server) -> Iterator[None]:
    """Every test here starts from (and leaves) the example maps with no history."""
    with maps_restored(server.workspace):
        yield


def map_file(server: Server) -> Path:
    return server.workspace / "maps" / f"{MAP_ID}.yaml"


def history(server: Server) -> Path:
    return server.workspace / ".cxmap" / "history" / MAP_ID


def form_token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found[1]


def yaml_of(path: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_viewer_sees_no_edit_controls_and_cannot_write(server: Server) -> None:
    vera = server.client("vera")
    before = map_file(server).read_bytes()
    token = form_token(vera, "/ideas")
    board = vera.get("/ideas").text
    assert "Shared brief so the partner never asks the customer twice" in board
    assert "Add an idea" not in board
    assert "/move" not in board
    assert ">Edit<" not in vera.get(f"/maps/{MAP_ID}/versions").text
    assert vera.get(f"/maps/{MAP_ID}/edit").status_code == 403

    writes = [
        (f"/maps/{MAP_ID}/edit", {"csrf": token, "text": before.decode(), "action": "save"}),
        (f"/ideas/{MAP_ID}", {"csrf": token, "title": "Viewer idea", "status": "proposed"}),
        (f"/ideas/{MAP_ID}/partner-brief/move", {"csrf": token, "status": "done"}),
    ]
    for path, data in writes:
        for sent in (data, {k: v for k, v in data.items() if k != "csrf"}):
            response = vera.post(path, data=sent)
            assert response.status_code == 403, path
            assert "needs the editor role" in response.text
    assert map_file(server).read_bytes() == before
    assert not history(server).exists()


def test_every_write_needs_the_csrf_token(server: Server) -> None:
    eddie = server.client("eddie")
    before = map_file(server).read_bytes()
    text = before.decode().replace("title: New customer", "title: Changed customer", 1)
    for data in ({}, {"csrf": "not-the-token"}):
        assert eddie.post(f"/maps/{MAP_ID}/edit", data={**data, "text": text, "action": "save"}).status_code == 403
        assert eddie.post(f"/ideas/{MAP_ID}", data={**data, "title": "No token"}).status_code == 403
        assert eddie.post(f"/ideas/{MAP_ID}/partner-brief/move", data={**data, "status": "done"}).status_code == 403
    # The token of another session does not work either.
    other = form_token(server.client("ada"), "/ideas")
    assert eddie.post(f"/ideas/{MAP_ID}", data={"csrf": other, "title": "Stolen token"}).status_code == 403
    assert map_file(server).read_bytes() == before


def test_the_editor_shows_the_yaml_with_check_and_save(server: Server) -> None:
    page = server.client("eddie").get(f"/maps/{MAP_ID}/edit")
    assert page.status_code == 200
    assert escape(map_file(server).read_text(encoding="utf-8")) in page.text
    assert 'value="check"' in page.text
    assert 'value="save"' in page.text
    assert "makes this text version 4" in page.text


def test_an_invalid_map_shows_each_problem_at_its_line_and_writes_nothing(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, f"/maps/{MAP_ID}/edit")
    before = map_file(server).read_bytes()
    lines = before.decode().splitlines()
    bad_ref = next(i for i, line in enumerate(lines) if line.strip() == "- id: imports-data") + 3  # 1-based
    bad_grade = next(i for i, line in enumerate(lines) if line.strip() == "- id: pays-invoice") + 4
    assert lines[bad_ref - 1].strip().startswith("touchpoints:")
    assert lines[bad_grade - 1].strip().startswith("emotion:")
    lines[bad_ref - 1] = "        touchpoints: [no-such-touchpoint]   # typo'd on purpose"
    lines[bad_grade - 1] = "        emotion: 14"
    text = "\r\n".join(lines) + "\r\n"  # as a browser sends a text area

    response = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "save"})

    assert response.status_code == 422
    page = response.text
    assert "2 problems: nothing was saved." in page
    where_ref = f"maps/{MAP_ID}.yaml:{bad_ref}:"
    where_grade = f"maps/{MAP_ID}.yaml:{bad_grade}:"
    assert where_ref in page
    assert where_grade in page
    assert "names touchpoint &#39;no-such-touchpoint&#39;, which is not defined" in page
    # In place: the line itself, highlighted, with the message under it and a link from the list.
    assert f'<tr id="L{bad_ref}" class="hit error">' in page
    assert f'<tr id="L{bad_grade}" class="hit error">' in page
    assert f'href="#L{bad_ref}" data-line="{bad_ref}"' in page
    assert "touchpoints: [no-such-touchpoint]   # typo&#39;d on purpose" in page
    assert f'<span class="error">{bad_ref}</span>' in page  # the gutter marks the line too
    # The text is kept (with LF line ends) and nothing is written.
    assert escape(text.replace("\r\n", "\n")) in page
    assert map_file(server).read_bytes() == before
    assert not history(server).exists()


def test_a_yaml_syntax_error_is_located(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, f"/maps/{MAP_ID}/edit")
    text = map_file(server).read_text(encoding="utf-8").replace("kind: ideal", "kind: [ideal", 1)
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("kind: [ideal"))
    response = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "check"})
    assert response.status_code == 422
    assert "not valid YAML" in response.text
    assert re.search(rf'<tr id="L{line + 1}" class="hit error">|<tr id="L{line}" class="hit error">', response.text)


def test_check_on_a_valid_map_previews_it_and_writes_nothing(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, f"/maps/{MAP_ID}/edit")
    before = map_file(server).read_bytes()
    text = before.decode().replace("title: New customer", "title: Checked customer", 1)
    response = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "check"})
    assert response.status_code == 200
    assert "No problems: this text is a valid map. Save it to make it version 4." in response.text
    assert '<div class="preview" id="preview"><svg' in response.text
    assert map_file(server).read_bytes() == before


def test_a_save_makes_a_new_version_keeps_comments_and_the_old_one(server: Server) -> None:
    eddie = server.client("eddie")
    editor = eddie.get(f"/maps/{MAP_ID}/edit").text
    token, base = CSRF.search(editor)[1], BASE.search(editor)[1]  # type: ignore[index]
    before = map_file(server).read_bytes()
    text = before.decode().replace(
        "title: New customer onboarding to first renewal",
        "title: Onboarding to first renewal   # shorter, after the review\n# A comment of our own",
        1,
    )

    response = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "save", "base": base})

    assert response.status_code == 303
    assert response.headers["location"] == f"/maps/{MAP_ID}?saved=4"
    saved = map_file(server).read_text(encoding="utf-8")
    assert saved == text.replace("version: 3", "version: 4")  # only the version changed from what was sent
    assert "# shorter, after the review" in saved
    assert saved.startswith("# The ideal journey of a mid-market customer")
    assert (history(server) / "3.yaml").read_bytes() == before

    versions = eddie.get(f"/maps/{MAP_ID}/versions").text
    assert 'Version 4</a> <span class="chip">current</span>' in versions
    assert f'href="/maps/{MAP_ID}/versions/3"' in versions
    assert "eddie" in versions
    old = server.client("vera").get(f"/maps/{MAP_ID}/versions/3")
    assert old.status_code == 200
    assert "An earlier version, read-only" in old.text
    assert "New customer onboarding to first renewal" in old.text  # drawn as it was
    assert '<div class="drawing" id="drawing"><svg' in old.text
    assert "Onboarding to first renewal" in old.text  # the change since
    assert "<form" not in old.text.split("</header>", 1)[1]  # nothing to edit there

    # The same text again changes nothing; an editor that started from version 3 cannot overwrite 4.
    again = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": saved, "action": "save"})
    assert again.headers["location"] == f"/maps/{MAP_ID}/versions?unchanged=1"
    stale = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "save", "base": base})
    assert stale.status_code == 409
    assert "was saved by someone else (now version 4)" in stale.text
    assert map_file(server).read_text(encoding="utf-8") == saved
    assert sorted(p.name for p in history(server).glob("*.yaml")) == ["3.yaml"]


def test_a_save_never_overwrites_a_kept_version(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, f"/maps/{MAP_ID}/edit")
    history(server).mkdir(parents=True)
    (history(server) / "3.yaml").write_text("# kept by hand\n", encoding="utf-8")
    text = map_file(server).read_text(encoding="utf-8").replace("title: New", "title: Renamed", 1)
    assert eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "save"}).status_code == 303
    assert (history(server) / "3.yaml").read_text(encoding="utf-8") == "# kept by hand\n"
    assert "title: New customer" in (history(server) / "3-2.yaml").read_text(encoding="utf-8")
    assert eddie.get(f"/maps/{MAP_ID}/versions/3-2").status_code == 200
    assert eddie.get(f"/maps/{MAP_ID}/versions/9").status_code == 404
    assert eddie.get(f"/maps/{MAP_ID}/versions/..%2F..%2Fauth").status_code == 404


def test_the_map_id_cannot_change_in_the_editor(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, f"/maps/{MAP_ID}/edit")
    before = map_file(server).read_bytes()
    text = before.decode().replace(f"id: {MAP_ID}", "id: car-service-visit", 1)
    response = eddie.post(f"/maps/{MAP_ID}/edit", data={"csrf": token, "text": text, "action": "save"})
    assert response.status_code == 422
    assert "history and links follow it, so it cannot change here" in response.text
    assert map_file(server).read_bytes() == before


def test_adding_and_moving_an_idea_writes_the_yaml_as_new_versions(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, "/ideas")
    original = map_file(server).read_text(encoding="utf-8")
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    hostile = "<script>alert('x')</script> Guided import & a \"checklist\""

    added = eddie.post(
        f"/ideas/{MAP_ID}",
        data={"csrf": token, "title": hostile, "addresses": ["imports-data", "pays-invoice"], "status": "planned"},
    )

    assert added.status_code == 303
    assert "done=added" in added.headers["location"]
    data = yaml_of(map_file(server))
    idea = data["ideas"][-1]
    assert idea == {
        "id": "script-alert-x-script-guided-import-a-checklist",
        "title": hostile,
        "addresses": ["imports-data", "pays-invoice"],
        "status": "planned",
    }
    assert data["version"] == 4
    text = map_file(server).read_text(encoding="utf-8")
    assert all(c in text.splitlines() for c in comments)
    assert text.replace("version: 4", "version: 3", 1).startswith(original.rstrip("\n"))  # only appended
    assert (history(server) / "3.yaml").read_text(encoding="utf-8") == original

    board = eddie.get(added.headers["location"]).text
    assert "<script>alert" not in board
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Guided import &amp; a &#34;checklist&#34;" in board
    card = board.split(f'id="idea-{MAP_ID}-{idea["id"]}"', 1)[1].split("</article>", 1)[0]
    assert "Imports data" in card or "imports" in card.lower()
    assert "imports stall for a week on average" in card  # the problem area on the step it addresses
    assert "First invoice sometimes shows a proration nobody explained" in card
    assert 'role="status"' in board
    assert "is now version 4" in board

    moved = eddie.post(f"/ideas/{MAP_ID}/{idea['id']}/move", data={"csrf": token, "status": "done"})
    assert moved.status_code == 303
    data = yaml_of(map_file(server))
    assert data["ideas"][-1]["status"] == "done"
    assert data["version"] == 5
    assert all(c in map_file(server).read_text(encoding="utf-8").splitlines() for c in comments)
    assert sorted(p.name for p in history(server).glob("*.yaml")) == ["3.yaml", "4.yaml"]
    board = eddie.get(moved.headers["location"]).text
    done_column = board.split('data-status="done"', 1)[1].split("</section>", 1)[0]
    assert f'id="idea-{MAP_ID}-{idea["id"]}"' in done_column


def test_a_wrong_idea_is_refused_and_nothing_is_written(server: Server) -> None:
    eddie = server.client("eddie")
    token = form_token(eddie, "/ideas")
    before = map_file(server).read_bytes()
    unknown = eddie.post(f"/ideas/{MAP_ID}", data={"csrf": token, "title": "Ghost", "addresses": ["no-such-step"]})
    assert unknown.status_code == 422
    assert "has no step &#39;no-such-step&#39;" in unknown.text
    assert 'value="Ghost"' in unknown.text  # the form keeps what was typed
    assert eddie.post(f"/ideas/{MAP_ID}", data={"csrf": token, "title": "   "}).status_code == 422
    assert eddie.post(f"/ideas/{MAP_ID}", data={"csrf": token, "title": "x", "status": "someday"}).status_code == 422
    assert eddie.post(f"/ideas/{MAP_ID}/nope/move", data={"csrf": token, "status": "done"}).status_code == 404
    bad_status = eddie.post(f"/ideas/{MAP_ID}/partner-brief/move", data={"csrf": token, "status": "someday"})
    assert bad_status.status_code == 422
    assert eddie.post("/ideas/no-such-map", data={"csrf": token, "title": "x"}).status_code == 404
    assert map_file(server).read_bytes() == before
    assert not history(server).exists()


def test_the_board_has_a_column_per_status_and_filters_by_map(server: Server) -> None:
    vera = server.client("vera")
    board = vera.get(f"/ideas?map={MAP_ID}").text
    columns = re.findall(r'<section class="column" data-status="([a-z-]+)"', board)
    assert columns == ["proposed", "planned", "funded", "in-progress", "done", "dropped"]
    in_progress = board.split('data-status="in-progress"', 1)[1].split("</section>", 1)[0]
    assert "Shared brief so the partner never asks the customer twice" in in_progress
    assert "Hand-off to the partner loses context" in in_progress
    assert "Owner: Onboarding lead" in in_progress
    assert vera.get("/ideas?map=no-such-map").status_code == 404
