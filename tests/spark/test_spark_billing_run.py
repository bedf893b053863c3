"""`billing run --spark local[2]` appends the same ledger lines as the embedded run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.cli import app
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import run as billing_run


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


if shutil.which("java") is None and not os.environ.get("CI"):
    pytest.skip(
        "no Java runtime: Spark needs one (scripts/install-system-deps installs it)",
        allow_module_level=True,
    )

START = dt.date(2025, 1, 6)
UNTIL = "2025-09-01"
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)


def _content(lines: list[bl.Line]) -> list[bl.Line]:
    """The lines as billed: who ran them and when aside."""
    return [dataclasses.replace(ln, run_id=None, created_at=None) for ln in lines]


def test_the_spark_run_appends_the_same_lines_as_the_embedded_run(
    tmp_path: Path, regulation: store.Regulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded_path, spark_path = tmp_path / "embedded.sqlite3", tmp_path / "spark.sqlite3"
    engine = database.create(f"sqlite:///{embedded_path}")
    migrate.upgrade(engine)
    synthetic.populate(engine, 60, starts_on=START, periods=8, seed=11)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(embedded_path, spark_path)
    embedded = ledger.SqlLedger(engine)
    until = dt.date.fromisoformat(UNTIL)
    outcome = billing_run.run(embedded, regulation, until, actor="test", now=NOW)
    assert outcome.written

    monkeypatch.setenv("TELESURVEILLANCE_DATABASE_URL", f"sqlite:///{spark_path}")
    monkeypatch.setenv("TELESURVEILLANCE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["billing", "run", "--until", UNTIL, "--spark", "local[2]"])
    assert result.exit_code == 0, result.output
    assert f"{len(outcome.written)} lines written" in result.stdout

    other = database.create(f"sqlite:///{spark_path}")
    spark_lines = ledger.SqlLedger(other).lines()
    assert _content(spark_lines) == _content(embedded.lines())
    engine.dispose()
    other.dispose()
