"""Where customers really go: directly-follows graph, path variants, first and last touchpoints.

Definitions (copied to docs/analysis.md):

- A customer's *journey* is their events in scope, in the order (ts, load_id, row): ties in time keep the
  order of the source.
- *Directly follows* A -> B: an event at A whose next event of the same customer is at B (A = B counts too:
  a repeat). `count` is the number of such pairs, `customers` the customers with at least one,
  `median_hours` the median time between the two events, in hours.
- A *variant* is the whole sequence of touchpoint ids of a journey, repeats included. `share` is the
  variant's customers / all customers. `variant_count` counts distinct variants. Top variants are ordered
  by customers (most first), ties by the sequence's text (ids joined by " > ").
- *Start* and *dropout*: the touchpoint of a customer's first and last event; `share` is over all customers.

Two queries, both counted in the engine: one window pass (lead) for the graph, starts and ends; one
grouping on the ordered sequence for the variants, stringified only for the top N.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.prepare import MICROSECONDS, Prepared, elapsed_microseconds

ORDER = ("ts", "load_id", "row")  # order of events within a customer (DECISIONS.md)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def edges(events: ir.Table) -> ir.Table:
    """One row per (touchpoint, next touchpoint or null): pairs, customers, median gap, and starts there."""
    window = ibis.window(group_by="customer_id", order_by=list(ORDER))
    steps = events.select("customer_id", "ts", "touchpoint", *ORDER[1:]).mutate(
        next_touchpoint=events.touchpoint.lead().over(window),
        next_ts=events.ts.lead().over(window),
        is_first=ibis.row_number().over(window) == 0,
    )
    hours = elapsed_microseconds(steps.next_ts, steps.ts) / MICROSECONDS["hour"]
    return steps.group_by(["touchpoint", "next_touchpoint"]).aggregate(
        count=steps.count(),
        customers=steps.customer_id.nunique(),
        median_hours=hours.median(),
        starts=steps.is_first.cast("int64").sum(),
    )


def sequences(events: ir.Table) -> ir.Table:
    """One row per customer: `sequence`, the touchpoint ids of their events in journey order.

    Built as a list of (ts, load_id, row, touchpoint) structs, sorted, then mapped to the touchpoint:
    engines such as Spark cannot collect a list in a given order.
    """
    item = ibis.struct({"ts": events.ts, "load_id": events.load_id, "row": events.row, "tp": events.touchpoint})
    per = events.group_by("customer_id").aggregate(items=item.collect())
    return per.select("customer_id", sequence=per.items.sort().map(lambda s: s.tp))


def _variants(events: ir.Table, top: int) -> ir.Table:
    """The top variants with their customers, and the number of distinct variants on every row."""
    seqs = sequences(events)
    variants = seqs.group_by("sequence").aggregate(customers=seqs.count())
    variants = variants.mutate(variant_count=ibis._.count().over())
    # Ids are [a-z0-9-], all above " ", so ordering the lists equals ordering their " > " text.
    return variants.order_by([ibis.desc("customers"), "sequence"]).limit(top)


def journeys(prepared: Prepared, top: int | None = None) -> dict[str, Any]:
    """The measured journeys of the prepared events (see the module docstring for the definitions)."""
    top = prepared.settings.analysis.top_variants if top is None else top
    pairs = edges(prepared.events).to_pyarrow().to_pylist()
    variants = _variants(prepared.events, top).to_pyarrow().to_pylist() if top > 0 else []

    starts: dict[str, int] = defaultdict(int)
    ends: dict[str, int] = {}
    dfg = []
    for e in pairs:  # one row per pair of touchpoints: small
        starts[e["touchpoint"]] += e["starts"]
        if e["next_touchpoint"] is None:
            ends[e["touchpoint"]] = e["count"]
        else:
            dfg.append(
                {
                    "from": e["touchpoint"],
                    "to": e["next_touchpoint"],
                    "count": e["count"],
                    "customers": e["customers"],
                    "median_hours": e["median_hours"],
                }
            )
    customers = sum(ends.values())  # every customer has exactly one last event
    dfg.sort(key=lambda d: (-d["count"], d["from"], d["to"]))
    if top > 0:
        variant_count = variants[0]["variant_count"] if variants else 0
    else:
        variant_count = int(sequences(prepared.events).sequence.nunique().execute())

    def ranked(counts: dict[str, int]) -> list[dict[str, Any]]:
        rows = sorted(((tp, n) for tp, n in counts.items() if n), key=lambda r: (-r[1], r[0]))
        return [{"touchpoint": tp, "customers": n, "share": _share(n, customers)} for tp, n in rows]

    return {
        "customers": customers,
        "dfg": dfg,
        "variants": [
            {"sequence": list(v["sequence"]), "customers": v["customers"], "share": _share(v["customers"], customers)}
            for v in variants
        ],
        "variant_count": variant_count,
        "start": ranked(starts),
        "dropout": [
            {"touchpoint": r["touchpoint"], "customers_ending": r["customers"], "share": r["share"]}
            for r in ranked(ends)
        ],
    }
