"""Hot spots: touchpoints where the experience moves the outcome.

A customer's experience at a touchpoint is the mean emotion of their scored events there before their
first outcome event. Among decided customers with a good experience (>= good_min) and those with a bad
one (<= bad_max), the outcome rates are compared: leverage = rate_good - rate_bad, with Newcombe's
interval. A hot spot has enough evidence (at least `min_customers` on each side, not split completely:
see comparison.py) and an interval wholly above zero; hot spots rank by leverage x reach, and the other
touchpoints tested follow, those with enough evidence first. The same per-customer table gives the
outcome rate by overall satisfaction band (a customer's mean emotion over all scored events before the outcome).
"""

from __future__ import annotations

import ibis.expr.types as ir

from cxmap.analytics.comparison import evidence
from cxmap.analytics.findings import HotSpot, SatisfactionBand
from cxmap.analytics.prepare import Prepared, count_where
from cxmap.analytics.stats import clean, newcombe, wilson


def _before_outcome(prepared: Prepared, outcomes: ir.Table) -> ir.Table:
    e = prepared.events
    e = e.filter(e.emotion.notnull())
    j = e.join(outcomes, "customer_id")
    return j.filter(j.outcome_at.isnull() | (j.ts < j.outcome_at)).filter(j.decided)


def hot_spots(
    prepared: Prepared, outcomes: ir.Table, reach: dict[str, float | None], excluded: set[str]
) -> list[HotSpot]:
    """Every touchpoint tested, significant ones first by leverage x reach."""
    a = prepared.settings.analysis
    scored = _before_outcome(prepared, outcomes)
    per = scored.group_by(["touchpoint", "customer_id"]).aggregate(
        experience=scored.emotion.mean(), outcome=scored.outcome.max()
    )
    good, bad = per.experience >= a.good_min, per.experience <= a.bad_max
    sides = per.group_by("touchpoint").aggregate(
        customers=per.count(),
        n_good=count_where(good),
        k_good=count_where(good & (per.outcome == 1)),
        n_bad=count_where(bad),
        k_bad=count_where(bad & (per.outcome == 1)),
    )
    rows = [r for r in sides.to_pyarrow().to_pylist() if r["touchpoint"] not in excluded]
    d, lo, hi = newcombe(
        [r["k_good"] for r in rows],
        [r["n_good"] for r in rows],
        [r["k_bad"] for r in rows],
        [r["n_bad"] for r in rows],
        a.confidence,
    )
    moments = set(prepared.map.moments_of_truth()) if prepared.map else set()
    spots = []
    for r, lev, low, high in zip(rows, d, lo, hi, strict=True):
        kind = evidence(r["n_good"], r["n_bad"], r["k_good"], r["k_bad"], a.min_customers)
        leverage, r_reach = clean(lev), reach.get(r["touchpoint"])
        spots.append(
            HotSpot(
                touchpoint=r["touchpoint"],
                name=prepared.name(r["touchpoint"]),
                leverage=leverage,
                leverage_ci=[clean(low), clean(high)],
                outcome_rate_good=r["k_good"] / r["n_good"] if r["n_good"] else None,
                outcome_rate_bad=r["k_bad"] / r["n_bad"] if r["n_bad"] else None,
                customers_good=r["n_good"],
                customers_bad=r["n_bad"],
                customers=r["customers"],
                reach=r_reach,
                score=leverage * r_reach if leverage is not None and r_reach is not None else None,
                significant=bool(kind == "enough" and clean(low) is not None and float(low) > 0),
                evidence=kind,
                moment_of_truth=r["touchpoint"] in moments,
            )
        )
    return sorted(spots, key=lambda s: (not s.significant, s.evidence != "enough", -(s.score or 0), s.touchpoint))


def satisfaction_bands(prepared: Prepared, outcomes: ir.Table) -> list[SatisfactionBand]:
    """Outcome rate of customers whose overall experience was good, neutral or bad."""
    a = prepared.settings.analysis
    scored = _before_outcome(prepared, outcomes)
    per = scored.group_by("customer_id").aggregate(experience=scored.emotion.mean(), outcome=scored.outcome.max())
    band = (per.experience >= a.good_min).ifelse("good", (per.experience <= a.bad_max).ifelse("bad", "neutral"))
    banded = per.mutate(band=band)
    counted = banded.group_by("band").aggregate(customers=banded.count(), k=banded.outcome.sum())
    found = {r["band"]: r for r in counted.to_pyarrow().to_pylist()}
    bands = []
    for name in ("good", "neutral", "bad"):
        r = found.get(name, {"customers": 0, "k": 0})
        lo, hi = wilson([r["k"]], [r["customers"]], a.confidence)
        bands.append(
            SatisfactionBand(
                band=name,
                customers=r["customers"],
                outcome_rate=r["k"] / r["customers"] if r["customers"] else None,
                outcome_ci=[clean(lo[0]), clean(hi[0])],
            )
        )
    return bands
