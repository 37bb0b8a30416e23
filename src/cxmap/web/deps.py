"""Who is asking, and may they: sessions (a signed cookie holding a session id kept server-side, with a
CSRF token), API tokens, roles.

Every route denies by default: a page or endpoint is reachable only through `require(role)`. A session
is looked up on every request (cxmap.service.users), so a logout, a removed user or a new role counts at
once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cxmap.service.users import SESSION_DAYS, AuthStore, Principal, Session

SESSION_COOKIE = "cxmap_session"


class LoginRequired(Exception):
    """An anonymous visitor asked for a page: send them to the login page."""


def signer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.signer  # type: ignore[no-any-return]


def auth_store(request: Request) -> AuthStore:
    return request.app.state.auth  # type: ignore[no-any-return]


def session_id(request: Request) -> str | None:
    """The session id of the signed cookie, or None when absent, tampered with or too old."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = signer(request).loads(raw, max_age=SESSION_DAYS * 86_400)
    except BadSignature:
        return None
    found = data.get("sid") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def session(request: Request) -> Session | None:
    """The caller's current session (looked up once per request), or None."""
    if "cx_session" not in request.scope:
        found = session_id(request)
        request.scope["cx_session"] = auth_store(request).session(found) if found else None
    current: Session | None = request.scope["cx_session"]
    return current


def session_cookie(request: Request, found: str) -> str:
    """The cookie's value for a session id: signed, so that a forged value is refused before any lookup."""
    return signer(request).dumps({"sid": found})


def principal(request: Request) -> Principal | None:
    """The caller: an API token (Authorization: Bearer ...) or a logged-in user."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth_store(request).check_token(header[7:].strip())
    current = session(request)
    return current.user if current else None


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def require(role: str) -> Callable[..., Principal]:
    """A dependency that lets through callers with at least `role`."""

    def check(request: Request, who: Principal | None = Depends(principal)) -> Principal:
        if who is None:
            if is_api(request):
                raise HTTPException(401, "sign in or send an API token (Authorization: Bearer ...)")
            raise LoginRequired()
        if not who.can(role):
            raise HTTPException(403, f"this needs the {role} role; you are {who.role}")
        return who

    return check


async def csrf_checked(request: Request) -> None:
    """Forms must carry the session's CSRF token (API calls with a bearer token need none)."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    form = await request.form()
    current = session(request)
    expected = current.csrf if current else None
    if not expected or not secrets.compare_digest(str(form.get("csrf", "")), str(expected)):
        raise HTTPException(403, "the form has expired or did not come from this site; reload the page and retry")
