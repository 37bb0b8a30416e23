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
from functools import partial
from typing import Any

import duckdb
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from cxmap.errors import BusyHere, CxmapError
from cxmap.progress import Steps
from cxmap.web.snapshot import Live
from cxmap.web.words import WEB
from cxmap.workspace.ingest import Options, ingest

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
            raise exc.reworded(partial(_batch_terms, path=str(path))) from None
        except duckdb.Error as exc:
            raise HTTPException(
                503, f"the store could not be written now; retry ({str(exc).splitlines()[0]})"
            ) from None
        finally:
            path.unlink(missing_ok=True)
    result.pop("preview", None)
    result["quarantine"] = [dict(zip(("load_id", "file", "line", "reason", "raw"), r, strict=True)) for r in rows]
    return result


def _ingest(state: Live, path: str, options: Options) -> dict[str, Any]:
    """Ingest the file; a reader of this process outside the store lock (a page being drawn) is waited for
    a little while: DuckDB refuses a writer while a reader of the same process is open."""
    for attempt in range(RETRIES):
        try:
            return ingest(state.state.workspace, [path], options, Steps(None)).to_json(WEB)
        except BusyHere:
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.25)
            gc.collect()
    raise AssertionError("unreachable")


def _batch_terms(message: str, path: str) -> str:
    """Ingest speaks of the file the batch was written to; say 'event N' and 'the batch' instead (the
    inputs it names are worded by the web's face, words.py)."""
    message = re.sub(re.escape(path) + r":(\d+):", r"event \1:", message)
    return message.replace(path, "the batch")
