"""The answers behind `cxmap accounts`, `account`, `customer`, `gate`, `alerts`, `milestones` and
`verify`, and the web's account pages, as JSON-ready data.

The CLI and the web API call these; each builds one `Context` (connection, as-of moment, events, members)
and runs its queries for all accounts at once in the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ibis

from cxmap.accounts.alerts import open_alerts
from cxmap.accounts.base import AsOf, events_as_of, memberships, resolve_as_of
from cxmap.accounts.gating import decide, gate
from cxmap.accounts.health import POLICIES, account_health, contacts_with_experience
from cxmap.accounts.milestones import milestones
from cxmap.accounts.progress import map_progress, progress_table
from cxmap.accounts.verify import verify
from cxmap.accounts.verify_words import sentence
from cxmap.analytics.prepare import Prepared
from cxmap.engine import connect, connected
from cxmap.errors import NotFound, UsageError, unknown
from cxmap.model.map import Map
from cxmap.service.answers import (
    AccountDetail,
    AccountPlan,
    AccountRow,
    Alert,
    CustomerDetail,
    GateAnswer,
    Milestone,
    Verification,
)
from cxmap.workspace import Workspace, open_workspace
from cxmap.workspace.maps import find_map

TIMELINE_COLUMNS = (
    "ts",
    "touchpoint",
    "raw_touchpoint",
    "channel",
    "department",
    "emotion",
    "emotion_source",
    "comment",
)


@dataclass
class Context:
    workspace: Workspace
    con: Any
    as_of: AsOf
    prepared: Prepared
    members: Any
    map: Map | None


def context(workspace: Workspace | str | Path, as_of: date | AsOf | None = None, map_id: str | None = None) -> Context:
    """Everything an answer needs, as of `as_of`: a day, the moment a request already resolved, or (None) the
    latest event."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(Path(workspace))
    con = connect(ws)
    moment = resolve_as_of(con, ws.settings, as_of)
    the_map = find_map(ws, map_id) if map_id else None
    prepared = events_as_of(con, the_map, ws.settings, moment)
    return Context(ws, con, moment, prepared, memberships(con, prepared.events), the_map)


def as_of(workspace: Workspace, day: date | None) -> AsOf:
    """The moment an answer as of `day` (None: the latest event) is about, resolved once so that every
    answer of one page is as of the same moment."""
    with connected(workspace) as con:
        return resolve_as_of(con, workspace.settings, day)


@contextmanager
def opened(workspace: Workspace, moment: date | AsOf | None = None, map_id: str | None = None) -> Iterator[Context]:
    """A context whose connection is closed afterwards (an open reader keeps a load of this process out)."""
    ctx = context(workspace, moment, map_id)
    try:
        yield ctx
    finally:
        ctx.con.disconnect()


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in row.items()}


def accounts(ctx: Context, worst: int | None = None, policy: str | None = None) -> list[AccountRow]:
    """Every account's experience, worst first (no current experience last). Each row says its `as_of`:
    the answer is a bare array, and a reader must see which day it is about."""
    return [AccountRow.model_validate(r) for r in account_rows(ctx, worst, policy)]


def account_rows(
    ctx: Context, worst: int | None = None, policy: str | None = None, only: str | None = None
) -> list[dict[str, Any]]:
    """The rows of `accounts` (or only the account `only`) as JSON-ready data, for answers built on them."""
    chosen = policy or ctx.workspace.settings.accounts.policy
    if chosen not in POLICIES:
        raise unknown("policy", chosen, POLICIES)
    table = account_health(ctx.con, ctx.prepared, ctx.members, ctx.as_of, chosen)
    if only is not None:
        table = table.filter(table.account_id == only)
    ordered = table.order_by([table.experience.isnull(), table.experience, table.account_id])
    if worst:
        ordered = ordered.limit(worst)
    moment = ctx.as_of.iso()
    return [{**_plain(r), "as_of": moment} for r in ordered.to_pyarrow().to_pylist()]


def _timeline(ctx: Context, customers: list[str], limit: int | None = None) -> list[dict[str, Any]]:
    e = ctx.prepared.events
    rows = e.filter(e.customer_id.isin(customers)).order_by(["ts", "load_id", "row"])
    picked = rows.select("customer_id", *TIMELINE_COLUMNS)
    if limit:
        picked = picked.limit(limit)
    return [
        {**_plain(r), "at": r["ts"].isoformat(), "touchpoint_name": ctx.prepared.name(r["touchpoint"])}
        for r in picked.to_pyarrow().to_pylist()
    ]


def account(ctx: Context, account_id: str, gate_action: str | None = "review", planned: bool = True) -> AccountDetail:
    """One account: its experience, each contact's, open alerts, the gating answer per contact, timeline;
    with a map (unless not `planned`), its milestones and progress."""
    found = account_rows(ctx, only=account_id)
    if not found:
        raise NotFound(f"no account '{account_id}' in the workspace")
    group = ctx.members.filter(ctx.members.account_id == account_id)
    people = contacts_with_experience(ctx.prepared, group, ctx.as_of)
    contacts = [_plain(r) for r in people.order_by(["experience", "customer_id"]).to_pyarrow().to_pylist()]
    alerts = _alerts(ctx, group)
    if gate_action:  # the contacts and alerts are already here: decide without asking the engine again
        settings = ctx.workspace.settings
        for c in contacts:
            people = [{k: v for k, v in p.items() if k != "gate"} for p in contacts]
            c["gate"] = decide(
                c["customer_id"], account_id, people, alerts, gate_action, settings, ctx.as_of, ctx.prepared.name
            )
    plan: dict[str, Any] = {}
    if ctx.map is not None and planned:
        mine = [m for m in _milestones(ctx) if m["account_id"] == account_id]
        progress = map_progress(ctx.con, ctx.map, ctx.workspace.settings, ctx.as_of, account_id=account_id)
        plan = {"map": ctx.map.id, "milestones": mine, "progress": progress}
    answer = {
        **found[0],  # with its as_of
        "contacts": contacts,
        "alerts": alerts,
        **plan,
        "events": _timeline(ctx, [c["customer_id"] for c in contacts]),
    }
    return AccountDetail.model_validate(answer)


