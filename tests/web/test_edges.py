"""Odd requests get a clear 4xx, and even an unexpected failure answers in the API's shape with the
security headers (never a bare "Internal Server Error")."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cxmap.web.app import SECURITY_HEADERS, create_app
from cxmap.workspace import init_workspace
from tests.web.conftest import Server

NUL = {"code": "bad_request", "message": "a NUL character is not allowed in a path or a parameter", "details": []}


def has_security_headers(headers: object) -> bool:
    return all(getattr(headers, "get")(name) == value for name, value in SECURITY_HEADERS.items())  # noqa: B009


@pytest.mark.parametrize(
    "path",
    ["/accounts/x%00y", "/api/customers/x%00y", "/api/gate/x%00y", "/maps/b2b-onboarding?segment=owner:a%00b"],
)
def test_a_nul_character_in_a_path_or_parameter_is_a_400(server: Server, path: str) -> None:
    answer = server.client("vera").get(path)
    assert answer.status_code == 400
    assert answer.json()["error"] == NUL
    assert has_security_headers(answer.headers)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/accounts?as_of=9999-12-31", "as_of: '9999-12-31' is outside the days cxmap answers for"),
        ("/maps/b2b-onboarding?since=0001-01-01", "since: '0001-01-01' is outside the days cxmap answers for"),
    ],
)
def test_a_day_outside_1900_to_2999_is_refused_at_once(server: Server, path: str, message: str) -> None:
    answer = server.client("vera").get(path)
    assert answer.status_code == 400
    assert message in html.unescape(answer.text)
    assert has_security_headers(answer.headers)


def test_an_unexpected_failure_is_a_500_in_the_apis_shape_with_the_headers(tmp_path: Path) -> None:
    app = create_app(init_workspace(tmp_path / "ws").root)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug, with a secret detail")

    answer = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal"
    assert "secret detail" not in answer.text
    assert has_security_headers(answer.headers)
