"""Run a finding on every engine and compare the answers field by field.

Exact for integers, strings, booleans and dates; floats to 1e-9 relative (1e-12 absolute near zero), so that
summing in another order passes and a real difference does not. NaN is always a difference: a missing
value is null on every engine (DECISIONS.md). Failures name the path of each field that differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from cxmap.workspace import Workspace
from tests.analytics_fixtures import with_settings

ENGINES = ("duckdb", "pyspark")
RELATIVE = 1e-9
ABSOLUTE = 1e-12  # for values that are zero on one engine and a rounding error on the other
SHOWN = 20  # differences listed in one failure


@dataclass
class Crashed:
    """A computation that raised on an engine; the test re-raises it with the engine's name."""

    error: BaseException


def plain(value: Any) -> Any:
    """JSON-ready data: models as their JSON dump, tuples as lists, dates as ISO text."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where `left` (DuckDB) and `right` (PySpark) differ, one line per field; empty when they are equal."""
    where = path or "(the answer)"
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return [f"{where}: NaN where null belongs: duckdb {left!r}, pyspark {right!r}"]
        if math.isclose(left, right, rel_tol=RELATIVE, abs_tol=ABSOLUTE):
            return []
        return [f"{where}: duckdb {left!r} != pyspark {right!r} (off by {abs(left - right):.3g})"]
    if type(left) is not type(right):
        return [f"{where}: duckdb {left!r} ({type(left).__name__}) != pyspark {right!r} ({type(right).__name__})"]
    if isinstance(left, dict):
        found = [
            f"{where}: key {k!r} only on {'duckdb' if k in left else 'pyspark'}" for k in left.keys() ^ right.keys()
        ]
        for key in left.keys() & right.keys():
            found += differences(left[key], right[key], f"{path}.{key}" if path else str(key))
        return sorted(found)
    if isinstance(left, list):
        found = [] if len(left) == len(right) else [f"{where}: {len(left)} items on duckdb, {len(right)} on pyspark"]
        for i, (a, b) in enumerate(zip(left, right, strict=False)):
            found += differences(a, b, f"{path}[{i}]")
        return found
    return [] if left == right else [f"{where}: duckdb {left!r} != pyspark {right!r}"]


def assert_same(left: Any, right: Any, what: str) -> None:
    """Fail with every differing field of `what` listed (the first SHOWN of them)."""
    found = differences(plain(left), plain(right), what)
    if found:
        more = f"\n... and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        raise AssertionError(f"{what} differs between engines:\n" + "\n".join(found[:SHOWN]) + more)


def on_each_engine(tasks: Mapping[str, Callable[[str], Any]]) -> dict[str, dict[str, Any]]:
    """engine -> task name -> the task's answer on that engine (as plain data), or how it crashed.

    A task that raises on one engine fails only its own test, not the whole module."""
    results: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        results[engine] = {}
        for name, task in tasks.items():
            try:
                results[engine][name] = plain(task(engine))
            except Exception as exc:  # reported by `same`, with the engine's name
                results[engine][name] = Crashed(exc)
    return results


def answer(results: dict[str, dict[str, Any]], engine: str, task: str, *path: str | int) -> Any:
    """One engine's answer of a task (or a field of it); re-raises the task's error naming the engine."""
    value = results[engine][task]
    if isinstance(value, Crashed):
        raise AssertionError(f"{task} failed on {engine}: {type(value.error).__name__}: {value.error}") from (
            value.error
        )
    for key in path:
        value = value[key]
    return value


def same(results: dict[str, dict[str, Any]], task: str, *path: str | int) -> None:
    """The task's answer (or the field at `path`) is the same on DuckDB and on PySpark."""
    what = task + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    assert_same(answer(results, "duckdb", task, *path), answer(results, "pyspark", task, *path), what)


def on_spark(ws: Workspace, conf: dict[str, Any], **settings: Any) -> Workspace:
    """The workspace with the shared `spark:` settings (and any other cxmap.yaml keys) in its cxmap.yaml."""
    return with_settings(ws, {**settings, "spark": conf})
