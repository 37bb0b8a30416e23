"""The engine table: an engine's name and the function that builds its Ibis backend for a workspace.

A new Ibis backend (Trino, ClickHouse, BigQuery, ...) is one more entry here and one small module that
registers the store's tables (events, accounts, contacts) on it; nothing in the analytics changes.
Entries are "module:function" so that an engine's driver is imported only when it is used. The table
imports only `cxmap.errors`, so every layer may read it: cxmap.yaml's `engine`, a run's `--engine` and the web app
check names here, and only `cxmap.engine` imports a driver.
"""

from cxmap.errors import unknown

ENGINES: dict[str, str] = {
    "duckdb": "cxmap.engines.duckdb:connect",
    "pyspark": "cxmap.engines.spark:connect",
}

# Engines that answer a small query in milliseconds. On the others (a Spark job takes seconds), the web app
# computes each distinct answer once per store version and serves it from memory afterwards.
INTERACTIVE: frozenset[str] = frozenset({"duckdb"})


def check_engine(name: str) -> str:
    """The name, when it is an engine; else the one "unknown engine" error."""
    if name not in ENGINES:
        raise unknown("engine", name, ENGINES)
    return name
