"""The accounts answers at the latest event, computed once for a store version and answered from memory.

One snapshot is computed in the engine: the accounts answer, every contact with their current experience,
the open alerts and every account's timeline, kept as Arrow tables sorted by id with an index of where each
id's rows are. An answer is then a dict lookup and a slice; a gating answer is worked out from the few
contacts of one account in memory, by the same rules as `cxmap.accounts.gating` (a test compares them for
every contact). The web app keeps the snapshot of the store as it is (cxmap.web.snapshot); the answers are
the service's own (`cxmap.service.accounts`), the same as a direct computation at the latest event.

Answers are kept and given as the JSON of the typed answers (`cxmap.service.answers`), not as models: a
request is then a lookup, a slice and a few dicts (validating an account's answer would double its cost).
Tests compare each one with `answer_json` of the service's typed answer, for every account and contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from cxmap.accounts.base import AsOf
from cxmap.accounts.gating import decide, rule_for
from cxmap.accounts.health import contacts_with_experience
from cxmap.errors import NotFound
from cxmap.service import accounts as service
from cxmap.service.answers import answer_json
from cxmap.settings import Settings
from cxmap.workspace import Workspace

DICTIONARY = ("touchpoint", "raw_touchpoint", "channel", "department", "emotion_source")


class Index:
    """An Arrow table sorted by a key column, and the rows [start, stop) of each key.

    Dictionary-encoded columns are decoded through a Python list of their values (Arrow's own decoding of a
    small slice costs more than the rest of a request)."""

    def __init__(self, table: pa.Table, key: str | None = None, spans: dict[str, tuple[int, int]] | None = None):
        self.table = table.unify_dictionaries().combine_chunks()
        self.spans = spans if spans is not None else _spans(self.table, key) if key else {}
        self.names = self.table.column_names
        self.values = {
            n: self.table.column(n).chunk(0).dictionary.to_pylist()
            for n in self.names
            if pa.types.is_dictionary(self.table.schema.field(n).type) and self.table.num_rows
        }

    def columns(self, key: str | None) -> dict[str, list[Any]]:
        """The key's rows, column by column (empty lists for an unknown key)."""
        span = self.spans.get(key) if key is not None else None
        start, stop = span if span is not None else (0, 0)
        part = self.table.slice(start, stop - start)
        columns: dict[str, list[Any]] = {}
        for name in self.names:
            column = part.column(name)
            if name in self.values:
                values = self.values[name]
                codes = column.chunk(0).indices.to_pylist() if column.num_chunks else []
                columns[name] = [None if c is None else values[c] for c in codes]
            else:
                columns[name] = column.to_pylist()
        return columns

    def rows(self, key: str | None) -> list[dict[str, Any]]:
        columns = self.columns(key)
        return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    def drop(self, name: str) -> Index:
        return Index(self.table.drop_columns([name]), spans=self.spans)


def _spans(table: pa.Table, key: str) -> dict[str, tuple[int, int]]:
    """Where each key's rows are, in a table sorted by `key` (one vectorised pass: the runs of equal keys)."""
    if table.num_rows == 0:
        return {}
    runs = pc.run_end_encode(table.column(key).combine_chunks())
    ends = runs.run_ends.to_pylist()
    starts = [0, *ends[:-1]]
    return {k: (s, e) for k, s, e in zip(runs.values.to_pylist(), starts, ends, strict=True) if k is not None}


