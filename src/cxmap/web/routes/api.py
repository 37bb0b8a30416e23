"""The JSON API: the same bodies as the CLI's --json, documented by the OpenAPI schema at /api/openapi.json.

Routes are thin: check the query, call one service (or the in-memory snapshot, see web/snapshot.py),
return its answer. Answers with an as-of moment carry `X-Cxmap-As-Of`; answers from the snapshot also
`X-Cxmap-Fresh-At` (when it was computed). Reading needs the viewer role; loading events needs admin.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from cxmap.errors import CxmapError
from cxmap.model import Map
from cxmap.model.schema import MapFile
from cxmap.service import accounts as service
from cxmap.service.analysis import analyze
from cxmap.service.inputs import FIRST_DAY, LAST_DAY
from cxmap.service.intake import SCALES, Options
from cxmap.service.maps import map_summaries, the_one_with
from cxmap.service.store import quarantine as quarantine_rows
from cxmap.service.store import status as workspace_status
from cxmap.service.types import (
    AccountDetail,
    AccountRow,
    Alert,
    CustomerDetail,
    Findings,
    GateAnswer,
    Milestone,
    Verification,
    answer_json,
)
from cxmap.service.types import Request as AnalysisRequest
from cxmap.service.users import Principal
from cxmap.web import measure, schemas
from cxmap.web.deps import principal, require
from cxmap.web.intake import event_lines, load_events
from cxmap.web.snapshot import Live, live
from cxmap.web.words import WEB
from cxmap.workspace import Workspace

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorBody, "description": text}
    for code, text in {
        400: "The request cannot be answered as asked.",
        401: "No session and no API token (Authorization: Bearer ...).",
        403: "The caller's role may not do this.",
        404: "No such map, account or customer.",
        422: "A parameter or the body is not valid.",
        503: "The store is busy with a load; retry shortly.",
    }.items()
}


def allow(role: str) -> Callable[[Request], Awaitable[Principal]]:
    """`deps.require(role)`, run on the event loop rather than in two worker-thread hops per request (a
    token check is one indexed SQLite read): the account and gate answers are a lookup, so the hops count."""
    check = require(role)

    async def allowed(request: Request) -> Principal:
        return check(request, principal(request))

    return allowed


router = APIRouter(prefix="/api", dependencies=[Depends(allow("viewer"))], tags=["api"], responses=ERRORS)

AsOf = Annotated[
    date | None,
    Query(
        description="Answer as of the end of this day (YYYY-MM-DD, the workspace's time zone); "
        "default: the latest event (answered from a snapshot refreshed after each load).",
        ge=FIRST_DAY,
        le=LAST_DAY,
    ),
]
MapId = Annotated[str | None, Query(alias="map", description="A map id (see GET /api/maps).", max_length=200)]
Id = Annotated[str, Path(min_length=1, max_length=200)]
Day = Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="A day (YYYY-MM-DD).")]
AS_OF_HEADER, FRESH_HEADER = "X-Cxmap-As-Of", "X-Cxmap-Fresh-At"


class Body(JSONResponse):
    """JSON; a NaN or infinity (never expected) becomes null rather than invalid JSON or a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except ValueError:
            return super().render(_finite(content))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _answer(content: Any, as_of: str | None = None, fresh: datetime | None = None) -> Response:
    """A service's answer as JSON (`answer_json`: the typed answers dumped), with its as-of and freshness."""
    headers = {}
    if as_of:
        headers[AS_OF_HEADER] = as_of
    if fresh:
        headers[FRESH_HEADER] = fresh.isoformat()
    return Body(answer_json(content), headers=headers)


def _invalid(where: str, message: str) -> RequestValidationError:
    """A 422 in the API's error shape, for checks the schema cannot express (they depend on the workspace)."""
    return RequestValidationError([{"loc": ("query", where), "msg": message, "type": "value_error"}])


def _live(request: Request) -> Live:
    return live(request.app.state)


def _workspace(request: Request) -> Workspace:
    return request.app.state.cx.workspace  # type: ignore[no-any-return]


def _map(request: Request, map_id: str | None, needs: str | None = None) -> Map | None:
    """The map with this id (only ids of the workspace's maps/, never a path). With `needs` (milestones,
    verifications) and no id: the one map that has them, if there is exactly one."""
    state = request.app.state.cx
    if map_id is None:
        if needs is None:
            return None
        try:
            return the_one_with([m for _, m in measure.valid_maps(state)], needs)
        except CxmapError as exc:
            raise _invalid("map", exc.worded(WEB)) from None
    try:
        return measure.find(state, map_id)[1]
    except CxmapError:
        raise _invalid("map", f"no map '{map_id}' in this workspace; see GET /api/maps") from None


