"""Plain ASGI middleware: security headers on every response (a failure's 500 included), no NUL characters
in a request's path or query, and a limit on request bodies.

Plain ASGI rather than `@app.middleware("http")` (Starlette's BaseHTTPMiddleware): that one runs each
request through a task group and a streamed copy of the response, about 0.25 ms of CPU a request, and it
wraps an error raised while a route reads the body in an exception group, which most routes answered 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

GONE: Message = {"type": "http.disconnect"}
LOG = logging.getLogger("cxmap.web")


class SecurityHeaders:
    """Add these headers to every HTTP response that does not set them itself. An error nothing else
    answered becomes `failure` (a 500 in the API's error shape) here, inside this middleware, so that it
    carries the headers too; its traceback goes to the server's log, never to the caller."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str], failure: Response) -> None:
        self.app, self.failure = app, failure
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.headers if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            LOG.exception("unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # half an answer is already out: the connection is cut, as the server does
            await self.failure(scope, receive, with_headers)


class NoNul:
    """Refuse (with `refusal`, a 400) a request whose path or query holds a NUL character: no name, id or
    value of cxmap has one, and the stores below treat it as the end of a string."""

    def __init__(self, app: ASGIApp, refusal: Response) -> None:
        self.app, self.refusal = app, refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope.get("query_string", b""))
        ):
            await self.refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Answer `refusal` (a 413) to a request whose body is over `limit` bytes, so nothing is half-processed.

    A declared Content-Length is checked before the app runs. A body without one (chunked) is counted as it
    arrives: past the limit, the refusal is sent from here, the app is told the client is gone and whatever
    it sends afterwards is dropped, so no route can turn the refusal into another answer or a 500. If the
    app had already started its response, that response is cut short instead.
    """

    def __init__(self, app: ASGIApp, limit: int, refusal: Response) -> None:
        self.app, self.limit, self.refusal = app, limit, refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)  # ASGI: names in lower case
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self.refusal(scope, receive, send)
            return
        seen, started, refused = 0, False, False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return GONE
            message = await receive()
            seen += len(message.get("body", b""))
            if seen <= self.limit:
                return message
            refused = True
            if not started:
                await self.refusal(scope, receive, send)
            return GONE

        async def guarded(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise
            # The app failed on the body it was cut off from; the request has had its answer.
