"""Journeys, conformance, contagion and recovery on the hand-made logs of tests/unit, equal on both engines.

Those logs hold the cases worked out on paper where engines are most likely to part ways: ties in time
inside a load and across loads (journeys, conformance), events at the very edge of a window (exactly 240 h
and 240 h + 1 s in contagion, 168 h and 168 h + 1 s in recovery), events at the same instant as the bad
moment, unscored events and events without a department. Each finding is computed once per engine, and the
tables behind it (pairs, customer steps, per-customer recovery) are compared row by row too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import ibis.expr.types as ir
import pytest

from cxmap.analytics.conformance import conformance, customer_steps
from cxmap.analytics.contagion import contagion, pair_counts
from cxmap.analytics.evidence import sample_comments
from cxmap.analytics.journeys import journeys, sequences
from cxmap.analytics.outcomes import customer_outcomes
from cxmap.analytics.prepare import Prepared, prepare
from cxmap.analytics.recovery import customer_recovery, recovery
from cxmap.engine import connect
from cxmap.model import Map
from cxmap.settings import Settings
from cxmap.workspace import Workspace
from tests.analytics_fixtures import workspace_with
from tests.engines.helpers import answer, on_each_engine, on_spark, same
from tests.unit import test_conformance, test_contagion, test_journeys, test_recovery

pytestmark = pytest.mark.spark

# Comments in two loads whose times and row numbers tie: the newest first is the later load's, then the
# earlier load's at the same instant (ts, load_id, row); three per touchpoint leave out C1's.
COMMENTS = [
    "customer_id,timestamp,touchpoint,score,comment\n"
    "C1,2026-01-01T00:00:00,Support ticket,5,slow answer\n"
    "C2,2026-01-02T00:00:00,Support ticket,9,quick fix\n",
    "customer_id,timestamp,touchpoint,score,comment\n"
    "C3,2026-01-01T00:00:00,Support ticket,6,kind agent\n"
    "C4,2026-01-02T00:00:00,Support ticket,2,no reply\n",
]


def rows(table: ir.Table, *order: str) -> list[dict[str, Any]]:
    """Every row, ordered in the engine by columns that identify a row."""
    return list(table.order_by(list(order)).to_pyarrow().to_pylist())


def preparer(ws: Workspace, the_map: Map | None, settings: dict[str, Any] | None = None) -> Callable[[str], Prepared]:
    """The prepared events of the workspace on an engine (these cxmap.yaml settings, when given), made once."""
    chosen = Settings.model_validate(settings) if settings is not None else ws.settings

    @cache
    def on(engine: str) -> Prepared:
        return prepare(connect(ws.using(engine)), the_map, chosen)

    return on


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, spark_conf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    logs: dict[str, tuple[str | list[str], str | None]] = {
        "journeys": ([test_journeys.LOAD_1, test_journeys.LOAD_2], None),
        "conformance": (test_conformance.LOG, test_conformance.MAP),
        "contagion": (test_contagion.LOG, None),
        "recovery": (test_recovery.LOG, None),
        "evidence": (COMMENTS, None),
    }
    built = {}
    for name, (log, map_yaml) in logs.items():
        ws, the_map = workspace_with(tmp_path_factory.mktemp(name), log, map_yaml)
        built[name] = (on_spark(ws, spark_conf), the_map)
    journey = preparer(*built["journeys"])
    conform = preparer(*built["conformance"])
    spread = preparer(*built["contagion"], test_contagion.settings())
    recover = preparer(*built["recovery"])
    comments = preparer(*built["evidence"])

    def with_outcomes(engine: str) -> dict[str, Any]:
        p = conform(engine)
        return conformance(p, customer_outcomes(p, "renewal", "churn"))

    def recovered(engine: str) -> dict[str, Any]:
        p = recover(engine)
        return recovery(p, customer_outcomes(p, "renewal", "churn-notice"))

    return on_each_engine(
        {
            "journeys": lambda e: journeys(journey(e)),
            "journeys without variants": lambda e: journeys(journey(e), top=0),
            "journey sequences": lambda e: rows(sequences(journey(e).events), "customer_id"),
            "conformance with outcomes": with_outcomes,
            "customer steps": lambda e: rows(customer_steps(conform(e)), "customer_id", "step_index"),
            "contagion": lambda e: contagion(spread(e)),
            "contagion pairs": lambda e: sorted(
                pair_counts(spread(e)), key=lambda r: (r["from_department"], r["to_department"])
            ),
            "recovery": lambda e: recovery(recover(e), None),
            "recovery with a negative outcome": recovered,
            "customer recovery": lambda e: rows(customer_recovery(recover(e)), "customer_id"),
            "evidence": lambda e: sample_comments(comments(e), ["support-ticket"]),
        }
    )


FINDINGS = [
    "journeys",
    "journeys without variants",
    "journey sequences",
    "conformance with outcomes",
    "customer steps",
    "contagion",
    "contagion pairs",
    "recovery",
    "recovery with a negative outcome",
    "customer recovery",
    "evidence",
]


@pytest.mark.parametrize("finding", FINDINGS)
def test_same_on_both_engines(results: dict[str, dict[str, Any]], finding: str) -> None:
    same(results, finding)


def test_the_answers_are_the_ones_worked_out_on_paper(results: dict[str, dict[str, Any]]) -> None:
    """Both engines agree, and on the answers of tests/unit (so equality is not two engines equally wrong)."""
    for engine in ("duckdb", "pyspark"):
        rounded = test_journeys.rounded
        assert rounded(answer(results, engine, "journeys")) == rounded(test_journeys.EXPECTED)
        assert rounded(answer(results, engine, "conformance with outcomes", "steps")) == rounded(test_conformance.STEPS)
        assert answer(results, engine, "recovery", "recovered_on_time") == 3
        pairs = {(r["from_department"], r["to_department"]) for r in answer(results, engine, "contagion")}
        assert ("Support", "Success") in pairs
        quotes = [c["comment"] for c in answer(results, engine, "evidence", "support-ticket")]
        assert quotes == ["no reply", "quick fix", "kind agent"]
