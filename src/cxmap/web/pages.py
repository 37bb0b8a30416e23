"""Page rendering: one Jinja2 environment (autoescape on) for every server-rendered page."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cxmap import __version__
from cxmap.web.deps import principal, session


@cache
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("cxmap.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    env.globals["version"] = __version__
    return env


def _csrf(request: Request) -> str:
    current = session(request)
    return current.csrf if current else ""


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the signed-in user and the CSRF token every form needs."""
    html = (
        templates()
        .get_template(name)
        .render(
            request=request,
            user=principal(request),
            csrf=_csrf(request),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status)
