"""Inputs every face reads the same way: a workspace and its engine, days (named by their field, which
each face words)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cxmap.errors import UsageError
from cxmap.workspace import Workspace, open_workspace

# The environment variable naming the workspace the web app serves (`cxmap serve` sets it; so may an ASGI
# server's own configuration).
WORKSPACE_VARIABLE = "CXMAP_WORKSPACE"

# The days any answer may be about (the API's bounds too): a year such as 9999 only makes the work grow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def day(text: str | None, field: str) -> date | None:
    """A calendar day written YYYY-MM-DD, from FIRST_DAY to LAST_DAY; None or "" is none. A day that does not
    parse, or lies outside, is wrong usage."""
    if not text:
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"'{text}' is not a date (YYYY-MM-DD)", field=field) from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise UsageError(f"'{text}' is outside the days cxmap answers for ({FIRST_DAY} to {LAST_DAY})", field=field)
    return found


def workspace_for(path: Path | str, engine: str | None = None) -> Workspace:
    """The workspace at `path`, run on `engine` when given (checked against the engine table)."""
    return open_workspace(Path(path)).using(engine)
