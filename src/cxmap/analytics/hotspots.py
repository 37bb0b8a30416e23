"""Hot spots: touchpoints where the experience moves the outcome, beyond the customer's overall mood.

A customer's experience at a touchpoint is the mean emotion of their scored events there before their
first outcome event. Among decided customers with a good experience (>= good_min) and those with a bad
one (<= bad_max), the outcome rates are compared:

- **Raw leverage** = rate_good - rate_bad, with Newcombe's interval.
- **Adjusted leverage** holds the customer's experience elsewhere fixed. A customer's experience
  elsewhere is the mean of their experiences at their other tested touchpoints; customers are put in
  strata of STRATUM points of it (0-0.5, 0.5-1, ...), and the good and bad customers of each stratum are
  compared. The strata's differences are pooled with Mantel-Haenszel weights (n_good n_bad / n), with
  Sato's variance for the interval. Customers who met no other tested touchpoint form a stratum of
  their own (the missing pattern as an indicator): nothing elsewhere can be held fixed for them, so they
  are compared among themselves. A stratum with nobody on one side carries no weight; customers who did
  not meet the touchpoint are in no comparison of it.

A customer happy everywhere is happy at every touchpoint and renews too, so a touchpoint that only
reflects the customer's mood shows a raw gap but little adjusted leverage. A **hot spot** is decided on
the adjusted leverage: enough evidence in the adjusted comparison (comparison.py), an adjusted interval
wholly above zero and an adjusted leverage of at least `min_leverage` (5 points). The experience
elsewhere measures the mood with noise, so a little of it stays in every adjusted figure (1 to 4 points
for the demo's proxies at 10M events): certain on large data, too small to act on. A touchpoint with a
clear raw gap (enough evidence, raw interval above zero) that is not a hot spot **moves with overall
satisfaction**: improving it alone is not expected to move the outcome. Hot spots rank by adjusted
leverage x reach, then the other touchpoints tested, those with enough evidence first. Adjusted is still
not causal: drivers that no touchpoint measures remain.

The same per-customer table gives the outcome rate by overall satisfaction band (a customer's mean
emotion over all scored events before the outcome).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxmap.analytics.comparison import evidence
from cxmap.analytics.findings import HotSpot, SatisfactionBand
from cxmap.analytics.prepare import Prepared, count_where
from cxmap.analytics.stats import clean, mantel_haenszel, newcombe, wilson

STRATUM = 0.5  # points of the 0-10 scale per stratum of experience elsewhere
SIDES = ("k_good", "n_good", "k_bad", "n_bad")  # k of n good against k of n bad, as the intervals take them
METHOD = "mantel-haenszel risk difference, strata of 0.5 points of the experience elsewhere (Sato's interval)"


def _before_outcome(prepared: Prepared, outcomes: ir.Table) -> ir.Table:
    e = prepared.events
    e = e.filter(e.emotion.notnull())
    j = e.join(outcomes, "customer_id")
    return j.filter(j.outcome_at.isnull() | (j.ts < j.outcome_at)).filter(j.decided)


def _stratified_counts(prepared: Prepared, outcomes: ir.Table, excluded: set[str]) -> list[dict[str, Any]]:
    """Per (touchpoint, stratum of experience elsewhere; -1: nothing elsewhere): good and bad customers, and
    how many of each reached the outcome. One query: a row per (touchpoint, customer), a window per customer."""
    a = prepared.settings.analysis
    scored = _before_outcome(prepared, outcomes)
    if excluded:
        scored = scored.filter(~scored.touchpoint.isin(sorted(excluded)))
    per = scored.group_by(["touchpoint", "customer_id"]).aggregate(
        experience=scored.emotion.mean(), outcome=scored.outcome.max()
    )
    mine = ibis.window(group_by="customer_id")
    total, met = per.experience.sum().over(mine), per.experience.count().over(mine)
    elsewhere = (total - per.experience) / (met - 1).cast("float64")
    # The sums above add in an order the engine picks, so 6.5 may come out as 6.4999999999999996: the nudge
    # (far below any real difference of means) keeps a customer on a boundary in one stratum on every run.
    stratum = (elsewhere / STRATUM + 1e-9).floor().cast("int64")
    per = per.mutate(stratum=(met > 1).ifelse(stratum, -1))
    good, bad, won = per.experience >= a.good_min, per.experience <= a.bad_max, per.outcome == 1
    counts = per.group_by(["touchpoint", "stratum"]).aggregate(
        customers=per.count(),
        n_good=count_where(good),
        k_good=count_where(good & won),
        n_bad=count_where(bad),
        k_bad=count_where(bad & won),
    )
    # sorted, so the pooled sums add up in one order and give the same last digit on every run and engine
    return sorted(counts.to_pyarrow().to_pylist(), key=lambda r: (r["touchpoint"], r["stratum"]))


def hot_spots(
    prepared: Prepared, outcomes: ir.Table, reach: dict[str, float | None], excluded: set[str]
) -> list[HotSpot]:
    """Every touchpoint tested: hot spots first by adjusted leverage x reach (see the module docstring)."""
    a = prepared.settings.analysis
    rows = _stratified_counts(prepared, outcomes, excluded)
    names = sorted({r["touchpoint"] for r in rows})
    index = {t: i for i, t in enumerate(names)}
    keys = ("customers", *SIDES)
    raw = {t: dict.fromkeys(keys, 0) for t in names}
    held = {t: dict.fromkeys(keys, 0) for t in names}  # the adjusted comparison's customers
    for r in rows:
        both = r["n_good"] and r["n_bad"]
        for k in keys:
            raw[r["touchpoint"]][k] += r[k]
            held[r["touchpoint"]][k] += r[k] if both else 0
    k1, n1, k2, n2 = ([raw[t][k] for t in names] for k in SIDES)
    d, lo, hi = newcombe(k1, n1, k2, n2, a.confidence)
    group = [index[r["touchpoint"]] for r in rows]
    s1, m1, s2, m2 = ([r[k] for r in rows] for k in SIDES)
    ad, alo, ahi = mantel_haenszel(group, s1, m1, s2, m2, len(names), a.confidence)
    moments = set(prepared.map.moments_of_truth()) if prepared.map else set()
    spots = []
    for i, t in enumerate(names):
        r, h = raw[t], held[t]
        kind = evidence(r["n_good"], r["n_bad"], r["k_good"], r["k_bad"], a.min_customers)
        adjusted_kind = evidence(h["n_good"], h["n_bad"], h["k_good"], h["k_bad"], a.min_customers)
        low, adjusted, adjusted_low = clean(lo[i]), clean(ad[i]), clean(alo[i])
        hot = adjusted_kind == "enough" and adjusted_low is not None and adjusted_low > 0
        hot = hot and adjusted is not None and adjusted >= a.min_leverage
        r_reach = reach.get(t)
        spots.append(
            HotSpot(
                touchpoint=t,
                name=prepared.name(t),
                leverage=clean(d[i]),
                leverage_ci=[low, clean(hi[i])],
                leverage_adjusted=adjusted,
                leverage_adjusted_ci=[adjusted_low, clean(ahi[i])],
                method=METHOD,
                customers_adjusted=h["n_good"] + h["n_bad"],
                outcome_rate_good=r["k_good"] / r["n_good"] if r["n_good"] else None,
                outcome_rate_bad=r["k_bad"] / r["n_bad"] if r["n_bad"] else None,
                customers_good=r["n_good"],
                customers_bad=r["n_bad"],
                customers=r["customers"],
                reach=r_reach,
                score=adjusted * r_reach if adjusted is not None and r_reach is not None else None,
                significant=hot,
                moves_with_satisfaction=not hot and kind == "enough" and low is not None and low > 0,
                evidence=kind,
                evidence_adjusted=adjusted_kind,
                moment_of_truth=t in moments,
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
