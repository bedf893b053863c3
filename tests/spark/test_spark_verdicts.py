"""Spark over the Parquet export gives the same verdicts as the embedded path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telesurveillance.adapters.cases import verdict_json
from telesurveillance.adapters.exports import parquet
from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.regulation import store

if shutil.which("java") is None and not os.environ.get("CI"):
    pytest.skip(
        "no Java runtime: Spark needs one (scripts/install-system-deps installs it)",
        allow_module_level=True,
    )

from telesurveillance.adapters.spark import job

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = job.session()
    yield session
    session.stop()


def _verdicts(regulation: store.Regulation, streams: list[Any]) -> list[dict[str, Any]]:
    return [
        verdict_json.judgement(
            str(s.prise_en_charge_id), billing_engine.judge(regulation, s.situation, UNTIL)
        )
        for s in streams
    ]


def test_spark_and_embedded_verdicts_match_on_a_generated_population(
    spark: Any, tmp_path: Path, regulation: store.Regulation
) -> None:
    engine = database.create(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate.upgrade(engine)
    synthetic.populate(engine, 60, starts_on=START, periods=8, seed=7)
    exported = parquet.export(engine, tmp_path / "parquet")
    assert exported["reading_days"] > 0
    spark_days = job.days_with_data(spark, tmp_path / "parquet", UNTIL)
    with engine.connect() as conn:
        embedded = ledger_streams.load(conn, UNTIL)
        scaled = ledger_streams.load(conn, UNTIL, days=spark_days)
    engine.dispose()
    assert len(embedded) == 60
    assert [s.situation for s in scaled] == [s.situation for s in embedded]
    embedded_verdicts = _verdicts(regulation, embedded)
    assert _verdicts(regulation, scaled) == embedded_verdicts
    billable = sum(p["billable"] for v in embedded_verdicts for p in v["periods"])
    assert 0 < billable < sum(len(v["periods"]) for v in embedded_verdicts)


def test_spark_excludes_the_until_day_like_the_embedded_sql(spark: Any, tmp_path: Path) -> None:
    engine = database.create(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate.upgrade(engine)
    synthetic.populate(engine, 3, starts_on=START, periods=2)
    parquet.export(engine, tmp_path / "parquet")
    for until in (dt.date(2025, 1, 20), dt.date(2025, 1, 21), dt.date(2025, 2, 10)):
        with engine.connect() as conn:
            assert job.days_with_data(spark, tmp_path / "parquet", until) == (
                ledger_streams.days_with_data(conn, until)
            )
    engine.dispose()
