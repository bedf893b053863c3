"""The billing commands over a store: run, export, audit, forecast, exploitant, parquet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.adapters.sql.core import tables
from telesurveillance.cli import app


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)

runner = CliRunner()


@pytest.fixture
def store_url(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv(
        "TELESURVEILLANCE_DATABASE_URL", engine.url.render_as_string(hide_password=False)
    )
    return engine


def test_the_commands_bill_export_and_audit(store_url: sa.Engine, tmp_path: Path) -> None:
    pop = synthetic.populate(store_url, 3, starts_on=START, periods=8, operateurs=1)
    first = runner.invoke(app, ["billing", "run", "--until", "2025-09-01"])
    assert first.exit_code == 0, first.output
    assert "lines written" in first.stdout
    again = runner.invoke(app, ["billing", "run", "--until", "2025-09-01", "--workers", "2"])
    assert ", 0 lines written" in again.stdout
    none = runner.invoke(app, ["billing", "run", "--until", "2025-09-01", "--workers", "0"])
    assert none.exit_code == 2
    out = tmp_path / "op.csv"
    exported = runner.invoke(
        app, ["billing", "export", "operateur", str(pop.operateur_ids[0]), "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows
    assert {r["forfait"] for r in rows} == {"operateur"}
    clean = runner.invoke(app, ["billing", "audit", "--today", "2025-09-15"])
    assert clean.exit_code == 0, clean.output
    with database.writing(store_url) as conn:
        conn.execute(sa.delete(tables.reading_days))
    risky = runner.invoke(app, ["billing", "audit", "--today", "2025-09-15", "--reverse"])
    assert risky.exit_code == 1
    assert re.search(r"\n[1-9]\d* line\(s\) at risk", risky.stdout)
    assert "reversal line(s) written" in risky.stdout
    after = runner.invoke(app, ["billing", "audit", "--today", "2025-09-15"])
    assert after.exit_code == 0, after.output


def test_forecast_exploitant_and_parquet_answer(store_url: sa.Engine, tmp_path: Path) -> None:
    pop = synthetic.populate(store_url, 4, starts_on=START, periods=8)
    forecast = runner.invoke(app, ["billing", "forecast", "--today", "2025-05-20"])
    assert forecast.exit_code == 0, forecast.output
    assert "patient(s) at risk" in forecast.stdout
    view = runner.invoke(
        app,
        [
            "billing",
            "exploitant",
            str(pop.exploitant_id),
            "--as-of",
            "2025-08-01",
            "--simulate",
            "6000",
        ],
    )
    assert view.exit_code == 0, view.output
    assert "semester average" in view.stdout
    assert "APPROXIMATE file active 6000" in view.stdout
    parquet = runner.invoke(app, ["export", "parquet", "--out", str(tmp_path / "pq")])
    assert parquet.exit_code == 0, parquet.output
    assert (tmp_path / "pq" / "reading_days" / "part-0.parquet").exists()


def test_a_bad_date_is_refused_with_exit_code_2(store_url: sa.Engine) -> None:
    result = runner.invoke(app, ["billing", "run", "--until", "tomorrow"])
    assert result.exit_code == 2