def _gate_action(ws: Workspace, action: str) -> str:
    if action not in ws.settings.accounts.gates:
        raise _invalid("action", f"unknown action '{action}'; use one of: {', '.join(ws.settings.accounts.gates)}")
    return action


def _direct(request: Request, as_of: date | None, the_map: Map | None, answer: Any) -> Response:
    """Compute an answer directly (an explicit as-of or a map): a service call on a fresh context.

    On an engine that is not interactive (Spark), the answer to each distinct request is kept until the
    store changes, so asking again runs no job; `X-Cxmap-Fresh-At` then says when it was computed.
    """
    live = _live(request)

    def compute() -> tuple[Any, str]:
        with live.context(as_of, the_map.id if the_map else None) as ctx:
            return answer_json(answer(ctx)), ctx.as_of.iso()

    (content, at), fresh = live.state.slow_cached(partial(_request_key, request), compute)
    return _answer(content, at, fresh)


def _request_key(request: Request) -> tuple[Any, ...]:
    """What a kept answer depends on: the request, and every map file (an edited map changes answers, and
    which map is used when none is named)."""
    return (request.url.path, request.url.query, measure.maps_stamp(request.app.state.cx))


def _fast(request: Request, answer: Any) -> Response:
    """Answer from the snapshot of the store at the default as-of."""
    snap, at = _live(request).snapshot()
    return _answer(answer(snap), snap.as_of.iso(), at)


async def _fast_inline(request: Request, answer: Any) -> Response:
    """`_fast` on the event loop when the snapshot is current (a lookup of well under a millisecond), in
    a worker thread when it must be computed first."""
    found = _live(request).current()
    if found is None:
        return await run_in_threadpool(_fast, request, answer)
    return _answer(answer(found[0]), found[0].as_of.iso(), found[1])


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request) -> Response:
    """The OpenAPI schema, for signed-in callers and tokens only, as every other part of the API."""
    return JSONResponse(request.app.openapi())


@router.get("/maps", summary="The maps of the workspace", response_model=list[schemas.MapSummary])
def list_maps(request: Request) -> Response:
    return _answer(map_summaries(_workspace(request)))


@router.get("/maps/{map_id}", summary="One map, as written in its file (JSON)", response_model=MapFile)
def get_map(request: Request, map_id: Id) -> Response:
    return _answer(measure.find(request.app.state.cx, map_id)[1].model_dump(mode="json"))


@router.get(
    "/findings",
    summary="Every finding of the map measured from the events (`cxmap analyze --json`)",
    response_model=Findings,
)
def findings(
    request: Request,
    map_id: MapId = None,
    outcome: Annotated[str | None, Query(max_length=200, description="Touchpoint that is the outcome.")] = None,
    outcome_negative: Annotated[str | None, Query(max_length=200, description="Its opposite.")] = None,
    since: Day = None,
    until: Day = None,
    segment: Annotated[str | None, Query(max_length=200, description="Split touchpoint stats by this.")] = None,
    period: Literal["week", "month", "quarter", "year"] | None = None,
    top: Annotated[int | None, Query(ge=1, le=1000, description="How many journey variants.")] = None,
) -> Response:
    ws = _workspace(request)
    ask = AnalysisRequest(
        _map(request, map_id), outcome, outcome_negative, since, until, segment, period, thresholds={}, top=top
    )
    live = _live(request)
    found, fresh = live.state.slow_cached(
        partial(_request_key, request), lambda: live.read(lambda: analyze(ws, ask).model_dump(mode="json"))
    )
    return _answer(found, fresh=fresh)


@router.get(
    "/accounts",
    summary="Every account's experience, worst first (`cxmap accounts --json`)",
    response_model=list[AccountRow],
)
def list_accounts(
    request: Request,
    as_of: AsOf = None,
    worst: Annotated[int | None, Query(ge=1, description="Only the N worst accounts.")] = None,
    policy: Literal["worst", "mean", "weighted"] | None = None,
) -> Response:
    if as_of is None and policy in (None, _workspace(request).settings.accounts.policy):
        return _fast(request, lambda snap: snap.accounts_answer(worst))
    return _direct(request, as_of, None, lambda ctx: service.accounts(ctx, worst, policy))


@router.get(
    "/accounts/{account_id}",
    summary="One account: contacts, gating answers, open alerts, timeline (`cxmap account --json`)",
    response_model=AccountDetail,
)
async def get_account(request: Request, account_id: Id, as_of: AsOf = None, map_id: MapId = None) -> Response:
    if as_of is None and map_id is None:
        return await _fast_inline(request, lambda snap: snap.account(account_id))
    the_map = await run_in_threadpool(_map, request, map_id)
    answer = partial(service.account, account_id=account_id)
    return await run_in_threadpool(_direct, request, as_of, the_map, answer)


