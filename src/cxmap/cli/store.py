"""`cxmap store export`: move an embedded workspace's store to a Parquet dataset (a data lake folder)."""

from __future__ import annotations

from pathlib import Path

import typer

from cxmap.cli.output import JSON_OPTION, echo, emit_json, pluralise, reporting

store_app = typer.Typer(
    help="The workspace's store: export it as a Parquet dataset, or write its events again in journey order.",
    no_args_is_help=True,
)
EXAMPLE = "Example: cxmap store export acme/ parquet:///tmp/acme-events"


@store_app.command("export", epilog=EXAMPLE)
def export_cmd(
    workspace: Path = typer.Argument(..., help="The workspace folder."),
    destination: str = typer.Argument(..., help="A new or empty folder or URL: parquet:///path, file:///path, path."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write every table of the store (events by month) as a Parquet dataset another workspace can use."""
    from cxmap.service.store import export
    from cxmap.workspace import open_workspace

    with reporting(as_json):
        ws = open_workspace(workspace)
        done = export(ws, destination)
    if as_json:
        emit_json({"workspace": str(ws.root), "store": str(done.store), "events": done.events, "files": done.files})
        return
    echo(
        f"exported {pluralise(done.events, 'event')} ({pluralise(done.files, 'file')}) to {done.store}; "
        f"analyse it with: cxmap init NEW --engine pyspark --store file://{done.store.resolve()}"
    )


@store_app.command("optimize", epilog="Example: cxmap store optimize acme/")
def optimize_cmd(
    workspace: Path = typer.Argument(..., help="The workspace folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write the store's events again sorted by customer and time (after many small loads, the per-customer
    findings then run faster). The answers do not change. Like a load, it holds the store while it runs."""
    from cxmap.progress import steps
    from cxmap.service.store import optimize
    from cxmap.workspace import open_workspace

    with reporting(as_json):
        ws = open_workspace(workspace)
        with steps(not quiet and not as_json) as progress:
            events = optimize(ws, progress)
    if as_json:
        emit_json({"workspace": str(ws.root), "events": events})
        return
    echo(f"{ws.root}: {pluralise(events, 'event')} written again in customer and time order")
