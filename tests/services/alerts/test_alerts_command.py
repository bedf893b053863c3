"""`telesurveillance alerts run --once` catches up, sweeps and sends; `alerts stats` prints the
burden."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance import cli
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings
from telesurveillance.cli import alerts as alerts_cli
from telesurveillance.domain.measures import reading
from tests.adapters.alerts import seed

runner = CliRunner()


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


def _env(engine: sa.Engine) -> dict[str, str]:
    return {"TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False)}


def test_run_once_sweeps_the_silent_patients(engine: sa.Engine) -> None:
    # monitoring began in 2026-01: by now (real clock) the patient has been silent for months
    seed.patient(engine, seed.operateur(engine))
    result = runner.invoke(cli.app, ["alerts", "run", "--once"], env=_env(engine))
    assert result.exit_code == 0, result.output
    assert "sweep: 1 opened" in result.output
    assert [r.rule_id for r in seed.alert_rows(engine)] == ["ic.sans_donnees.poids"]


def test_run_once_judges_readings_stored_but_never_evaluated(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with database.writing(engine) as conn:  # a server killed right after this commit
        readings.store(conn, [reading.Reading(pid, seed.SPO2, seed.ts(moment), 80.0)])
    result = runner.invoke(cli.app, ["alerts", "run", "--once"], env=_env(engine))
    assert result.exit_code == 0, result.output
    assert "catch-up: 1 readings judged, 1 opened" in result.output
    assert "ir.spo2.basse" in [r.rule_id for r in seed.alert_rows(engine)]


def test_stats_prints_one_line_per_rule(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    now = seed.at(dt.date(2026, 1, 10), 12)
    seed.ingest(engine, [reading.Reading(pid, seed.GLYCEMIE, seed.ts(now), 50.0)], now)
    result = runner.invoke(
        cli.app,
        ["alerts", "stats", "--start", "2026-01-01", "--end", "2026-02-01"],
        env={**_env(engine), "COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    assert "diab.hypo.niveau1" in result.output
    assert "diab.hypo.niveau2" in result.output


def test_channels_are_configured_from_the_environment() -> None:
    found = alerts_cli.channels(
        {
            "TELESURVEILLANCE_ALERTS_SMTP_HOST": "127.0.0.1",
            "TELESURVEILLANCE_ALERTS_SMTP_FROM": "a@example.org",
            "TELESURVEILLANCE_ALERTS_SMTP_TO": "b@example.org, c@example.org",
            "TELESURVEILLANCE_ALERTS_WEBHOOK_URL": "http://127.0.0.1:9/hook",
            "TELESURVEILLANCE_ALERTS_WEBHOOK_SECRET": "x",
        }
    )
    assert sorted(found) == ["smtp", "webhook"]
    assert alerts_cli.channels({}) == {}
