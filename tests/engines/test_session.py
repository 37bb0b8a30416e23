"""The one SparkSession behind every comparison: shared, quiet, in UTC whatever the JVM's own time zone."""

from __future__ import annotations

from typing import Any

import pytest

from cxmap.engines.spark import LOG_CONFIG, session

pytestmark = pytest.mark.spark


def test_one_session_serves_every_workspace_with_these_settings(spark_conf: dict[str, Any]) -> None:
    assert session(dict(spark_conf)) is session(spark_conf)


def test_the_jvm_runs_elsewhere_than_utc_and_sessions_in_utc(spark_conf: dict[str, Any]) -> None:
    """The answers compared in this folder were computed by a JVM in Newfoundland's zone (UTC-03:30)."""
    spark = session(spark_conf)
    assert spark.sparkContext._jvm.java.util.TimeZone.getDefault().getID() == "America/St_Johns"
    assert spark.newSession().conf.get("spark.sql.session.timeZone") == "UTC"


def test_jvm_options_of_the_settings_keep_spark_quiet(spark_conf: dict[str, Any]) -> None:
    """`driver.extraJavaOptions` in cxmap.yaml is added to cxmap's quiet log configuration, not put instead."""
    options = session(spark_conf).sparkContext.getConf().get("spark.driver.extraJavaOptions")
    quiet = f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
    assert options.endswith(f"{quiet} {spark_conf['driver.extraJavaOptions']}")  # after Spark's own options