def customer(ctx: Context, customer_id: str, planned: bool = True) -> CustomerDetail:
    """One person's journey: events (oldest first), their experience, account and open alerts; with a map
    (unless not `planned`), their progress on it."""
    me = ctx.members.filter(ctx.members.customer_id == customer_id).to_pyarrow().to_pylist()
    events = _timeline(ctx, [customer_id])
    if not events and not me:
        raise NotFound(f"no customer '{customer_id}' in the workspace")
    group = (
        ctx.members.filter(ctx.members.customer_id == customer_id)
        if me
        else ibis.memtable(
            [{"customer_id": customer_id, "account_id": None, "role": None}],
            schema={"customer_id": "string", "account_id": "string", "role": "string"},
        )
    )
    person = contacts_with_experience(ctx.prepared, group, ctx.as_of).to_pyarrow().to_pylist()[0]
    alerts = _alerts(ctx, group)
    plan: dict[str, Any] = {}
    if ctx.map is not None and planned:
        plan = {
            "map": ctx.map.id,
            "progress": map_progress(ctx.con, ctx.map, ctx.workspace.settings, ctx.as_of, customer_id=customer_id),
        }
    answer = {
        **plan,
        "customer_id": customer_id,
        "account_id": person["account_id"],
        "role": person["role"],
        "experience": person["experience"],
        "scored": person["scored"],
        "as_of": ctx.as_of.iso(),
        "alerts": alerts,
        "emotion_line": [{"at": x["at"], "emotion": x["emotion"]} for x in events if x["emotion"] is not None],
        "events": events,
    }
    return CustomerDetail.model_validate(answer)


def _alerts(ctx: Context, only: Any = None) -> list[dict[str, Any]]:
    """Open alerts (of the members in `only`, when given), overdue first, then oldest first: in that order on
    every engine (rows come back from an engine in no particular order unless asked)."""
    table = open_alerts(ctx.prepared, ctx.members, ctx.as_of, only)
    rows = table.order_by([ibis.desc("overdue"), "at", "customer_id", "account_id"]).to_pyarrow().to_pylist()
    return [_plain(r) for r in rows]


def alerts(ctx: Context) -> list[Alert]:
    """Open alerts, overdue first, then oldest first."""
    return [Alert.model_validate(a) for a in _alerts(ctx)]


def gate_answer(ctx: Context, customer_id: str, action: str) -> GateAnswer:
    """May we ask this contact for `action` now (cxmap.accounts.gating)?"""
    return GateAnswer.model_validate(gate(ctx.prepared, ctx.members, customer_id, action, ctx.as_of))


def _need_map(ctx: Context, what: str) -> Map:
    if ctx.map is None:
        raise UsageError(lambda face: f"{what} needs a map: add {face.setting('map', 'MAP_ID')}")
    return ctx.map


def _milestones(ctx: Context, status: str | None = None) -> list[dict[str, Any]]:
    the_map = _need_map(ctx, "milestones")
    return milestones(ctx.con, the_map, ctx.workspace.settings, ctx.as_of, status, ctx.prepared, ctx.members)


def milestone_list(ctx: Context, status: str | None = None) -> list[Milestone]:
    """Every account's milestones from the map, with their status as of the moment."""
    return [Milestone.model_validate(m) for m in _milestones(ctx, status)]


def verification_list(ctx: Context) -> list[Verification]:
    """Every verification of the map, measured against its target."""
    the_map = _need_map(ctx, "verify")
    found = verify(ctx.con, the_map, ctx.workspace.settings, ctx.as_of, None, ctx.prepared, ctx.members)
    return [Verification.model_validate(v) for v in found]


def verification_sentence(ctx: Context, entry: Verification) -> str:
    """What one verification's figure counts, in a sentence (`cxmap.accounts.verify_words`)."""
    return sentence(entry.model_dump(), _need_map(ctx, "verify"), ctx.workspace.settings)


def plans(ctx: Context) -> dict[str, AccountPlan]:
    """Per account: its milestones with status, and its progress on the map (last step, next milestone),
    for every account at once."""
    the_map = _need_map(ctx, "plans")
    found: dict[str, dict[str, Any]] = {}
    for row in _milestones(ctx):
        found.setdefault(row["account_id"], {"milestones": []})["milestones"].append(row)
    table = progress_table(ctx.con, the_map, ctx.workspace.settings, ctx.as_of, ctx.prepared, ctx.members)
    for row in table.to_pyarrow().to_pylist():
        found.setdefault(row["account_id"], {"milestones": []})["progress"] = row
    return {k: AccountPlan.model_validate(v) for k, v in found.items()}
