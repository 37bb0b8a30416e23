"""The JSON API: the same bodies as the CLI's --json, documented by the OpenAPI schema at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from cxmap.web.deps import require
from cxmap.web.maps import map_summaries

router = APIRouter(prefix="/api", dependencies=[Depends(require("viewer"))], tags=["api"])


@router.get("/maps", summary="The maps of the workspace")
def list_maps(request: Request) -> list[dict[str, Any]]:
    return map_summaries(request.app.state.cx.workspace)
