"""The billing aggregation on Spark: the same SQL as the embedded path, over Parquet.

`days_with_data` runs `ledger_streams.DAYS_SQL` (unchanged, with its named parameter) on a view of
the exported `reading_days`; the result feeds `ledger_streams.load`, and the engine judges the
streams exactly as in the embedded path. Spark does the part that grows with the readings (the
aggregation); the decisions stay in Python, with the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pyspark.sql import SparkSession

from telesurveillance.adapters.sql.billing import streams


def session(master: str = "local[2]", app: str = "telesurveillance-billing") -> SparkSession:
    """A small local session (no UI, few shuffle partitions): tests and single-machine runs."""
    return (
        SparkSession.builder.master(master)
        .appName(app)
        # loopback only: a local job opens no port on other interfaces
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def days_with_data(
    spark: SparkSession, parquet: Path, until: dt.date
) -> dict[int, frozenset[dt.date]]:
    """Patient → days with data before `until`, aggregated by Spark from the Parquet export."""
    spark.read.parquet(str(parquet / "reading_days")).createOrReplaceTempView("reading_days")
    rows = spark.sql(streams.DAYS_SQL, args={"until": until}).collect()
    return streams.group_days((int(r["patient_id"]), r["day"]) for r in rows)
