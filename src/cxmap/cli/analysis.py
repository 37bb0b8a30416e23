"""`cxmap analyze` and `cxmap journeys`: findings from a workspace's events, in words or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cxmap.cli.output import ENGINE_OPTION, JSON_OPTION, echo, emit_json, reporting
from cxmap.errors import UsageError
from cxmap.progress import steps
from cxmap.service.inputs import day, workspace_for

WORKSPACE = typer.Argument(..., help="The workspace folder.")
MAP = typer.Option(None, "--map", "-m", help="Map id (in the workspace's maps/) or map file.")
SINCE = typer.Option(None, "--since", help="First day analysed (YYYY-MM-DD, the workspace's time zone).")
UNTIL = typer.Option(None, "--until", help="Last day analysed (YYYY-MM-DD, included).")
OUTCOME_HELP = "Touchpoint whose occurrence is the outcome (default: the map's measure, else cxmap.yaml's)."
OUTCOME = typer.Option(None, "--outcome", help=OUTCOME_HELP)
OUTCOME_NEGATIVE = typer.Option(
    None, "--outcome-negative", help='Touchpoint that is its opposite (default: the configured one; "" for none).'
)


def _thresholds(pairs: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"'{pair}' is not NAME=VALUE (e.g. good_min=8)", field="threshold")
        found[key.strip()] = value.strip()
    return found


def analyze_cmd(
    workspace: Path = WORKSPACE,
    map_id: str | None = MAP,
    outcome: str | None = typer.Option(None, "--outcome", "-o", help=OUTCOME_HELP),
    outcome_negative: str | None = OUTCOME_NEGATIVE,
    segment: str | None = typer.Option(None, "--segment", help="Split touchpoint stats by this column."),
    period: str | None = typer.Option(None, "--period", help="Split touchpoint stats by week, month, quarter, year."),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    threshold: list[str] = typer.Option([], "--threshold", "-t", help="Override a threshold: NAME=VALUE."),
    top: int | None = typer.Option(None, "--top", help="How many journey variants (default from cxmap.yaml).", min=1),
    engine: str | None = ENGINE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Measure the map from the events: touchpoints, emotional curve, hot spots, problem areas, purple
    cows, journeys, conformance, contagion and service recovery."""
    from cxmap.render.summary import summary_lines
    from cxmap.service.analysis import Request, analyze  # the engine loads only for commands that need it

    with reporting(as_json):
        request = Request(
            map_id,
            outcome,
            outcome_negative,
            day(since, "since"),
            day(until, "until"),
            segment,
            period,
            thresholds=_thresholds(threshold),
            top=top,
        )
        with steps(not quiet and not as_json) as progress:
            findings = analyze(workspace_for(workspace, engine), request, progress)
    if as_json:
        emit_json(findings.model_dump(mode="json"))
    else:
        for line in summary_lines(findings):
            echo(line)


def report_cmd(
    workspace: Path = WORKSPACE,
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    map_id: str | None = MAP,
    outcome: str | None = OUTCOME,
    outcome_negative: str | None = OUTCOME_NEGATIVE,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    threshold: list[str] = typer.Option([], "--threshold", "-t", help="Override a threshold: NAME=VALUE."),
    engine: str | None = ENGINE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the measured map as one self-contained HTML report: measured emotion over the designed
    curve, hot spots, problem areas and purple cows where they sit, the journey graph, and the evidence."""
    from cxmap.files import write_atomic
    from cxmap.service.analysis import Request, report

    with reporting(as_json):
        request = Request(
            map_id,
            outcome,
            outcome_negative,
            day(since, "since"),
            day(until, "until"),
            thresholds=_thresholds(threshold),
        )
        with steps(not quiet and not as_json) as progress:
            made = report(workspace_for(workspace, engine), request, progress)
        html = made.html.encode("utf-8")
        write_atomic(output, html)
    if as_json:
        emit_json({"path": str(output), "bytes": len(html), "map": made.findings.map, "outcome": made.findings.outcome})
    else:
        echo(f"wrote {output}")


def journeys_cmd(
    workspace: Path = WORKSPACE,
    map_id: str | None = MAP,
    top: int = typer.Option(20, "--top", help="How many variants to show.", min=1),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    engine: str | None = ENGINE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The paths customers really take: directly-follows pairs, top variants, where they drop out."""
    from cxmap.service.analysis import journeys

    with reporting(as_json):
        found = journeys(workspace_for(workspace, engine), map_id, top, day(since, "since"), day(until, "until"))
    if as_json:
        emit_json(found.to_json())
        return
    for line in _journey_lines(found.to_json(), found.name):
        echo(line)


def _journey_lines(result: dict[str, Any], name: Any) -> list[str]:
    lines = [f"{result['customers']:,} customers, {result['variant_count']:,} distinct journeys", "", "Top journeys:"]
    for i, v in enumerate(result["variants"], 1):
        lines.append(
            f"  {i:>2}. {v['share']:6.1%}  {v['customers']:>7,}  " + " > ".join(name(t) for t in v["sequence"])
        )
    lines += ["", "Most frequent next steps:"]
    for d in result["dfg"][:15]:
        hours = d["median_hours"]
        lines.append(
            f"  {name(d['from'])} > {name(d['to'])}: {d['count']:,} times, {d['customers']:,} customers"
            + (f", median {hours:,.1f} h between" if hours is not None else "")
        )
    lines += ["", "Where customers drop out (their last touchpoint):"]
    lines += [
        f"  {name(x['touchpoint'])}: {x['share']:.1%} ({x['customers_ending']:,})" for x in result["dropout"][:10]
    ]
    return lines


EXAMPLES = {
    "analyze": "Example: cxmap analyze acme/ --map b2b-onboarding",
    "journeys": "Example: cxmap journeys acme/ --top 20 --json",
    "report": "Example: cxmap report acme/ --map b2b-onboarding -o report.html",
}
