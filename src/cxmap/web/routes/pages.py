"""Pages every signed-in user can read: the home page. Other areas have routers of their own."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from cxmap.service.maps import all_maps
from cxmap.web.deps import require
from cxmap.web.pages import page

router = APIRouter(dependencies=[Depends(require("viewer"))], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return page(request, "maps.html.j2", maps=all_maps(request.app.state.cx.workspace))


@router.get("/maps", response_class=HTMLResponse)
def maps(request: Request) -> Response:
    return page(request, "maps.html.j2", maps=all_maps(request.app.state.cx.workspace))
