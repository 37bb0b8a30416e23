"""How commands present results and errors: text for people, `--json` for machines, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from cxmap.errors import CxmapError, UsageError

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of text.")
ENGINE_OPTION = typer.Option(
    None, "--engine", help="Engine for this run: duckdb or pyspark (default: the workspace's `engine` setting)."
)


def emit_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, stable key order as built)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def report(exc: CxmapError, *, as_json: bool) -> int:
    """Write an error on stderr and return its exit code: 2 for wrong usage, 1 for anything else.

    Under --json it is exactly one line, `{"error": {"code", "message", "details"}}`, so a script can read
    stderr whole; without, one line per problem (a map's problems) or the message alone.
    """
    if as_json:
        typer.echo(json.dumps(exc.to_json(), ensure_ascii=False), err=True)
    else:
        for line in [str(p) for p in exc.problems] or [f"error: {exc.message}"]:
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
        raise UsageError(f"{option}: unknown {option.lstrip('-')} '{value}'; use one of: {', '.join(choices)}")


def echo(text: str = "", *, err: bool = False) -> None:
    """Plain text output (never parsed for markup, so customer text prints as written)."""
    typer.echo(text, err=err)


def pluralise(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
