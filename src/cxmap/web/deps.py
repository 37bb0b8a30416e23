"""Who is asking, and may they: sessions (signed cookies with a CSRF token), API tokens, roles.

Every route denies by default: a page or endpoint is reachable only through `require(role)`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cxmap.service.users import AuthStore, Principal

SESSION_COOKIE = "cxmap_session"
SESSION_DAYS = 14


class LoginRequired(Exception):
    """An anonymous visitor asked for a page: send them to the login page."""


def signer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.signer  # type: ignore[no-any-return]


def auth_store(request: Request) -> AuthStore:
    return request.app.state.auth  # type: ignore[no-any-return]


def session(request: Request) -> dict[str, Any]:
    """The signed session cookie's content, or {} when absent, tampered with or expired."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return {}
    try:
        data = signer(request).loads(raw, max_age=SESSION_DAYS * 86_400)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def new_session(user: Principal) -> dict[str, Any]:
    return {"user": user.name, "role": user.role, "csrf": secrets.token_urlsafe(24)}


def principal(request: Request) -> Principal | None:
    """The caller: an API token (Authorization: Bearer ...) or a logged-in user."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth_store(request).check_token(header[7:].strip())
    data = session(request)
    if data.get("user") and data.get("role"):
        return Principal(str(data["user"]), str(data["role"]))
    return None


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
    expected = session(request).get("csrf")
    if not expected or not secrets.compare_digest(str(form.get("csrf", "")), str(expected)):
        raise HTTPException(403, "the form has expired or did not come from this site; reload the page and retry")
