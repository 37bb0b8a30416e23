"""What is in a workspace (`cxmap status`) and what could not be loaded (`cxmap quarantine`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cxmap.workspace.core import Workspace


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def status(workspace: Workspace) -> dict[str, Any]:
    """Counts, date range, emotion sources, loads and quarantine of a workspace."""
    with workspace.connect(read_only=True) as con:
        events = (
            con.execute(
                """SELECT count(*), count(DISTINCT customer_id), count(DISTINCT account_id),
                count(DISTINCT touchpoint), min("timestamp"), max("timestamp"),
                count(*) FILTER (WHERE emotion_source = 'score'),
                count(*) FILTER (WHERE emotion_source IS NOT NULL AND emotion_source <> 'score'),
                count(*) FILTER (WHERE comment IS NOT NULL)
            FROM events"""
            ).fetchone()
            or (0,) * 9
        )
        accounts = (con.execute("SELECT count(*) FROM accounts").fetchone() or (0,))[0]
        contacts = (con.execute("SELECT count(*) FROM contacts").fetchone() or (0,))[0]
        quarantined = (con.execute("SELECT count(*) FROM quarantine").fetchone() or (0,))[0]
        loads = con.execute(
            """SELECT load_id, kind, sources, started_at, rows_read, loaded, duplicates, quarantined
            FROM loads ORDER BY load_id"""
        ).fetchall()
    from cxmap.workspace.maps import map_files  # the map model loads only for the commands that read maps

    maps = sorted(p.stem for p in map_files(workspace))
    return {
        "workspace": str(workspace.root),
        "timezone": workspace.settings.timezone,
        "maps": maps,
        "events": events[0],
        "customers": events[1],
        "event_accounts": events[2],
        "touchpoints": events[3],
        "first_event": _iso(events[4]),
        "last_event": _iso(events[5]),
        "scored_events": events[6],
        "sentiment_events": events[7],
        "comments": events[8],
        "accounts": accounts,
        "contacts": contacts,
        "quarantined": quarantined,
        "loads": [
            {
                "load_id": r[0],
                "kind": r[1],
                "sources": list(r[2]),
                "at": _iso(r[3]),
                "rows_read": r[4],
                "loaded": r[5],
                "duplicates": r[6],
                "quarantined": r[7],
            }
            for r in loads
        ],
    }


def quarantine(
    workspace: Workspace, *, load_id: int | None = None, file: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """The rows that were not loaded (of one load, of one file), oldest load first, each with file, line,
    reason and raw text."""
    kept = {"load_id": load_id, "file": file}
    where = " AND ".join(f"{k} = ?" for k, v in kept.items() if v is not None)
    where = f"WHERE {where}" if where else ""
    params: list[Any] = [v for v in kept.values() if v is not None]
    order = "line, load_id" if file is not None else "load_id, file, line"  # one file: in its line order
    with workspace.connect(read_only=True) as con:
        total = (con.execute(f"SELECT count(*) FROM quarantine {where}", params).fetchone() or (0,))[0]
        rows = con.execute(
            f"SELECT load_id, file, line, reason, raw FROM quarantine {where} ORDER BY {order} "
            + ("LIMIT ?" if limit is not None else ""),
            params + ([limit] if limit is not None else []),
        ).fetchall()
    return {
        "workspace": str(workspace.root),
        "total": total,
        "shown": len(rows),
        "rows": [{"load_id": r[0], "file": r[1], "line": r[2], "reason": r[3], "raw": r[4]} for r in rows],
    }
