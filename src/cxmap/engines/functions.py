"""Aggregates that Ibis does not offer on every engine, defined once so that the analytics stay engine-blind.

Each is the engine's own function, called by name: DuckDB, Spark SQL, BigQuery and PostgreSQL all have
`bit_or`. A new engine whose SQL names it differently needs an entry here, not a change in the analytics.
"""

from __future__ import annotations

from typing import Any, cast

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir


def _engine_runs_it(value: Any) -> Any:  # pragma: no cover - a signature for Ibis; the engine does the work
    ...


_bit_or: Any = ibis.udf.agg.builtin(name="bit_or", signature=((dt.int64,), dt.int64))(_engine_runs_it)


def bit_or(value: ir.IntegerValue) -> ir.IntegerScalar:
    """The bitwise OR of a group's 64-bit integers."""
    return cast(ir.IntegerScalar, _bit_or(value))
