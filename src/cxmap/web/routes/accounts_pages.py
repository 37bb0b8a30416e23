"""The account pages: every account worst first, one account (contacts, gating, alerts, milestones, timeline),
and one customer's journey. Answers come from :mod:`cxmap.service.accounts`, cached until the store changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxmap.errors import NotFound
from cxmap.model import Map
from cxmap.service import accounts as service
from cxmap.service.inputs import day as parse_day
from cxmap.service.types import AccountPlan, AsOf, answer_json
from cxmap.web import measure
from cxmap.web.charts import SERIES_COLOURS, Series, emotion_svg, month_label, tone
from cxmap.web.deps import require
from cxmap.web.pages import page
from cxmap.web.state import AppState

router = APIRouter(dependencies=[Depends(require("viewer"))], include_in_schema=False)
BANDS = {"bad": "Bad (4 or less)", "neutral": "Neutral", "good": "Good (7 or more)", "none": "No recent score"}
PER_PAGE = 50
TIMELINE_LIMIT = 300


def _state(request: Request) -> AppState:
    return request.app.state.cx  # type: ignore[no-any-return]


def _no_events(state: AppState) -> None:
    if not measure.has_events(state):
        raise NotFound("no events in this workspace yet: load some with `cxmap ingest`, then accounts show here")


def request_as_of(state: AppState, day: date | None) -> AsOf:
    """The request's as-of, resolved once (per store version) and passed to every answer the page shows, so
    that they are all as of the same moment and the page says its day (`AsOf.day`), never a UTC date."""

    return state.cached(("as-of", day), lambda: service.as_of(state.workspace, day))[0]


def all_accounts(state: AppState, as_of: AsOf) -> list[dict[str, Any]]:
    """Every account, worst first."""

    def compute() -> list[dict[str, Any]]:
        with session(state, as_of, None) as ctx:
            rows: list[dict[str, Any]] = answer_json(service.accounts(ctx))
            return rows

    return state.cached(("accounts", as_of), compute)[0]


def _default_map(state: AppState, wanted: str | None) -> Map | None:
    """The map whose milestones and touchpoints the account pages use: `wanted`, else the first with milestones."""
    if wanted:
        return measure.find(state, wanted)[1]
    valid = [m for _, m in measure.valid_maps(state)]
    return next((m for m in valid if m.milestones), valid[0] if valid else None)


@contextmanager
def session(state: AppState, as_of: AsOf, the_map: Map | None) -> Iterator[service.Context]:
    with service.opened(state.workspace, as_of, the_map.id if the_map else None) as ctx:
        yield ctx


def _account(state: AppState, as_of: AsOf, the_map: Map | None, account_id: str) -> dict[str, Any]:
    """The service's account answer, its events named by the map's touchpoints; without the per-account
    plan (the page takes milestones and progress from the all-accounts answers of `_plan`, computed once)."""
    with session(state, as_of, the_map) as ctx:
        found: dict[str, Any] = answer_json(service.account(ctx, account_id, planned=False))
        return found


def _customer(state: AppState, as_of: AsOf, the_map: Map | None, customer_id: str) -> dict[str, Any]:
    with session(state, as_of, the_map) as ctx:
        found: dict[str, Any] = answer_json(service.customer(ctx, customer_id, planned=False))
        return found


def _plan(state: AppState, as_of: AsOf, the_map: Map) -> dict[str, AccountPlan]:
    """Per account: its milestones with status, and its progress on the map (last step, next milestone)."""

    def compute() -> dict[str, AccountPlan]:
        with session(state, as_of, the_map) as ctx:
            return service.plans(ctx)

    return state.cached(("plan", the_map.id, the_map.model_dump_json(), as_of), compute)[0]


def _query(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(
    request: Request,
    segment: str | None = None,
    owner: str | None = None,
    band: str | None = None,
    as_of: str | None = None,
    page_number: int = Query(1, alias="page", ge=1),
) -> Response:
    """Every account worst first, filtered by segment, owner and experience band."""
    state = _state(request)
    day = parse_day(as_of, "as_of")
    moment = request_as_of(state, day) if measure.has_events(state) else None
    rows = all_accounts(state, moment) if moment else []
    chosen = [r for r in rows if (not segment or r["segment"] == segment) and (not owner or r["owner"] == owner)]
    bands = Counter(tone(r["experience"]) for r in chosen)
    if band:
        chosen = [r for r in chosen if tone(r["experience"]) == band]
    pages = max(1, -(-len(chosen) // PER_PAGE))
    number = min(page_number, pages)
    shown = chosen[(number - 1) * PER_PAGE : number * PER_PAGE]
    filters = {"segment": segment, "owner": owner, "band": band, "as_of": as_of}
    return page(
        request,
        "accounts_page.html.j2",
        rows=shown,
        total=len(rows),
        matching=len(chosen),
        first=(number - 1) * PER_PAGE + 1,
        number=number,
        pages=pages,
        bands=BANDS,
        band_counts=bands,
        band_total=sum(bands.values()),
        segments=sorted({str(r["segment"]) for r in rows if r["segment"]}),
        owners=sorted({str(r["owner"]) for r in rows if r["owner"]}),
        filters=filters,
        as_of_day=moment.day.isoformat() if moment else "",
        no_events=not measure.has_events(state),
        link=lambda **change: "/accounts" + _query(**(filters | change)),
        tone=tone,
    )


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request, account_id: str, as_of: str | None = None, map_id: str | None = Query(None, alias="map")
) -> Response:
    """One account: each contact's experience and gating answer, open alerts, milestones, timeline."""
    state = _state(request)
    day = parse_day(as_of, "as_of")
    _no_events(state)
    moment = request_as_of(state, day)
    the_map = _default_map(state, map_id)
    key = ("account", account_id, moment, the_map.model_dump_json() if the_map else None)  # an edited map: new answers
    data = state.cached(key, lambda: _account(state, moment, the_map, account_id))[0]
    plan = _plan(state, moment, the_map).get(account_id) if the_map and the_map.milestones else None
    contacts = data["contacts"]
    colours = {c["customer_id"]: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, c in enumerate(contacts)}
    series = [Series(c["customer_id"], [], colours[c["customer_id"]]) for c in contacts]
    by_id = {s.name: s for s in series}
    for e in data["events"]:
        if e["emotion"] is not None and e["customer_id"] in by_id:
            by_id[e["customer_id"]].points.append((_when(e["at"]), float(e["emotion"]), e["touchpoint_name"]))
    events = list(reversed(data["events"]))
    answers = [c["gate"] for c in contacts if "gate" in c]
    shared = [r for r in answers[0]["reasons"] if all(r in g["reasons"] for g in answers)] if len(answers) > 1 else []
    on_map = {t.id for t in the_map.touchpoints} if the_map else set()
    return page(
        request,
        "account_page.html.j2",
        a=data,
        contacts=contacts,
        colours=colours,
        chart=emotion_svg([s for s in series if s.points]),
        events=events[:TIMELINE_LIMIT],
        more_events=max(0, len(events) - TIMELINE_LIMIT),
        alerts=data["alerts"],
        shared_reasons=shared,
        the_map=the_map,
        maps=[m for _, m in measure.valid_maps(state) if m.milestones],
        milestones=plan.milestones if plan else [],
        progress=plan.progress if plan else None,
        steps={s.id: (i + 1, s.action) for i, s in enumerate(the_map.steps)} if the_map else {},
        milestone_text={ms.id: ms.text or ms.id for ms in the_map.milestones} if the_map else {},
        touchpoint_names={t.id: t.name for t in the_map.touchpoints} if the_map else {},
        on_map=on_map,
        as_of=as_of or "",
        as_of_day=moment.day.isoformat(),
        tone=tone,
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, customer_id: str, as_of: str | None = None, map_id: str | None = Query(None, alias="map")
) -> Response:
    """One person's journey: every event in time order with the emotion line, and their account."""
    state = _state(request)
    day = parse_day(as_of, "as_of")
    _no_events(state)
    moment = request_as_of(state, day)
    the_map = _default_map(state, map_id)
    key = ("customer", customer_id, moment, the_map.model_dump_json() if the_map else None)  # an edited map: new key
    data = state.cached(key, lambda: _customer(state, moment, the_map, customer_id))[0]
    points = [
        (_when(e["at"]), float(e["emotion"]), e["touchpoint_name"]) for e in data["events"] if e["emotion"] is not None
    ]
    account = None
    if data["account_id"]:
        rows = all_accounts(state, moment)
        account = next((r for r in rows if r["account_id"] == data["account_id"]), None)
    scored = [p[1] for p in points]
    return page(
        request,
        "customer_page.html.j2",
        c=data,
        account=account,
        chart=emotion_svg([Series(customer_id, points)]),
        events=data["events"],
        the_map=the_map,
        on_map={t.id for t in the_map.touchpoints} if the_map else set(),
        lowest=min(points, key=lambda p: p[1]) if points else None,
        month=lambda at: month_label(_when(at).date()),
        mean=sum(scored) / len(scored) if scored else None,
        as_of=as_of or "",
        as_of_day=moment.day.isoformat(),
        tone=tone,
    )
