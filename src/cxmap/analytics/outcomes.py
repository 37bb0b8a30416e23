"""The outcome of each customer (renewed? recommended? bought again?), the yardstick of hot spots.

The outcome is per customer: did they have an outcome event in the analysed period. With a negative
outcome too (`--outcome-negative churn`), customers with neither are undecided and left out of rates.

Which touchpoints are the outcome and its opposite is one question with one answer per run, chosen by
:func:`choose_outcome` for the CLI, the report, the web and the API alike: the run's own choice, else the
map's `measure:`, else cxmap.yaml's `measure:`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import Prepared
from cxmap.errors import InvalidValue
from cxmap.ids import slugify
from cxmap.model.map import Map
from cxmap.settings import Settings

Source = Literal["request", "map", "settings", "default", "none"]


@dataclass(frozen=True)
class OutcomeChoice:
    """The outcome and its opposite as asked for (ids or names, not yet checked against the data)."""

    outcome: str | None
    outcome_negative: str | None
    source: Source


def choose_outcome(
    the_map: Map | None, settings: Settings, outcome: str | None = None, negative: str | None = None
) -> OutcomeChoice:
    """The run's outcome: its own, else the map's `measure:`, else cxmap.yaml's `measure:`.

    A run that names the configured outcome keeps the configured opposite unless it names another one (""
    for none), so `--outcome renewal` and no flag at all give the same headline. Naming another outcome
    drops the configured opposite: it belongs to a different question.
    """
    m = the_map.measure if the_map is not None else None
    known: tuple[str | None, str | None, Source] = (
        (m.outcome, m.outcome_negative, "map")
        if m is not None and m.outcome
        else (settings.measure.outcome, settings.measure.outcome_negative, "settings")
    )
    if outcome is None or (known[0] is not None and slugify(outcome) == slugify(known[0])):
        if known[0] is None:
            return OutcomeChoice(None, None, "none")
        chosen = known[1] if negative is None else negative or None
        return OutcomeChoice(outcome or known[0], chosen, known[2] if chosen == known[1] else "request")
    return OutcomeChoice(outcome, negative or None, "request")


class UnknownTouchpoint(InvalidValue):
    """A name that is no touchpoint of the map or the data; `given_for` says which of the outcome's fields
    named it (`outcome` or `outcome_negative`), also when a setting named it and the error has no field."""

    given_for = "outcome"


def resolve_touchpoint(prepared: Prepared, name: str, field: str = "outcome", setting: str | None = None) -> str:
    """A touchpoint id from an id, a raw name or a map name (any case). An unknown name is an error about
    `field`, or about the `setting` it came from (`the map's measure`: its `.outcome` is named)."""
    wanted = name.strip().lower()
    for tp in prepared.touchpoints.values():
        names = [tp.id, tp.name, *tp.raw_names]
        if wanted in (n.lower() for n in names) or slugify(name) == tp.id:
            return tp.id
    known = ", ".join(sorted(prepared.touchpoints))
    message = f"no touchpoint '{name}' in the data or the map; touchpoints: {known}"
    error = UnknownTouchpoint(f"{setting}.{field}: {message}") if setting else UnknownTouchpoint(message, field=field)
    error.given_for = field
    raise error


def resolve_choice(prepared: Prepared, choice: OutcomeChoice) -> tuple[str | None, str | None]:
    """The chosen outcome and its opposite as touchpoint ids (an opposite without an outcome is none); an
    unknown name is an error about the run's field, or about the setting that named it."""
    setting = {"map": "the map's measure", "settings": "cxmap.yaml's measure"}.get(choice.source)
    if not choice.outcome:
        return None, None
    outcome = resolve_touchpoint(prepared, choice.outcome, "outcome", setting)
    negative = choice.outcome_negative
    return outcome, resolve_touchpoint(prepared, negative, "outcome_negative", setting) if negative else None


def customer_outcomes(prepared: Prepared, outcome: str, negative: str | None = None) -> ir.Table:
    """One row per customer: `outcome` (1/0), `outcome_at` (first outcome event), `ended_at` (first outcome
    or negative event: from then on the customer's fate is known) and `decided`."""
    e = prepared.events
    is_outcome, is_negative = e.touchpoint == outcome, e.touchpoint == (negative or "")
    per = e.group_by("customer_id").aggregate(
        outcome=is_outcome.ifelse(1, 0).max(),
        negative=is_negative.ifelse(1, 0).max(),
        outcome_at=is_outcome.ifelse(e.ts, ibis.null()).min(),
        ended_at=(is_outcome | is_negative).ifelse(e.ts, ibis.null()).min(),
    )
    decided = ((per.outcome == 1) | (per.negative == 1)) if negative else ibis.literal(True)
    return per.mutate(decided=decided).drop("negative")


def account_starts(con: Any, prepared: Prepared) -> ir.Table | None:
    """Each customer's journey start for milestones: their account's `started_at` (the account's, never the
    contact's own: DECISIONS.md), as the start of that day in UTC; None when no account has a start date."""
    accounts = con.table("accounts")
    if not accounts.filter(accounts.started_at.notnull()).count().execute():
        return None
    e = prepared.events
    per = e.filter(e.account_id.notnull()).group_by("customer_id").aggregate(account_id=e.account_id.min())
    joined = per.join(accounts.select("account_id", "started_at"), "account_id")
    return joined.filter(joined.started_at.notnull()).select(
        customer_id=joined.customer_id, start=joined.started_at.cast("timestamp")
    )
