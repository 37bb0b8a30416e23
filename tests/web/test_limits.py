"""What every answer carries and what no body can do: security headers, the 10 MB body limit, one error shape.

The limit is checked on the shared live server with its real limit, on routes that read the body in three
ways: FastAPI parsing a form (`POST /login`), a dependency reading the form (the CSRF check of
`POST /logout`) and a route reading the raw body (`POST /api/events`). The refused bodies are no valid form
or batch, so a body let through would get 400, 403 or 422, never 413, and would change nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxmap.web.middleware import BodyLimit
from tests.web.conftest import Server

TOO_LARGE = {
    "error": {
        "code": "too_large",
        "message": "the request body is over 10,000,000 bytes; send a smaller batch",
        "details": [],
    }
}
HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
FORM = "application/x-www-form-urlencoded"


def form_fields() -> Iterator[bytes]:
    """10.5 MB of form fields of 500 KB each (a single field over 1 MB, or over 1,000 fields, would hit
    Starlette's own form limits first)."""
    for i in range(21):
        yield b"f%d=%s&" % (i, b"y" * 500_000)


def form_parts() -> Iterator[bytes]:
    for i in range(21):
        yield b'--cut\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n%s\r\n' % (i, b"y" * 500_000)
    yield b"--cut--\r\n"


def raw_bytes() -> Iterator[bytes]:
    for _ in range(11):
        yield b"x" * 1_000_000


def security_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in HEADERS if name in response.headers}


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/login", FORM, form_fields),
        ("/login", "multipart/form-data; boundary=cut", form_parts),
        ("/logout", FORM, form_fields),
        ("/api/events", "application/json", raw_bytes),
    ],
)
def test_a_chunked_body_over_the_limit_gets_413(
    server: Server, path: str, content_type: str, body: Callable[[], Iterator[bytes]]
) -> None:
    """No Content-Length: the body is counted as it arrives, and refused in the one error shape."""
    headers = {"Content-Type": content_type}
    if path.startswith("/api/"):  # an admin may load events; the forms are read without a token
        headers["Authorization"] = f"Bearer {server.token_admin}"
    with server.client() as client:
        response = client.post(path, content=body(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert security_headers(response) == HEADERS


def test_a_declared_length_over_the_limit_gets_413_unread(server: Server) -> None:
    with server.client() as client:
        response = client.post("/login", content=b"y" * 10_000_001, headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert security_headers(response) == HEADERS


def test_every_answer_carries_the_security_headers(server: Server) -> None:
    with server.client() as client:
        answers = [
            client.get("/login"),
            client.get("/maps"),  # a redirect to the login page
            client.get("/api/maps"),  # 401
            client.get("/api/maps", headers={"Authorization": f"Bearer {server.token_viewer}"}),
            client.get("/no-such-page"),
        ]
    assert [a.status_code for a in answers] == [200, 303, 401, 200, 404]
    for answer in answers:
        assert security_headers(answer) == HEADERS, answer.request.url


def test_starlettes_own_errors_have_the_one_shape(server: Server) -> None:
    """No route, a wrong method and a form over Starlette's own limits answer like every other error."""
    with server.client() as client:
        nowhere = client.get("/api/no-such-thing")
        wrong = client.get("/api/events", headers={"Authorization": f"Bearer {server.token_viewer}"})
        huge = client.post("/login", data={"username": "vera", "password": "y" * 1_100_000})
    assert (nowhere.status_code, nowhere.json()) == (
        404,
        {"error": {"code": "not_found", "message": "Not Found", "details": []}},
    )
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
    assert wrong.json() == {"error": {"code": "method_not_allowed", "message": "Method Not Allowed", "details": []}}
    assert huge.status_code == 400
    assert huge.headers["content-type"].startswith("text/html")
    assert "Field exceeded maximum size of 1024KB." in huge.text


# The limit in process, for what a live server cannot easily show.


def run(app: ASGIApp, chunks: list[bytes]) -> tuple[list[Message], list[Message]]:
    """Call BodyLimit (limit 10 bytes) around `app` with a chunked body; what the app received, what was sent."""
    scope: Scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    received: list[Message] = []
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    async def spy(scope: Scope, receive: Receive, send: Send) -> None:
        async def recorded() -> Message:
            received.append(await receive())
            return received[-1]

        await app(scope, recorded, send)

    refusal = JSONResponse({"error": "too large"}, 413)
    # A thread of its own: a browser test earlier in the session may leave an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, BodyLimit(spy, 10, refusal)(scope, receive, send)).result()
    return received, sent


def test_the_app_is_told_the_client_left_and_its_failure_stays_inside() -> None:
    async def reads_then_fails(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive())["type"] == "http.request":
            pass
        raise RuntimeError("the body ended early")

    received, sent = run(reads_then_fails, [b"123456", b"789012", b"never read"])
    assert [m.get("body") for m in received] == [b"123456", None]
    assert received[-1] == {"type": "http.disconnect"}
    assert [(m["type"], m.get("status")) for m in sent] == [("http.response.start", 413), ("http.response.body", None)]


def test_a_response_already_started_is_cut_short() -> None:
    async def streams_while_reading(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (await receive())["type"] == "http.request":
            await send({"type": "http.response.body", "body": b"chunk", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    _, sent = run(streams_while_reading, [b"123456", b"789012"])
    assert [(m["type"], m.get("status"), m.get("body")) for m in sent] == [
        ("http.response.start", 200, None),
        ("http.response.body", None, b"chunk"),
    ]
