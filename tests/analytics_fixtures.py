"""Small workspaces for analytics tests: a hand-written event log (one or more loads) and an optional map."""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist
from typing import Any

from ruamel.yaml import YAML

from cxmap.analytics.prepare import Prepared, Scope, prepare
from cxmap.engine import connect
from cxmap.model import Map, load_map
from cxmap.progress import Steps
from cxmap.settings import SETTINGS_FILE
from cxmap.workspace import Workspace, init_workspace, open_workspace
from cxmap.workspace.ingest import LoadResult, Options, ingest


def workspace_with(
    tmp_path: Path, csv_text: str | list[str], map_yaml: str | None = None
) -> tuple[Workspace, Map | None]:
    """A new workspace in tmp_path/ws with the CSV text ingested (a list: one load per text, in order),
    and the map written to maps/ and loaded."""
    ws = init_workspace(tmp_path / "ws")
    for i, text in enumerate([csv_text] if isinstance(csv_text, str) else csv_text):
        path = tmp_path / f"events-{i + 1}.csv"
        path.write_text(text, encoding="utf-8")
        ingest(ws, [str(path)], Options(), Steps(None))
    the_map = None
    if map_yaml is not None:
        path = ws.maps_dir / "map.yaml"
        path.write_text(map_yaml, encoding="utf-8")
        the_map = load_map(path)
    return ws, the_map


def prepared_with(tmp_path: Path, csv_text: str | list[str], map_yaml: str | None = None) -> Prepared:
    """The prepared events of such a workspace, over all its data."""
    ws, the_map = workspace_with(tmp_path, csv_text, map_yaml)
    return prepare(connect(ws), the_map, ws.settings, Scope())


def newcombe_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p1 - p2, written out from the formulas (95%), to check the code."""
    z = NormalDist().inv_cdf(0.975)

    def wilson(k: int, n: int) -> tuple[float, float]:
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def load_csv(ws: Workspace, tmp_path: Path, csv_text: str, kind: str = "events") -> LoadResult:
    """Ingest CSV text as one load of `kind` (events, accounts or contacts) into the workspace; every row of
    a hand-written file must load (a row in the quarantine is a mistake in the test's data)."""
    path = tmp_path / f"{kind}-{len(list(tmp_path.glob(f'{kind}-*.csv'))) + 1}.csv"
    path.write_text(csv_text, encoding="utf-8")
    result = ingest(ws, [str(path)], Options(kind=kind), Steps(None))
    assert result.quarantined == 0, f"{path.name}: {result.quarantined} rows in the quarantine"
    return result


def with_settings(ws: Workspace, settings: dict[str, Any]) -> Workspace:
    """The workspace with these top-level keys written over its cxmap.yaml (and the settings read again)."""
    path = ws.root / SETTINGS_FILE
    current = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    path.write_text(json.dumps({**current, **settings}, indent=2) + "\n", encoding="utf-8")  # JSON is YAML
    return open_workspace(ws.root)
