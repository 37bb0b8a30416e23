"""Findings in plain words: the terminal summary of `cxmap analyze` and the headline of the report."""

from __future__ import annotations

from typing import Any

from cxmap.analytics.findings import Findings, HotSpot


def pct(value: float | None) -> str:
    """Whole percents, with one decimal below 1% (so a small share never reads as 0%)."""
    if value is None:
        return "n/a"
    return f"{value:.1%}" if 0 < abs(value) < 0.01 else f"{value:.0%}"


def points(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.0f} points"


def grade(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/10"


def hot_spot_sentence(f: Findings, spot: HotSpot, lead: str = "") -> str:
    """ "Kickoff call: renewal 71% after a good experience against 11% after a bad one (7,811 customers)"."""
    ci = spot.leverage_ci
    interval = (
        f"95% interval {ci[0] * 100:+.0f} to {points(ci[1])}"
        if ci[0] is not None and ci[1] is not None
        else "no interval"
    )
    return (
        f"{lead}{spot.name}: {f.outcome} {pct(spot.outcome_rate_good)} after a good experience against "
        f"{pct(spot.outcome_rate_bad)} after a bad one ({points(spot.leverage)}, {interval}; "
        f"{spot.customers_good + spot.customers_bad:,} customers: {spot.customers_good:,} good, "
        f"{spot.customers_bad:,} bad)"
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


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", title, *(f"  {r}" for r in rows)] if rows else []


def summary_lines(f: Findings) -> list[str]:
    """The analysis as a short readable report for the terminal."""
    name = {t.id: t.name for t in f.touchpoints}
    scope = f"map {f.map}" if f.map else "no map (touchpoints from the data)"
    lines = [
        f"{f.workspace}: {f.customers:,} customers, {f.events:,} events; {scope}"
        + (f"; outcome: {f.outcome}" if f.outcome else ""),
        "",
        headline(f),
    ]
    lines += _section(
        "Hot spots (where the experience moves the outcome):",
        [hot_spot_sentence(f, s, f"{i}. ") for i, s in enumerate(f.hot_spots[:5], 1)],
    )
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
    lines += _section("Service recovery:", _recovery_rows(f.recovery))
    lines += _section(
        "Negative experiences spreading (contagion):",
        [
            f"after a bad moment with {c['from_department']}, {pct(c['exposed_rate'])} engage with "
            f"{c['to_department']} against {pct(c['control_rate'])} ({points(c['difference'])})"
            for c in f.contagion
            if c.get("significant")
        ][:5],
    )
    variants = f.journeys.get("variants", [])
    if variants:
        top = variants[0]
        lines += _section(
            "Journeys:",
            [
                f"{f.journeys.get('variant_count', 0):,} distinct journeys; the most common ({pct(top['share'])}): "
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
        rows.append(
            f"outcome {pct(r['outcome_rate_recovered'])} when recovered against "
            f"{pct(r.get('outcome_rate_unrecovered'))} when not"
        )
    return rows
