"""PySpark, the scale-out engine: the store's Parquet files as Spark views, behind the Ibis PySpark backend.

Spark reads Parquet, not a DuckDB file: an embedded workspace is read through its Parquet snapshot
(export.snapshot, made again only after a load). One SparkSession serves the process; each connection
gets its own session view namespace (`newSession`), so two workspaces never see each other's tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import ibis
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends.pyspark import Backend as PySparkBackend
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from cxmap.errors import CxmapError
from cxmap.workspace import Workspace
from cxmap.workspace.dataset import MANIFEST, is_remote, read_manifest
from cxmap.workspace.export import snapshot

ANALYSED = ("events", "accounts", "contacts")
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
_SESSIONS: dict[str, Any] = {}


def connect(workspace: Workspace) -> Any:
    """An Ibis PySpark backend with the workspace's events, accounts and contacts as views."""
    spark = session(workspace.settings.spark).newSession()
    for table, files in _files(spark, workspace).items():
        spark.read.parquet(*files).createOrReplaceTempView(table)
    if ibis.options.pyspark is None:  # what loading the backend through `ibis.pyspark` does first
        Backend.register_options()
    backend = Backend().connect(spark)
    backend.compiler = COMPILER
    return backend


class Backend(PySparkBackend):  # type: ignore[misc]
    """Ibis' PySpark backend whose disconnect leaves the process's SparkSession running.

    Ibis stops the session on disconnect, and with it the SparkContext that every other connection of the
    process (the web app's other requests, the next command in a test) shares. Here a connection only
    drops its own views; the session ends with the process.
    """

    def disconnect(self) -> None:
        for table in ANALYSED:
            self._session.catalog.dropTempView(table)


class Compiler(PySparkCompiler):  # type: ignore[misc]
    """Ibis' PySpark compiler, with JSON read in the JVM and as DuckDB reads it.

    Ibis compiles `json[key]` to Spark's get_json_object, which unquotes a string (`"gold"` becomes `gold`,
    no longer JSON), and `.str` to a pandas UDF that parses that text again: it fails on every string, and
    would run Python per row. Here an item is the JSON text of the value at the same path as on DuckDB
    (`$.key`, `$[i]`), and `.str` is its value when it is a JSON string, else null: Spark 4's variant
    functions, no Python.
    """

    SIMPLE_OPS: ClassVar[dict[type[ops.Node], str]] = {
        op: name for op, name in PySparkCompiler.SIMPLE_OPS.items() if op is not ops.UnwrapJSONString
    }

    def visit_JSONGetItem(self, op: Any, *, arg: Any, index: Any) -> Any:
        path = self.f.format_string("$[%s]" if op.index.dtype.is_integer() else "$.%s", index)
        return self.f.to_json(self.f.try_variant_get(self.f.try_parse_json(arg), path))

    def visit_UnwrapJSONString(self, op: Any, *, arg: Any) -> Any:
        value = self.f.try_parse_json(arg)
        is_text = sge.EQ(this=self.f.schema_of_variant(value), expression=sge.convert("STRING"))
        return self.if_(is_text, self.f.try_variant_get(value, "$", "string"), sge.Null())


COMPILER = Compiler()


def session(conf: dict[str, Any]) -> Any:
    """The process's SparkSession for these settings (timestamps always in UTC)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise CxmapError("the pyspark engine needs the spark extra: pip install 'cxmap[spark]' (and Java 17)") from None
    quiet = f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
    settings = {
        "master": "local[*]",
        "ui.enabled": "false",
        "ui.showConsoleProgress": "false",
        "driver.extraJavaOptions": quiet,
    }
    given = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in conf.items()}
    if "driver.extraJavaOptions" in given:  # the user's JVM options go after the quiet log, not instead of it
        given["driver.extraJavaOptions"] = f"{quiet} {given['driver.extraJavaOptions']}"
    settings |= given
    settings["sql.session.timeZone"] = "UTC"
    key = json.dumps(settings, sort_keys=True)
    if key not in _SESSIONS:
        builder = SparkSession.builder.appName("cxmap")
        for name, value in settings.items():
            builder = builder.config(f"spark.{name}", value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: nearly always a missing Java
            raise CxmapError(
                "the pyspark engine could not start Spark (it needs Java 17; on Debian: apt install "
                f"openjdk-17-jre-headless): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from None
        spark.sparkContext.setLogLevel("ERROR")
        _SESSIONS[key] = spark
    return _SESSIONS[key]


def _files(spark: Any, workspace: Workspace) -> dict[str, list[str]]:
    """The published files of each analysed table: from a dataset store, or the embedded store's snapshot."""
    url = workspace.settings.store
    if url and is_remote(url):  # only Spark can read such a URL (with the Hadoop connector configured)
        base = url.rstrip("/")
        text = spark.read.text(f"{base}/{MANIFEST}", wholetext=True).first()[0]
        tables = json.loads(text)["tables"]
        return {t: [f"{base}/{f}" for f in tables[t]] for t in ANALYSED}
    root = snapshot(workspace)
    manifest = read_manifest(root)
    return {t: manifest.files(root, t) for t in ANALYSED}
