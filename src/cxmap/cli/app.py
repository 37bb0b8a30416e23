"""The `cxmap` command: groups and commands wired together, and the one place errors are caught."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import typer

from cxmap import __version__
from cxmap.cli import accounts, analysis, interchange, maps, server, store, workspace

app = typer.Typer(
    name="cxmap",
    help="Customer experience maps as code: draw, check, render and share journey maps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
Command = Callable[..., None]

# name -> (function, the example shown under --help); listed in the order `cxmap --help` shows them.
COMMANDS: dict[str, tuple[Command, str]] = {
    "check": (maps.check, maps.EXAMPLES["check"]),
    "diff": (maps.diff, maps.EXAMPLES["diff"]),
    "render": (maps.render, maps.EXAMPLES["render"]),
    "schema": (maps.schema, maps.EXAMPLES["schema"]),
    "init": (workspace.init, workspace.EXAMPLES["init"]),
    "ingest": (workspace.ingest_cmd, workspace.EXAMPLES["ingest"]),
    "status": (workspace.status, workspace.EXAMPLES["status"]),
    "quarantine": (workspace.quarantine, workspace.EXAMPLES["quarantine"]),
    "analyze": (analysis.analyze_cmd, analysis.EXAMPLES["analyze"]),
    "report": (analysis.report_cmd, analysis.EXAMPLES["report"]),
    "journeys": (analysis.journeys_cmd, analysis.EXAMPLES["journeys"]),
    "accounts": (accounts.accounts_cmd, accounts.EXAMPLES["accounts"]),
    "account": (accounts.account_cmd, accounts.EXAMPLES["account"]),
    "customer": (accounts.customer_cmd, accounts.EXAMPLES["customer"]),
    "gate": (accounts.gate_cmd, accounts.EXAMPLES["gate"]),
    "alerts": (accounts.alerts_cmd, accounts.EXAMPLES["alerts"]),
    "milestones": (accounts.milestones_cmd, accounts.EXAMPLES["milestones"]),
    "verify": (accounts.verify_cmd, accounts.EXAMPLES["verify"]),
    "serve": (server.serve, server.EXAMPLES["serve"]),
}
app.add_typer(maps.new_app, name="new")
for name, (function, example) in COMMANDS.items():
    app.command(name, epilog=example)(function)
app.add_typer(interchange.export_app, name="export")
app.add_typer(interchange.import_app, name="import")
app.add_typer(server.user_app, name="user")
app.add_typer(server.token_app, name="token")
app.add_typer(store.store_app, name="store")


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