def _compact(table: pa.Table) -> pa.Table:
    """Dictionary-encode the repetitive text columns (a 10M-event timeline shrinks by about two thirds)."""
    for name in DICTIONARY:
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, pc.dictionary_encode(table.column(name)))
    return table


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass
class Snapshot:
    """Everything the fast path answers from, for one store version at the default as-of."""

    as_of: AsOf  # `service.context`'s resolve_as_of: the moment a direct computation would answer for
    settings: Settings
    names: dict[str, str]  # touchpoint id -> name
    accounts: list[dict[str, Any]]  # the `accounts` answer
    account_rows: dict[str, dict[str, Any]]
    contacts: Index  # members with their current experience, by account, in the `account` answer's order
    contact_row: dict[str, int]  # customer_id -> its (first) row in contacts.table
    alerts: list[dict[str, Any]]  # the `alerts` answer
    account_alerts: dict[str, list[dict[str, Any]]]
    unlisted: frozenset[str]  # customers with events but no account
    timeline: Index  # events of each account's contacts, oldest first

    def gate(self, customer_id: str, action: str) -> dict[str, Any]:
        """The `gate` answer (see cxmap.accounts.gating), from memory."""
        rule_for(self.settings, action)  # an unknown action is refused before the contact is looked up
        row = self.contact_row.get(customer_id)
        if row is None and customer_id not in self.unlisted:
            raise NotFound(f"no contact '{customer_id}' in the workspace (not in the contacts file or the events)")
        account = self.contacts.table.column("account_id")[row].as_py() if row is not None else None
        people = self.contacts.rows(account) if account else []
        alerts = self.account_alerts.get(account, []) if account else []
        name = self.names.get
        return decide(customer_id, account, people, alerts, action, self.settings, self.as_of, lambda t: name(t, t))

    def account(self, account_id: str) -> dict[str, Any]:
        """The `account` answer (without a map), from memory."""
        found = self.account_rows.get(account_id)
        if found is None:
            raise NotFound(f"no account '{account_id}' in the workspace")
        contacts = [{k: _iso(v) for k, v in c.items()} for c in self.contacts.rows(account_id)]
        for c in contacts:
            c["gate"] = self.gate(c["customer_id"], "review")
        events = self.timeline.columns(account_id)  # built column by column: a timeline has tens of events
        events["ts"] = events["at"] = [t.isoformat() for t in events["ts"]]
        events["touchpoint_name"] = [self.names.get(t, t) for t in events["touchpoint"]]
        keys = list(events)
        return {
            **found,  # the `accounts` row, with its as_of: this snapshot's one resolve_as_of
            "contacts": contacts,
            "alerts": self.account_alerts.get(account_id, []),
            "events": [dict(zip(keys, row, strict=True)) for row in zip(*events.values(), strict=True)],
        }

    def accounts_answer(self, worst: int | None) -> list[dict[str, Any]]:
        return self.accounts[:worst] if worst else self.accounts


def build(ws: Workspace) -> Snapshot:
    """Compute the snapshot: a few engine queries over all accounts at once (the memberships, used by
    every one of them, computed once into a temporary table)."""
    ctx = service.context(ws)
    members = ctx.members = ctx.members.cache()
    try:
        accounts = answer_json(service.accounts(ctx))  # dumped once: every request slices this list
        alerts = answer_json(service.alerts(ctx))
        people = contacts_with_experience(ctx.prepared, ctx.members, ctx.as_of)
        ordered = people.order_by(["account_id", people.experience.asc(nulls_first=False), "customer_id"])
        contacts = Index(ordered.to_pyarrow(), "account_id")
        e = ctx.prepared.events
        unlisted = e.select("customer_id").distinct().anti_join(ctx.members, "customer_id")
        unknown = frozenset(str(c) for c in unlisted.customer_id.to_pyarrow().to_pylist() if c is not None)
        # Sorting on a number is faster than on the account id; the rank keeps the accounts' order.
        rank = ibis.dense_rank().over(order_by="account_id")
        owners = ctx.members.select("customer_id", member_of="account_id", _rank=rank)
        joined = e.join(owners, "customer_id")
        ordered_events = joined.order_by(["_rank", "ts", "load_id", "row"])
        timeline = ordered_events.select("member_of", "customer_id", *service.TIMELINE_COLUMNS).to_pyarrow()
        events = Index(_compact(timeline), "member_of")
        names = {k: ctx.prepared.name(k) for k in ctx.prepared.touchpoints}
    finally:
        members.release()
        ctx.con.disconnect()
    by_account: dict[str, list[dict[str, Any]]] = {}
    for a in alerts:
        if a["account_id"] is not None:
            by_account.setdefault(a["account_id"], []).append(a)
    ids = contacts.table.column("customer_id").to_pylist()
    first = {c: i for i, c in reversed(list(enumerate(ids)))}
    return Snapshot(
        as_of=ctx.as_of,
        settings=ws.settings,
        names=names,
        accounts=accounts,
        account_rows={a["account_id"]: a for a in accounts},
        contacts=contacts,
        contact_row=first,
        alerts=alerts,
        account_alerts=by_account,
        unlisted=unknown,
        timeline=events.drop("member_of"),
    )
