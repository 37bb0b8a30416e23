"""Canonical columns of each kind of data, the names common exports use for them, and the `columns` mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cxmap.errors import InvalidValue, UsageError

Kind = str  # "events" | "accounts" | "contacts"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


# Aliases are compared ignoring case, spaces, '_' and '-': "Contact ID" matches "contactid".
COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "events": (
        Column("event_id", aliases=("id", "activityid", "ticketid", "responseid", "eventid")),
        Column(
            "customer_id",
            True,
            (
                "customer",
                "customerid",
                "contactid",
                "contact",
                "requesterid",
                "requester",
                "userid",
                "respondentid",
                "personid",
            ),
        ),
        Column("account_id", aliases=("account", "accountid", "companyid", "organizationid", "orgid")),
        Column(
            "timestamp",
            True,
            (
                "time",
                "date",
                "datetime",
                "createdat",
                "createddate",
                "created",
                "submittedat",
                "submitted",
                "activitydate",
                "occurredat",
                "eventtime",
            ),
        ),
        Column(
            "touchpoint",
            True,
            (
                "event",
                "eventname",
                "activity",
                "activitytype",
                "type",
                "survey",
                "surveyname",
                "ticketcategory",
                "category",
            ),
        ),
        Column("channel", aliases=("via", "medium")),
        Column("department", aliases=("team", "group", "ownerteam", "assignedgroup")),
        Column(
            "score",
            aliases=(
                "rating",
                "csat",
                "satisfaction",
                "satisfactionscore",
                "nps",
                "npsscore",
                "ces",
                "effort",
            ),
        ),
        Column(
            "comment",
            aliases=("comments", "verbatim", "feedback", "text", "note", "notes", "satisfactioncomment"),
        ),
    ),
    "accounts": (
        Column("account_id", True, ("id", "account", "accountid", "companyid", "organizationid")),
        Column("name", aliases=("accountname", "company", "companyname", "organization")),
        Column(
            "started_at",
            aliases=(
                "start",
                "startdate",
                "startedat",
                "customersince",
                "contractstart",
                "createdat",
                "created",
            ),
        ),
        Column("segment", aliases=("tier", "plan", "accountsegment")),
        Column("owner", aliases=("csm", "accountowner", "ownername")),
    ),
    "contacts": (
        Column("customer_id", True, ("id", "contactid", "contact", "customerid", "personid", "userid")),
        Column("account_id", aliases=("account", "accountid", "companyid", "organizationid")),
        Column("added_at", aliases=("added", "addedat", "createdat", "created", "startdate", "since")),
        Column("role", aliases=("title", "jobtitle", "persona")),
        Column("name", aliases=("fullname", "contactname")),
    ),
}


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.lower())


def parse_columns(spec: str | None, kind: Kind) -> dict[str, str]:
    """`customer_id=ContactId,score=CSAT` -> {canonical: source}; unknown canonical names are usage errors."""
    if not spec:
        return {}
    known = {c.name for c in COLUMNS[kind]}
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        canonical, sep, source = part.partition("=")
        canonical, source = canonical.strip(), source.strip()
        if not sep or not canonical or not source:
            raise UsageError(f"'{part}' is not NAME=SOURCE_COLUMN (e.g. customer_id=ContactId)", field="columns")
        if canonical not in known:
            raise UsageError(
                f"'{canonical}' is not a column of {kind}; use one of: {', '.join(sorted(known))}", field="columns"
            )
        mapping[canonical] = source
    return mapping


def resolve_columns(source_columns: list[str], kind: Kind, mapping: dict[str, str], where: str) -> dict[str, str]:
    """{canonical: source column} for one file: the `columns` mapping first, then exact names, then aliases.

    A mapped source missing from the file is wrong input (exit 1); so is a required column that
    cannot be found.
    """
    present = set(source_columns)
    absent = [(canonical, source) for canonical, source in mapping.items() if source not in present]
    if absent:
        canonical, source = absent[0]
        raise InvalidValue(
            lambda face: (
                f"{where}: {face.field('columns')} names '{source}' for {canonical}, but the file has "
                f"no such column (its columns: {', '.join(source_columns)})"
            )
        )
    folded = {_fold(c): c for c in reversed(source_columns)}
    taken = set(mapping.values())
    resolved = dict(mapping)
    for column in COLUMNS[kind]:
        if column.name in resolved:
            continue
        for candidate in (column.name, *column.aliases):
            found = folded.get(_fold(candidate))
            if found is not None and found not in taken:
                resolved[column.name] = found
                taken.add(found)
                break
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in resolved]
    if missing:
        found = f"{where}: no column for {', '.join(missing)} (its columns: {', '.join(source_columns)})"
        raise InvalidValue(lambda face: "; ".join(filter(None, [found, face.column(missing[0], None)])))
    return resolved
