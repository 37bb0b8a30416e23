"""What is in a workspace's store, and its upkeep: status, quarantine, optimize, export (their one home is
`cxmap.workspace`; every face asks here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxmap.workspace import Workspace
from cxmap.workspace.dataset import local_path
from cxmap.workspace.export import export_store, stored_events
from cxmap.workspace.optimize import optimize
from cxmap.workspace.status import quarantine, status

__all__ = ["Exported", "export", "optimize", "quarantine", "status"]


@dataclass
class Exported:
    """Where the store was written as a dataset, and how much of it."""

    store: Path
    events: int
    files: int


def export(workspace: Workspace, destination: str) -> Exported:
    """Every table of the store (events by month) written as a Parquet dataset at `destination` (a folder,
    or a `parquet://` or `file://` URL; relative to the current folder), for another workspace to use."""
    root = local_path(destination, Path.cwd())
    manifest = export_store(workspace, root)
    return Exported(root, stored_events(workspace), sum(len(f) for f in manifest.tables.values()))
