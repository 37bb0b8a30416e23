"""Events sent to the API, loaded as `cxmap ingest` loads a file: the same validation, normalisation,
idempotency (event ids) and quarantine, in one transaction.

The batch is written to a JSON Lines file, one event per line, so a quarantined event's "line" is its
position in the batch (from 1). The file is named by its content: posting the same batch again loads
nothing and quarantines nothing new (ingest keeps one quarantine entry per file, line and reason).
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import secrets
import time
from typing import Any

import duckdb
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from cxmap.errors import CxmapError
from cxmap.progress import Steps
from cxmap.web.snapshot import Live
from cxmap.workspace.ingest import Options, ingest

SHARED = "different configuration"  # DuckDB: a reader of this process has the store open
RETRIES = 20


def event_lines(raw: bytes) -> list[str]:
    """One JSON Lines line per event of the body; 422 when the body is not an event or a batch of them."""

    def bad(message: str) -> RequestValidationError:
        return RequestValidationError([{"loc": ("body",), "msg": message, "type": "value_error"}])

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise bad("the body is nested too deeply") from None
    events = [data] if isinstance(data, dict) else data if isinstance(data, list) else None
    if not events:
        raise bad("send one event (a JSON object) or a non-empty array of events")
    try:
        return [json.dumps(e, ensure_ascii=False) for e in events]
    except (ValueError, RecursionError):
        raise bad("an event is nested too deeply or holds a number JSON cannot carry") from None


def load_events(state: Live, lines: list[str], options: Options) -> dict[str, Any]:
    """Write the batch to a JSON Lines file named by its content and ingest it (under the store lock)."""
    ws = state.state.workspace
    text = "\n".join(lines) + "\n"
    folder = ws.root / ".cxmap" / "tmp" / "api"
    folder.mkdir(parents=True, exist_ok=True)
    # Named by content, so that posting the same batch again quarantines nothing new (ingest's rule per file);
    # a strict load leaves no quarantine behind, and gets a name of its own.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = folder / (f"events-strict-{secrets.token_hex(8)}.jsonl" if options.strict else f"events-{digest}.jsonl")
    with state.lock.writing():
        path.write_text(text, encoding="utf-8")
        try:
            result = _ingest(state, str(path), options)
            with ws.connect(read_only=True) as con:
                rows = con.execute(
                    "SELECT load_id, file, line, reason, raw FROM quarantine WHERE file = ? ORDER BY line, load_id",
                    [str(path)],
                ).fetchall()
        except CxmapError as exc:
            if SHARED in exc.message:
                raise HTTPException(503, "the store is being read by this server; retry shortly") from None
            raise _in_batch_terms(exc, str(path)) from None
        except duckdb.Error as exc:
            raise HTTPException(
                503, f"the store could not be written now; retry ({str(exc).splitlines()[0]})"
            ) from None
        finally:
            path.unlink(missing_ok=True)
    result.pop("preview", None)
    result["warnings"] = [{**w, "message": _batch_terms(w["message"], str(path))} for w in result["warnings"]]
    result["quarantine"] = [dict(zip(("load_id", "file", "line", "reason", "raw"), r, strict=True)) for r in rows]
    return result


def _ingest(state: Live, path: str, options: Options) -> dict[str, Any]:
    """Ingest the file; a reader of this process outside the store lock (a page being drawn) is waited for
    a little while: DuckDB refuses a writer while a reader of the same process is open."""
    for attempt in range(RETRIES):
        try:
            return ingest(state.state.workspace, [path], options, Steps(None)).to_json()
        except CxmapError as exc:
            if SHARED not in exc.message or attempt == RETRIES - 1:
                raise
            time.sleep(0.25)
            gc.collect()
    raise AssertionError("unreachable")


def _in_batch_terms(exc: CxmapError, path: str) -> CxmapError:
    """An error of ingest in the batch's terms (see _batch_terms), with the same code."""
    error = type(exc)(_batch_terms(exc.message, path), exc.problems)
    error.code = exc.code
    return error


def _batch_terms(message: str, path: str) -> str:
    """Ingest speaks of files and options; say 'event N', `strict=true`, `scale=` and the event's keys instead
    (the API has no --columns: an event names its keys)."""
    message = re.sub(re.escape(path) + r":(\d+):", r"event \1:", message)
    message = message.replace(path, "the batch").replace("--strict", "strict=true").replace("--scale ", "scale=")
    message = re.sub(r"map it with --columns (\w+)=(\"[^\"]*\"|'[^']*'|[^\s,]+)", r"send it as \1", message)
    return re.sub(r"; map one with --columns \S+", "", message)