@router.get(
    "/customers/{customer_id}",
    summary="One person's journey (`cxmap customer --json`)",
    response_model=CustomerDetail,
)
def get_customer(request: Request, customer_id: Id, as_of: AsOf = None, map_id: MapId = None) -> Response:
    the_map = _map(request, map_id)
    return _direct(request, as_of, the_map, lambda ctx: service.customer(ctx, customer_id))


@router.get(
    "/gate/{customer_id}",
    summary="May we ask this contact now? (`cxmap gate --json`; a refusal is an answer, not an error)",
    response_model=GateAnswer,
)
async def get_gate(
    request: Request,
    customer_id: Id,
    action: Annotated[str, Query(max_length=100, description="A configured action: review, referral, ...")] = "review",
    as_of: AsOf = None,
) -> Response:
    chosen = _gate_action(_workspace(request), action)
    if as_of is None:
        return await _fast_inline(request, lambda snap: snap.gate(customer_id, chosen))
    answer = partial(service.gate_answer, customer_id=customer_id, action=chosen)
    return await run_in_threadpool(_direct, request, as_of, None, answer)


@router.get(
    "/alerts",
    summary="Open service-recovery alerts, overdue first (`cxmap alerts --json`)",
    response_model=list[Alert],
)
def list_alerts(request: Request, as_of: AsOf = None) -> Response:
    if as_of is None:
        return _fast(request, lambda snap: snap.alerts)
    return _direct(request, as_of, None, service.alerts)


@router.get(
    "/milestones",
    summary="Every account's milestones of a map (`cxmap milestones --json`)",
    description="`map` may be left out when exactly one map of the workspace has milestones.",
    response_model=list[Milestone],
)
def list_milestones(
    request: Request,
    map_id: MapId = None,
    status: Literal["done", "late", "overdue", "upcoming"] | None = None,
    as_of: AsOf = None,
) -> Response:
    the_map = _map(request, map_id, "milestones")
    return _direct(request, as_of, the_map, lambda ctx: service.milestone_list(ctx, status))


@router.get(
    "/verify",
    summary="Every verification of a map measured against its target (`cxmap verify --json`)",
    description="`map` may be left out when exactly one map of the workspace has verifications.",
    response_model=list[Verification],
)
def list_verifications(request: Request, map_id: MapId = None, as_of: AsOf = None) -> Response:
    the_map = _map(request, map_id, "verifications")
    return _direct(request, as_of, the_map, service.verification_list)


@router.get("/status", summary="What is in the workspace (`cxmap status --json`)", response_model=schemas.Status)
def get_status(request: Request) -> Response:
    ws = _workspace(request)
    return _answer(_live(request).read(lambda: workspace_status(ws)))


@router.get(
    "/quarantine",
    summary="Rows that could not be loaded (`cxmap quarantine --json`)",
    response_model=schemas.Quarantine,
)
def get_quarantine(
    request: Request,
    load: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only rows of this load.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many rows.")] = 50,
) -> Response:
    ws = _workspace(request)
    return _answer(_live(request).read(lambda: quarantine_rows(ws, load_id=load, limit=limit)))


@router.post(
    "/events",
    summary="Load one event or a batch (`cxmap ingest`: the same validation, normalisation, idempotency "
    "and quarantine); admin only",
    description="The body is one event (a JSON object) or an array of them, loaded in one transaction. Events "
    "that cannot be read go to the quarantine with their position in the batch (from 1) as the line; "
    "posting the same events again loads nothing. `warnings` names keys that look like a score or a comment but "
    "were kept as attributes. With `strict=true`, nothing is loaded if any event would be quarantined or any "
    "such key was found (422).",
    dependencies=[Depends(allow("admin"))],
    openapi_extra={"requestBody": schemas.EVENTS_BODY},
    response_model=schemas.LoadResult,
)
async def post_events(
    request: Request,
    background: BackgroundTasks,
    scale: Annotated[str, Query(max_length=20, description=f"Scale of `score`: {', '.join(SCALES)}.")] = "0-10",
    strict: Annotated[
        bool,
        Query(
            description="Load nothing if an event would be quarantined or a key looks like a score or comment kept "
            "as an attribute."
        ),
    ] = False,
) -> Response:
    if scale not in SCALES:
        raise _invalid("scale", f"unknown scale '{scale}'; use one of: {', '.join(SCALES)}")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return Body(
            {
                "error": {
                    "code": "unsupported_media_type",
                    "message": "send the events as application/json",
                    "details": [],
                }
            },
            415,
        )
    lines = event_lines(await request.body())  # over the limit, BodyLimit answers 413
    state = _live(request)
    result = await run_in_threadpool(load_events, state, lines, Options(kind="events", scale=scale, strict=strict))
    background.add_task(state.refresh)  # the snapshot is computed again right after the answer is sent
    return _answer(result)
