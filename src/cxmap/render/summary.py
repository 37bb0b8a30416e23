"""Findings in plain words: the terminal summary of `cxmap analyze` and the headline of the report."""

from __future__ import annotations

from typing import Any

from cxmap.analytics.comparison import EVIDENCE_TEXT
from cxmap.analytics.findings import Findings, HotSpot

SOURCES = {
    "map": "as the map's measure sets it",
    "settings": "as cxmap.yaml's measure sets it",
    "request": "as asked for this run",
    "default": "guessed: the map's last measured step",
}


def pct(value: float | None) -> str:
    """Whole percents, with one decimal below 1% (so a small share never reads as 0%)."""
    if value is None:
        return "n/a"
    return f"{value:.1%}" if 0 < abs(value) < 0.01 else f"{value:.0%}"


def signed(value: float) -> str:
    """A share as whole points with its sign; a value that rounds to zero is "+0", never "-0"."""
    return f"{round(value * 100):+d}"


def points(value: float | None) -> str:
    return "n/a" if value is None else f"{signed(value)} points"


def grade(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/10"


def interval_points(ci: list[float | None]) -> str:
    """ "95% interval +50 to +60 points", or "no interval"."""
    if ci[0] is None or ci[1] is None:
        return "no interval"
    return f"95% interval {signed(ci[0])} to {points(ci[1])}"


def hot_spot_sentence(f: Findings, spot: HotSpot, lead: str = "") -> str:
    """ "Kickoff call: renewal 81% after a good experience against 19% after a bad one; +55 points holding
    the experience elsewhere fixed (...; raw +61 points; 3,592 customers: 2,862 good, 730 bad)"."""
    return (
        f"{lead}{spot.name}: {f.outcome} {pct(spot.outcome_rate_good)} after a good experience against "
        f"{pct(spot.outcome_rate_bad)} after a bad one; {points(spot.leverage_adjusted)} holding the experience "
        f"elsewhere fixed ({interval_points(spot.leverage_adjusted_ci)}; raw {points(spot.leverage)}; "
        f"{spot.customers_good + spot.customers_bad:,} customers: {spot.customers_good:,} good, "
        f"{spot.customers_bad:,} bad)"
    )


def proxy_sentence(spot: HotSpot) -> str:
    """ "Welcome email: +25 points raw, +3 points holding the experience elsewhere fixed (...)"."""
    return (
        f"{spot.name}: {points(spot.leverage)} raw, {points(spot.leverage_adjusted)} holding the experience "
        f"elsewhere fixed ({interval_points(spot.leverage_adjusted_ci)})"
    )


def headline(f: Findings) -> str:
    """One sentence a CX lead can repeat in a meeting."""
    if f.hot_spots:
        return hot_spot_sentence(f, f.hot_spots[0], "The hottest spot is ")
    if f.problem_areas:
        p = f.problem_areas[0]
        return (
            f"The biggest problem area is {p.name}: mean emotion {grade(p.emotion_mean)}, "
            f"{pct(p.negative_share)} negative, {p.customers:,} customers hurt"
        )
    return f"{f.customers:,} customers and {f.events:,} events analysed; no hot spot or problem area stands out"


def outcome_words(f: Findings) -> str:
    """ "renewal against churn-notice, as the map's measure sets it": the question every rate answers."""
    if not f.outcome:
        return "no outcome"
    against = f" against {f.outcome_negative}" if f.outcome_negative else " (every customer without it counts as not)"
    source = SOURCES.get(f.outcome_definition.source if f.outcome_definition else "", "")
    return f"{f.outcome}{against}" + (f", {source}" if source else "")


def _held_back(f: Findings) -> list[str]:
    """Hot-spot comparisons that are not findings for want of evidence, with their numbers."""
    least = f.thresholds.get("min_customers", 20)
    return [
        f"{s.name}: {EVIDENCE_TEXT[s.evidence]} ({s.customers_good:,} good, {s.customers_bad:,} bad"
        + (f"; at least {least:,} needed on each side)" if s.evidence == "too_few" else f"; {points(s.leverage)})")
        for s in f.hot_spot_candidates
        if s.evidence != "enough" and s.customers_good + s.customers_bad
    ]


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", title, *(f"  {r}" for r in rows)] if rows else []


def summary_lines(f: Findings) -> list[str]:
    """The analysis as a short readable report for the terminal."""
    name = {t.id: t.name for t in f.touchpoints}
    scope = f"map {f.map}" if f.map else "no map (touchpoints from the data)"
    lines = [
        f"{f.workspace}: {f.customers:,} customers, {f.events:,} events; {scope}"
        + (f"; outcome: {outcome_words(f)}" if f.outcome else ""),
        "",
        headline(f),
    ]
    lines += _section(
        "Hot spots (where the experience moves the outcome):",
        [hot_spot_sentence(f, s, f"{i}. ") for i, s in enumerate(f.hot_spots[:5], 1)],
    )
    lines += _section(
        f"Moves with overall satisfaction (improving it alone is not expected to move {f.outcome}):",
        [proxy_sentence(s) for s in f.satisfaction_proxies[:5]],
    )
    held = _held_back(f)
    more = [f"... and {len(held) - 5:,} more"] if held[5:] else []
    lines += _section("Not findings (numbers shown, never ranked):", held[:5] + more)
    lines += _segment_rows(f)
    if f.satisfaction_bands:
        bands = ", ".join(f"{b.band} {pct(b.outcome_rate)} ({b.customers:,})" for b in f.satisfaction_bands)
        lines += _section(f"{f.outcome} by overall satisfaction:", [bands])
    lines += _section(
        "Moments of truth on the map not measured as hot spots:",
        [", ".join(name.get(t, t) for t in f.moments_of_truth_unconfirmed)] if f.moments_of_truth_unconfirmed else [],
    )
    lines += _section(
        "Problem areas:",
        [
            f"{p.name}: mean {grade(p.emotion_mean)}, {pct(p.negative_share)} negative, {p.customers:,} customers hurt"
            for p in f.problem_areas[:5]
        ],
    )
    lines += _section(
        "Purple cows:",
        [
            f"{p.name}: mean {grade(p.emotion_mean)}, {pct(p.positive_share)} delighted, {p.customers:,} customers"
            for p in f.purple_cows[:5]
        ],
    )
    marked = [c for c in f.curve if c.extreme]
    lines += _section(
        "Emotional curve (peaks and valleys):",
        [
            f"{c.extreme}: {c.label}: measured {grade(c.measured)}"
            + (f", designed {grade(c.designed)}" if c.designed is not None else "")
            for c in marked
        ],
    )
    lines += _section("Service recovery:", _recovery_rows(f.plain("recovery")))
    lines += _section(
        "Negative experiences spreading (contagion):",
        [
            f"after a bad moment with {c['from_department']}, {pct(c['exposed_rate'])} engage with "
            f"{c['to_department']} against {pct(c['control_rate'])} ({points(c['difference'])}; "
            f"{c['exposed_customers']:,} customers with a bad moment, {c['control_customers']:,} without)"
            for c in f.plain("contagion")
            if c["significant"]
        ][:5],
    )
    journeys = f.plain("journeys")
    variants = journeys.get("variants", [])
    if variants:
        top = variants[0]
        lines += _section(
            "Journeys:",
            [
                f"{journeys['variant_count']:,} distinct journeys; the most common ({pct(top['share'])}): "
                + " > ".join(name.get(t, t) for t in top["sequence"][:8])
                + (" > ..." if len(top["sequence"]) > 8 else "")
            ],
        )
    lines += ["", "Details: add --json, or render the measured map with `cxmap report`."]
    return lines


def _recovery_rows(r: dict[str, Any]) -> list[str]:
    if not r or not r.get("negative_customers"):
        return []
    rows = [
        f"{r['negative_customers']:,} customers had a negative moment; {pct(r.get('on_time_share'))} got a "
        f"recovery within {r.get('window_days')} days ({r.get('recovered_late', 0):,} late, "
        f"{r.get('unrecovered', 0):,} never)"
    ]
    if r.get("outcome_rate_recovered") is not None:
        kind = r.get("evidence") or "enough"
        verdict = "" if kind == "enough" else f"; {EVIDENCE_TEXT[kind]}, not a finding"
        rows.append(
            f"outcome {pct(r['outcome_rate_recovered'])} when recovered on time "
            f"({r.get('outcome_customers_recovered') or 0:,} customers) against "
            f"{pct(r.get('outcome_rate_unrecovered'))} when never recovered "
            f"({r.get('outcome_customers_unrecovered') or 0:,}){verdict}"
        )
    return rows


def _segment_rows(f: Findings) -> list[str]:
    """With --segment or --period: each touchpoint's mean emotion per segment and period."""
    if not f.segment and not f.period:
        return []
    least = f.thresholds.get("min_customers", 20)
    by = " and ".join(x for x in (f.segment, f.period and f"{f.period}") if x)
    rows = []
    for t in f.touchpoints:
        if not t.scored_events:
            continue
        few = f" (too few customers, under {least:,})" if t.customers < least else ""
        label = " ".join(x for x in (t.segment if f.segment else "", t.period if f.period else "") if x)
        who = f"{t.customers:,} customer" + ("" if t.customers == 1 else "s")
        rows.append(f"{t.name} \u00b7 {label}: mean {grade(t.emotion_mean)}, {who}{few}")
    return _section(f"Touchpoints by {by}:", rows)
