"""Loading events: files (`cxmap ingest`) and batches sent to the API, by one pipeline
(`cxmap.workspace.ingest`): the same validation, normalisation, idempotency (event ids) and quarantine, in
one transaction.

A batch is written to a JSON Lines file, one event per line, so a quarantined event's "line" is its
position in the batch (from 1). The file is named by its content: posting the same batch again loads
nothing and quarantines nothing new (ingest keeps one quarantine entry per file, line and reason).
"""

from __future__ import annotations

import gc
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import duckdb

from cxmap.errors import Busy, BusyHere, CxmapError, InternalError
from cxmap.progress import Steps
from cxmap.workspace import Workspace
from cxmap.workspace.ingest import KINDS, LoadResult, Options, ingest
from cxmap.workspace.scales import SCALES
from cxmap.workspace.status import quarantine

__all__ = ["KINDS", "SCALES", "Batch", "LoadResult", "Options", "load_batch", "load_files"]
RETRIES = 20
BATCH = "the batch"


def load_files(workspace: Workspace, paths: list[str], options: Options, steps: Steps) -> LoadResult:
    """Load files into the workspace: all of them or, on any error, nothing."""
    return ingest(workspace, paths, options, steps)


@dataclass
class Batch:
    """What a batch's load did, and the batch's own events that were quarantined."""

    result: LoadResult
    quarantine: list[dict[str, Any]]


def load_batch(
    workspace: Workspace, lines: list[str], options: Options, writing: Callable[[], AbstractContextManager[Any]]
) -> Batch:
    """Load a batch of events (one JSON object a line) while `writing()` keeps this process's readers out."""
    text = "\n".join(lines) + "\n"
    folder = workspace.root / ".cxmap" / "tmp" / "api"
    folder.mkdir(parents=True, exist_ok=True)
    # Named by content, so that posting the same batch again quarantines nothing new (ingest's rule per file);
    # a strict load leaves no quarantine behind, and gets a name of its own.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = folder / (f"events-strict-{secrets.token_hex(8)}.jsonl" if options.strict else f"events-{digest}.jsonl")
    with writing():
        path.write_text(text, encoding="utf-8")
        try:
            result = _patiently(lambda: ingest(workspace, [str(path)], options, Steps(None)))
            rows = [{**r, "file": BATCH} for r in quarantine(workspace, file=str(path))["rows"]]
        except CxmapError as exc:
            raise exc.reworded(partial(_batch_terms, path=str(path))) from None
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            # Another writer holds the store: worth a retry. Anything else (a full disk): retrying won't help.
            held = any(word in first.lower() for word in ("lock", "conflict"))
            raise (Busy if held else InternalError)(f"the store could not be written: {first}") from None
        finally:
            path.unlink(missing_ok=True)
    return Batch(replace(result, sources=[BATCH]), rows)  # the server's own paths are not the caller's business


def _patiently(load: Callable[[], LoadResult]) -> LoadResult:
    """A reader of this process outside the caller's lock (a page being drawn) is waited for a little while:
    DuckDB refuses a writer while a reader of the same process is open."""
    for attempt in range(RETRIES):
        try:
            return load()
        except BusyHere:
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.25)
            gc.collect()
    raise AssertionError("unreachable")


def _batch_terms(message: str, path: str) -> str:
    """Ingest speaks of the file the batch was written to; say 'event N' and 'the batch' instead."""
    message = re.sub(re.escape(path) + r":(\d+):", r"event \1:", message)
    return message.replace(path, BATCH)
