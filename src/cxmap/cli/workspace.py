"""Commands on a workspace's data: init, ingest, status, quarantine."""

from __future__ import annotations

from pathlib import Path

import typer

from cxmap.cli.output import CLI, JSON_OPTION, echo, emit_json, one_of, pluralise, reporting
from cxmap.progress import steps
from cxmap.service.intake import KINDS, SCALES, LoadResult, Options, load_files
from cxmap.service.store import quarantine as quarantine_rows
from cxmap.service.store import status as workspace_status
from cxmap.workspace import init_workspace, open_workspace

WORKSPACE = typer.Argument(..., help="The workspace folder.")


def init(
    path: Path = typer.Argument(..., help="Folder to make a workspace (created if missing)."),
    engine: str | None = typer.Option(None, "--engine", help="Engine for the analytics: duckdb (default) or pyspark."),
    store: str | None = typer.Option(
        None, "--store", help="Keep the events in a Parquet dataset at this folder or URL (file:///data/cx/events)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a workspace: cxmap.yaml, a maps/ folder and the store (cxmap.duckdb, or a Parquet dataset)."""
    with reporting(as_json):
        ws = init_workspace(path, engine=engine, store_url=store)
    where = store or ws.store_path.name
    if as_json:
        emit_json(
            {
                "workspace": str(ws.root),
                "store": store or str(ws.store_path),
                "engine": ws.settings.engine,
                "maps": str(ws.maps_dir),
            }
        )
    else:
        echo(f"created workspace {path}/ (cxmap.yaml, maps/, {where}); next: cxmap ingest {path} FILE")


def ingest_cmd(
    workspace: Path = WORKSPACE,
    files: list[str] = typer.Argument(..., help="Files, folders or glob patterns: CSV, TSV, Parquet, JSON Lines, .gz."),
    kind: str = typer.Option("events", "--kind", "-k", help="What the files hold: events, accounts or contacts."),
    scale: str = typer.Option("0-10", "--scale", help=f"Scale of the score column: {', '.join(SCALES)}."),
    columns: str | None = typer.Option(
        None, "--columns", "-c", help="Map source columns: customer_id=ContactId,score=CSAT,..."
    ),
    timestamp_format: str | None = typer.Option(
        None,
        "--timestamp-format",
        help="strptime format for timestamps that are not ISO 8601 (e.g. %d/%m/%Y %H:%M).",
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV/TSV files: utf-8, latin-1, utf-16."),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Load nothing if any row would be quarantined, or if a column that looks like a score or a comment "
        "would be kept as an attribute.",
    ),
    preview: bool = typer.Option(False, "--preview", help="Show how the first rows would be read; write nothing."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Load touchpoint events (or accounts, or contacts) into the workspace, in one transaction.

    Rows that cannot be read go to the quarantine with file, line and reason; rows already loaded (same
    event_id) are skipped, so loading a file twice loads nothing the second time. A column that looks like a
    score or a comment but is kept as an attribute gets a warning (on stderr).
    """
    options = Options(kind, scale, columns, strict, encoding, timestamp_format, 10 if preview else 0)
    with reporting(as_json):
        one_of("--kind", kind, KINDS)  # ingest's own check says wrong input (exit 1); a bad option is usage
        ws = open_workspace(workspace)
        with steps(not quiet and not as_json) as progress:
            result = load_files(ws, files, options, progress)
    if as_json:
        emit_json(result.to_json(CLI))
        return
    for warning in result.warnings:
        echo(f"warning: {warning.say(CLI)}", err=True)
    if preview:
        _show_preview(result)
    else:
        echo(_summary(result))


def _summary(r: LoadResult) -> str:
    what = "events" if r.kind == "events" else r.kind
    parts = [
        f"loaded {r.loaded:,} {what}",
        f"{pluralise(r.duplicates, 'duplicate')} skipped",
        f"{r.quarantined:,} quarantined",
    ]
    if r.replaced:
        parts.append(f"{r.replaced:,} updated")
    if r.comments_scored:
        parts.append(f"{pluralise(r.comments_scored, 'distinct comment')} newly scored for sentiment")
    text = (
        f"load {r.load_id}: " + ", ".join(parts) + f" (from {pluralise(len(r.sources), 'file')}, {r.rows_read:,} rows)"
    )
    if r.quarantined:
        text += "\nsee the quarantined rows with: cxmap quarantine WORKSPACE"
    return text


def _show_preview(r: LoadResult) -> None:
    echo(f"preview of the first {len(r.preview)} rows (nothing written):")
    for row in r.preview:
        shown = {k: v for k, v in row.items() if v is not None}
        echo("  " + ", ".join(f"{k}={v}" for k, v in shown.items()))


def status(workspace: Path = WORKSPACE, as_json: bool = JSON_OPTION) -> None:
    """What is in the workspace: maps, events, customers, date range, loads, quarantine."""
    with reporting(as_json):
        info = workspace_status(open_workspace(workspace))
    if as_json:
        emit_json(info)
        return
    echo(f"workspace {info['workspace']} (time zone {info['timezone']})")
    echo(f"  maps: {', '.join(info['maps']) or 'none'}")
    echo(f"  events: {info['events']:,} from {info['customers']:,} customers, {info['touchpoints']:,} touchpoints")
    if info["events"]:
        echo(f"  from {info['first_event']} to {info['last_event']} (UTC)")
        echo(
            f"  emotion: {info['scored_events']:,} events from scores, "
            f"{info['sentiment_events']:,} events from comment sentiment"
        )
    echo(f"  accounts: {info['accounts']:,}; contacts: {info['contacts']:,}")
    echo(f"  quarantined rows: {info['quarantined']:,}")
    for load in info["loads"]:
        echo(
            f"  load {load['load_id']} ({load['kind']}, {load['at'][:19]}): {', '.join(load['sources'])}: "
            f"{load['loaded']:,} loaded, {load['duplicates']:,} duplicates, {load['quarantined']:,} quarantined"
        )


def quarantine(
    workspace: Path = WORKSPACE,
    load: int | None = typer.Option(None, "--load", help="Only rows of this load (see cxmap status)."),
    limit: int = typer.Option(50, "--limit", help="Show at most this many rows (0: all).", min=0),
    as_json: bool = JSON_OPTION,
) -> None:
    """The rows that were not loaded, each with its file, line and reason."""
    with reporting(as_json):
        info = quarantine_rows(open_workspace(workspace), load_id=load, limit=limit or None)
    if as_json:
        emit_json(info)
        return
    for row in info["rows"]:
        echo(f"{row['file']}:{row['line']}: {row['reason']}")
        echo(f"    {(row['raw'] or '')[:200]}")
    echo(
        f"{pluralise(info['total'], 'quarantined row')}"
        + (f" ({info['shown']} shown)" if info["shown"] < info["total"] else "")
    )


EXAMPLES = {
    "init": "Example: cxmap init acme/   or   cxmap init big/ --engine pyspark --store file:///data/cx/events",
    "ingest": "Example: cxmap ingest acme/ survey.csv --scale 1-5 --columns customer_id=ContactId,score=CSAT",
    "status": "Example: cxmap status acme/ --json",
    "quarantine": "Example: cxmap quarantine acme/ --json",
}
