"""Workspaces: settings, maps and the store of touchpoint events; ingestion that never loses a row."""

from cxmap.workspace.core import Workspace, init_workspace, open_workspace

__all__ = ["Workspace", "init_workspace", "open_workspace"]
