"""The `cxmap` command: groups and commands wired together, and the one place errors are caught.

A command's module is imported only when that command runs (or when `cxmap --help` lists them all), so
that `cxmap ingest` does not pay for the web app, rendering or the statistics libraries at start-up.
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

from cxmap import __version__
from cxmap.cli.output import report
from cxmap.errors import CxmapError, InternalError, Interrupted, UsageError

# name -> (module under cxmap.cli, function); listed in the order `cxmap --help` shows them. The example
# shown under a command's --help is its module's EXAMPLES[name].
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("maps", "check"),
    "diff": ("maps", "diff"),
    "render": ("maps", "render"),
    "schema": ("maps", "schema"),
    "init": ("workspace", "init"),
    "ingest": ("workspace", "ingest_cmd"),
    "status": ("workspace", "status"),
    "quarantine": ("workspace", "quarantine"),
    "analyze": ("analysis", "analyze_cmd"),
    "report": ("analysis", "report_cmd"),
    "journeys": ("analysis", "journeys_cmd"),
    "accounts": ("accounts", "accounts_cmd"),
    "account": ("accounts", "account_cmd"),
    "customer": ("accounts", "customer_cmd"),
    "gate": ("accounts", "gate_cmd"),
    "alerts": ("accounts", "alerts_cmd"),
    "milestones": ("accounts", "milestones_cmd"),
    "verify": ("accounts", "verify_cmd"),
    "serve": ("server", "serve"),
}
# name -> (module under cxmap.cli, Typer app): the command groups, shown after the commands.
GROUPS: dict[str, tuple[str, str]] = {
    "new": ("maps", "new_app"),
    "export": ("interchange", "export_app"),
    "import": ("interchange", "import_app"),
    "user": ("people", "user_app"),
    "token": ("people", "token_app"),
    "store": ("store", "store_app"),
}


class LazyGroup(TyperGroup):
    """The root group: builds a command from its module the first time the command is asked for."""

    # Typer ships its own copy of click: its classes are typed loosely here.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *GROUPS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        built = _build(cmd_name)
        return super().get_command(ctx, cmd_name) if built is None else built


@cache
def _build(name: str) -> Any:
    """The click command (or group) `name`, built from its module as the root app would have built it.

    It is registered on an app of its own with a callback, which Typer always makes a group, and taken out
    of that group: so a group keeps its subcommands and a command is the same object, options and help.
    """
    if name in COMMANDS:
        module, function = COMMANDS[name]
        found: Any = importlib.import_module(f"cxmap.cli.{module}")
        holder = typer.Typer(add_completion=False)
        holder.command(name, epilog=found.EXAMPLES[name])(getattr(found, function))
    elif name in GROUPS:
        module, attribute = GROUPS[name]
        holder = typer.Typer(add_completion=False)
        holder.add_typer(getattr(importlib.import_module(f"cxmap.cli.{module}"), attribute), name=name)
    else:
        return None
    holder.callback()(_nothing)
    group: Any = typer.main.get_command(holder)
    return group.commands[name]


def _nothing() -> None:
    """The callback of a holder app (see _build); never runs."""


app = typer.Typer(
    name="cxmap",
    cls=LazyGroup,
    help="Customer experience maps as code: draw, check, render and share journey maps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


INTERRUPTED = 130  # the exit code of Ctrl+C, as shells report a SIGINT


def main() -> None:
    """Entry point, and the one place every failure ends: the argument parser's own errors included.

    Click runs in non-standalone mode so that its usage errors reach us instead of being printed by Typer
    (as Rich text, even under --json). Exit codes: 0 an answer, 1 wrong input, 2 wrong usage, 130
    interrupted (said only under --json: whoever pressed Ctrl+C knows); an unexpected exception is a
    bug, said in one line (code `internal`, exit 1, as any failure that is not the user's usage) with its
    traceback only under --debug.
    """
    args = sys.argv[1:]
    as_json = _wants_json(args)
    try:
        result = typer.main.get_command(app).main(args, standalone_mode=False)
    except KeyboardInterrupt:
        result = INTERRUPTED
    except CxmapError as exc:  # raised outside a command's `reporting` block
        sys.exit(report(exc, as_json=as_json))
    except typer.TyperException as exc:  # click's UsageError, BadParameter, NoSuchOption, MissingParameter...
        sys.exit(_parser_error(exc, as_json))
    except Exception as exc:  # the last line of defence: never a traceback for the user
        if os.environ.get("CXMAP_DEBUG") or "--debug" in args:
            raise
        first = next(iter(str(exc).splitlines()), "")
        message = f"unexpected {exc.__class__.__name__}: {first} (a bug in cxmap; rerun with --debug)"
        sys.exit(report(InternalError(message), as_json=as_json))
    if result == INTERRUPTED and as_json:  # Typer turns Ctrl+C in a command into this code; a script must read it
        report(Interrupted("interrupted"), as_json=True)
    sys.exit(result if isinstance(result, int) else 0)


def _wants_json(args: list[str]) -> bool:
    """Whether failures must be JSON: `--json` among the options (parsing may fail before it is read)."""
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def _parser_error(exc: typer.TyperException, as_json: bool) -> int:
    """Report an error of the argument parser as ours: exit 2 for wrong usage (click's exit code)."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed (Typer tests it by name too)
        return exc.exit_code
    message = exc.format_message()
    ctx: Any = getattr(exc, "ctx", None)
    if ctx is not None and not as_json:
        message = f"{message.rstrip('.')}; see {ctx.command_path} --help"
    return report(UsageError(message) if exc.exit_code == 2 else CxmapError(message), as_json=as_json)
