"""Events sent to the API: the body read as a batch of events, loaded by the service
(`cxmap.service.intake.load_batch`) as `cxmap ingest` loads a file."""

from __future__ import annotations

import json
from typing import Any

from fastapi.exceptions import RequestValidationError

from cxmap.service.intake import Options, load_batch
from cxmap.web.snapshot import Live
from cxmap.web.words import WEB


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
    """The batch loaded by the service, under this app's store lock; its answer as JSON."""
    batch = load_batch(state.state.workspace, lines, options, state.lock.writing)
    result = batch.result.to_json(WEB)
    result.pop("preview", None)
    result["quarantine"] = batch.quarantine
    return result
