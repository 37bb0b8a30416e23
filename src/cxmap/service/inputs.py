"""Inputs every face reads the same way: a workspace and its engine, days (named by their field, which
each face words)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cxmap.errors import UsageError
from cxmap.workspace import Workspace, open_workspace


def day(text: str | None, field: str) -> date | None:
    """A calendar day written YYYY-MM-DD; None or "" is none. A day that does not parse is wrong usage."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"'{text}' is not a date (YYYY-MM-DD)", field=field) from None


def workspace_for(path: Path | str, engine: str | None = None) -> Workspace:
    """The workspace at `path`, run on `engine` when given (checked against the engine table)."""
    return open_workspace(Path(path)).using(engine)
