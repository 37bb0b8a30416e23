"""PySpark, the scale-out engine: the store's Parquet files as Spark views, behind the Ibis PySpark backend.

Spark reads Parquet, not a DuckDB file: an embedded workspace is read through its Parquet snapshot
(export.snapshot, made again only after a load). One SparkSession serves the process; each connection
gets its own session view namespace (`newSession`), so two workspaces never see each other's tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ibis

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
    return ibis.pyspark.connect(spark)


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
    settings |= {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in conf.items()}
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
