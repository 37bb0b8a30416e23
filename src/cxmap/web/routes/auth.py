"""Signing in and out. The only pages reachable without a session."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxmap.service.users import SESSION_DAYS, LoginThrottle
from cxmap.web.deps import SESSION_COOKIE, auth_store, csrf_checked, session_cookie, session_id
from cxmap.web.pages import page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user to another site after login."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html.j2", next=_safe_next(next), failed=False)


def _same_site(request: Request) -> None:
    """Sign-in has no session yet, so no CSRF token: refuse a form posted from another site, by the headers
    every current browser sends with it (Sec-Fetch-Site, Origin). Without this, another site could sign a
    visitor in as the attacker, and what the visitor then types would land in the attacker's account."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    foreign = origin is not None and urlparse(origin).netloc != host
    if request.headers.get("sec-fetch-site") == "cross-site" or foreign:
        raise HTTPException(403, "sign in from this site's own sign-in page")


@router.post("/login", dependencies=[Depends(_same_site)])
def login(
    request: Request,
    username: str = Form(..., max_length=200),
    password: str = Form(..., max_length=500),
    next: str = Form("/"),
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    client = request.client.host if request.client else "unknown"
    throttle.check(username, client)  # too many failures lately: 429, before any password is verified
    who = auth_store(request).login(username, password)
    if who is None:
        throttle.failed(username, client)
        return page(request, "login.html.j2", 401, next=_safe_next(next), failed=True)
    throttle.succeeded(username)
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(request, auth_store(request).start_session(who)),
        max_age=SESSION_DAYS * 86_400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", dependencies=[Depends(csrf_checked)])
def logout(request: Request) -> Response:
    """Sign out: the session ends on the server, so a copy of the cookie opens nothing any more."""
    found = session_id(request)
    if found:
        auth_store(request).end_session(found)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
