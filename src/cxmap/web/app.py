"""`create_app`: the web app and API of one workspace."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from itsdangerous import URLSafeTimedSerializer
from starlette.exceptions import HTTPException

from cxmap import __version__
from cxmap.errors import Busy, BusyHere, CxmapError, InternalError, NotFound, Throttled, UsageError
from cxmap.service.inputs import WORKSPACE_VARIABLE
from cxmap.service.users import AuthStore, LoginThrottle
from cxmap.web.deps import LoginRequired, is_api
from cxmap.web.middleware import BodyLimit, NoNul, SecurityHeaders
from cxmap.web.pages import templates
from cxmap.web.routes import accounts_pages, api, auth, findings_pages, maps_pages, pages
from cxmap.web.routes.edit_pages import router as edit_router
from cxmap.web.state import AppState
from cxmap.web.words import WEB
from cxmap.workspace import open_workspace

BODY_LIMIT = 10_000_000  # bytes; a batch of events larger than this should be a file and `cxmap ingest`
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    503: "busy",
}
# The HTTP status of each kind of error, the first that matches (a subclass before its base); any other: 422.
STATUSES: dict[type[CxmapError], int] = {
    NotFound: 404,
    Busy: 503,
    UsageError: 400,
    Throttled: 429,
    InternalError: 500,
}
# A busy store is said in the server's words: its path and processes are not the caller's business.
BUSY: dict[type[CxmapError], str] = {
    BusyHere: "the store is being read by this server; retry shortly",
    Busy: "the store is busy with a load in another process; retry when it ends",
}


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _error(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if is_api(request):
        return JSONResponse(error_body(code, message, details), status, headers)
    page = templates().get_template("error.html.j2").render(status=status, message=message, user=None)
    return HTMLResponse(page, status, headers)


def _first(table: Mapping[type[CxmapError], Any], exc: CxmapError) -> Any:
    return next((value for kind, value in table.items() if isinstance(exc, kind)), None)


def create_app(workspace: Path | str, *, body_limit: int = BODY_LIMIT) -> FastAPI:
    """The app for one workspace: server-rendered pages, a JSON API under /api, one error handler."""
    ws = open_workspace(Path(workspace))
    store = AuthStore(ws.root)
    app = FastAPI(
        title="cxmap",
        version=__version__,
        description="Customer experience maps as code: the JSON API of one workspace.",
        openapi_url=None,  # served by the API's own router, behind its sign-in: GET /api/openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.auth = store
    app.state.throttle = LoginThrottle()
    app.state.signer = URLSafeTimedSerializer(store.secret_key(), salt="cxmap-session")
    app.state.cx = AppState(ws)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", 303)

    @app.exception_handler(HTTPException)  # Starlette's, so also its own: no such route, a form over its limits
    async def _http(request: Request, exc: HTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        return _error(request, exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [{"loc": list(map(str, e.get("loc", ()))), "message": e.get("msg", "")} for e in exc.errors()]
        return _error(request, 422, "invalid_request", "the request is not valid", details)

    @app.exception_handler(CxmapError)
    async def _cx(request: Request, exc: CxmapError) -> Response:
        """By the error's type, never its text: the status from STATUSES, the message in the web's terms."""
        status, message = _first(STATUSES, exc) or 422, _first(BUSY, exc) or exc.say(WEB)
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return _error(request, status, exc.code, message, [p.to_json() for p in exc.problems], headers)

    app.include_router(auth.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(maps_pages.router)
    app.include_router(findings_pages.router)
    app.include_router(accounts_pages.router)
    app.include_router(edit_router)
    too_large = error_body("too_large", f"the request body is over {body_limit:,} bytes; send a smaller batch")
    app.add_middleware(BodyLimit, limit=body_limit, refusal=JSONResponse(too_large, 413))
    nul = error_body("bad_request", "a NUL character is not allowed in a path or a parameter")
    app.add_middleware(NoNul, refusal=JSONResponse(nul, 400))
    failed = error_body("internal", "something unexpected went wrong; it is in the server's log")
    # The outermost: the 413, the 400 and a failure's 500 carry the headers too.
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS, failure=JSONResponse(failed, 500))
    return app


def from_environment() -> FastAPI:
    """The app for the workspace named by $CXMAP_WORKSPACE: what `cxmap serve` runs, by name, so that an
    ASGI server can run it the same way (`uvicorn --factory cxmap.web.app:from_environment`)."""
    folder = os.environ.get(WORKSPACE_VARIABLE)
    if not folder:
        raise CxmapError(f"set {WORKSPACE_VARIABLE} to the workspace folder the app serves")
    return create_app(folder)
