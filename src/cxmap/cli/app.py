"""The `cxmap` command: groups and commands wired together, and the one place errors are caught."""

from __future__ import annotations

import os
import sys

import typer

from cxmap import __version__
from cxmap.cli import accounts, analysis, interchange, maps, workspace

app = typer.Typer(
    name="cxmap",
    help="Customer experience maps as code: draw, check, render and share journey maps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(maps.new_app, name="new")
for command in (maps.check, maps.diff, maps.render, maps.schema):
    app.command(epilog=maps.EXAMPLES[command.__name__])(command)
app.command("init", epilog=workspace.EXAMPLES["init"])(workspace.init)
app.command("ingest", epilog=workspace.EXAMPLES["ingest"])(workspace.ingest_cmd)
app.command("status", epilog=workspace.EXAMPLES["status"])(workspace.status)
app.command("quarantine", epilog=workspace.EXAMPLES["quarantine"])(workspace.quarantine)
app.command("analyze", epilog=analysis.EXAMPLES["analyze"])(analysis.analyze_cmd)
app.command("report", epilog=analysis.EXAMPLES["report"])(analysis.report_cmd)
app.command("journeys", epilog=analysis.EXAMPLES["journeys"])(analysis.journeys_cmd)
for name, command in (
    ("accounts", accounts.accounts_cmd),
    ("account", accounts.account_cmd),
    ("customer", accounts.customer_cmd),
    ("gate", accounts.gate_cmd),
    ("alerts", accounts.alerts_cmd),
):
    app.command(name, epilog=accounts.EXAMPLES[name])(command)
app.add_typer(interchange.export_app, name="export")
app.add_typer(interchange.import_app, name="import")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback for unexpected errors."),
) -> None:
    if debug:
        os.environ["CXMAP_DEBUG"] = "1"


def main() -> None:
    """Entry point: unexpected errors print one line (a traceback only with --debug)."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("cxmap: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a traceback for the user
        if os.environ.get("CXMAP_DEBUG") or "--debug" in sys.argv:
            raise
        typer.echo(f"cxmap: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)", err=True)
        sys.exit(1)
