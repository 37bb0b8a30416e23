"""How commands present results and errors: text for people, `--json` for machines, never a traceback."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from cxmap.errors import CxmapError, Face, UsageError, unknown

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of text.")
ENGINE_OPTION = typer.Option(
    None, "--engine", help="Engine for this run: duckdb or pyspark (default: the workspace's `engine` setting)."
)


def emit_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, stable key order as built)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


class CommandLine:
    """How the command line names the inputs the core speaks of: by their options. The one place a field
    becomes a flag (`outcome_negative` -> `--outcome-negative`)."""

    def field(self, name: str) -> str:
        return "--" + name.replace("_", "-")

    def switch(self, name: str) -> str:
        return self.field(name)

    def setting(self, name: str, value: str) -> str:
        return f"{self.field(name)} {value}"

    def column(self, role: str, column: str | None) -> str | None:
        if column is None:
            return f"map one with {self.setting('columns', f'{role}=YOUR_COLUMN')}"
        return f"map it with {self.setting('columns', f'{role}={shell_word(column)}')}"


CLI: Face = CommandLine()


def shell_word(name: str) -> str:
    """A column name as it is typed after `--columns score=` in a shell."""
    if re.fullmatch(r"[\w.\-]+", name):
        return name
    return f'"{name}"' if not re.search(r'["$`\\!]', name) else shlex.quote(name)


def report(exc: CxmapError, *, as_json: bool) -> int:
    """Write an error on stderr and return its exit code: 2 for wrong usage, 1 for anything else.

    Under --json it is exactly one line, `{"error": {"code", "message", "details"}}`, so a script can read
    stderr whole; without, one line per problem (a map's problems) or the message alone.
    """
    if as_json:
        typer.echo(json.dumps(exc.to_json(CLI), ensure_ascii=False), err=True)
    else:
        for line in [str(p) for p in exc.problems] or [f"error: {exc.say(CLI)}"]:
            typer.echo(line, err=True)
    return 2 if isinstance(exc, UsageError) else 1


def fail(exc: CxmapError, *, as_json: bool) -> NoReturn:
    """Report an error on stderr and exit with its code (see `report`)."""
    raise typer.Exit(report(exc, as_json=as_json))


@contextmanager
def reporting(as_json: bool = False) -> Iterator[None]:
    """Run a command body; a CxmapError becomes a clean message and exit code."""
    try:
        yield
    except CxmapError as exc:
        fail(exc, as_json=as_json)


def one_of(option: str, value: str, allowed: Iterable[str]) -> None:
    """Refuse a value outside an option's set as wrong usage (exit 2), before any work, in the same words
    as the other such checks; for options whose set the parser does not know."""
    choices = list(allowed)
    if value not in choices:
        raise unknown(option.removeprefix("--").replace("-", "_"), value, choices)


def echo(text: str = "", *, err: bool = False) -> None:
    """Plain text output (never parsed for markup, so customer text prints as written)."""
    typer.echo(text, err=err)


def pluralise(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
