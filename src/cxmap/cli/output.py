"""How commands present results and errors: text for people, `--json` for machines, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
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


def fail(exc: CxmapError, *, as_json: bool) -> NoReturn:
    """Report an error on stderr and exit: 2 for wrong usage, 1 for wrong input."""
    if as_json:
        typer.echo(json.dumps(exc.to_json(), ensure_ascii=False), err=True)
    else:
        lines = [str(p) for p in exc.problems] or [f"error: {exc.message}"]
        for line in lines:
            typer.echo(line, err=True)
    raise typer.Exit(2 if isinstance(exc, UsageError) else 1)


@contextmanager
def reporting(as_json: bool = False) -> Iterator[None]:
    """Run a command body; a CxmapError becomes a clean message and exit code."""
    try:
        yield
    except CxmapError as exc:
        fail(exc, as_json=as_json)


def echo(text: str = "", *, err: bool = False) -> None:
    """Plain text output (never parsed for markup, so customer text prints as written)."""
    typer.echo(text, err=err)


def pluralise(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
