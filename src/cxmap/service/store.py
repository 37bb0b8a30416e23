"""What is in a workspace's store, and its upkeep: status, quarantine, optimize, export (their one home is
`cxmap.workspace`; every face asks here)."""

from cxmap.workspace.export import export_store
from cxmap.workspace.optimize import optimize
from cxmap.workspace.status import quarantine, status

__all__ = ["export_store", "optimize", "quarantine", "status"]
