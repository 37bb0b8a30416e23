"""Every finding on DuckDB and on PySpark local[2] over the same small logs: the answers must be equal.

One SparkSession serves the whole test session: the engine caches sessions by their settings, so every
workspace here gets exactly the same `spark:` settings (`spark_conf`). Each module builds its workspace
once and computes each finding once per engine; its tests then compare field by field (helpers.py).

Tests marked `spark` are skipped, with the reason, only when pyspark cannot be imported (`make test`
installs the spark extra and Java 17, so they run there); a slow JVM is never a reason to skip.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest

from cxmap.engines.spark import session


def _spark_missing() -> str | None:
    try:
        import_module("pyspark.sql")
    except ImportError as exc:
        return f"pyspark is not importable ({exc}); install the spark extra: pip install -e '.[spark]' (and Java 17)"
    return None


SPARK_MISSING = _spark_missing()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if SPARK_MISSING is None:
        return
    for item in items:
        if item.get_closest_marker("spark") is not None:
            item.add_marker(pytest.mark.skip(reason=SPARK_MISSING))


@pytest.fixture(scope="session")
def spark_conf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The `spark:` settings of every workspace in this folder, with the one SparkSession already started.

    Small and quick for logs of a few dozen rows: two cores, two shuffle partitions, a JVM that compiles
    only with its quick compiler (C1) and no whole-stage code generation (the answers do not change; the
    queries start sooner). Warehouse and JVM temporary files go to a temporary folder; the JVM's own time
    zone is Newfoundland's (UTC-03:30), which must change nothing: sessions work in UTC.
    """
    tmp = tmp_path_factory.mktemp("spark")
    conf: dict[str, Any] = {
        "master": "local[2]",
        "sql.shuffle.partitions": 2,
        "default.parallelism": 2,
        "sql.codegen.wholeStage": False,
        "sql.warehouse.dir": str(tmp / "warehouse"),
        "local.dir": str(tmp / "local"),
        # a JVM in another time zone than the store (UTC): answers must not move with it
        "driver.extraJavaOptions": (
            f"-Djava.io.tmpdir={tmp} -Duser.timezone=America/St_Johns -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        ),
    }
    session(conf)
    return conf
