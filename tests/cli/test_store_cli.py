"""`telesurveillance import` (NDJSON and CSV) and `telesurveillance serve`."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.cli import app
from telesurveillance.domain.measures import reading
from tests.web.fhir import resources

runner = CliRunner()


def _env(engine: sa.Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TELESURVEILLANCE_DATA_DIR": str(tmp_path),
    }


def _patient(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(tables.patients)
                .values(family="SYNTHETIQUE", birth_date=dt.date(1950, 1, 1))
                .returning(tables.patients.c.id)
            ).scalar_one()
        )


def _readings(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


def test_import_ndjson_reports_accepted_duplicates_and_rejected_lines(
    engine: sa.Engine, tmp_path: Path
) -> None:
    pid = _patient(engine)
    lines = [
        json.dumps(resources.weight(f"Patient/{pid}", f"2026-01-{d:02}T08:00:00Z"))
        for d in range(1, 11)
    ]
    lines += [lines[0], "{oops", json.dumps(resources.weight(f"Patient/{pid}", value=-1))]
    path = tmp_path / "readings.ndjson"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path))
    assert result.exit_code == 1, result.output
    assert "accepted 10, duplicates 1, rejected 2" in result.output
    assert "line 12: malformed JSON" in result.output
    assert "line 13: implausible" in result.output
    assert _readings(engine) == 10


def test_import_csv_stores_normalised_readings(engine: sa.Engine, tmp_path: Path) -> None:
    pid = _patient(engine)
    path = tmp_path / "readings.csv"
    path.write_text(
        "patient,code,effective,value,unit\n"
        f"{pid},29463-7,2026-01-14T23:30:00+00:00,180,[lb_av]\n"
        f"{pid},2339-0,2026-01-14T08:00:00+01:00,5.5,mmol/L\n"
    )
    result = runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path))
    assert result.exit_code == 0, result.output
    assert "accepted 2, duplicates 0, rejected 0" in result.output
    with engine.connect() as conn:
        values = conn.execute(sa.text("SELECT value FROM readings ORDER BY kind")).scalars().all()
    assert values == [pytest.approx(81.646627), pytest.approx(99.088)]


def test_imported_readings_raise_alerts_like_the_server(engine: sa.Engine, tmp_path: Path) -> None:
    pid = _patient(engine)
    with engine.begin() as conn:
        operateur = conn.execute(
            sa.insert(tables.operateurs)
            .values(name="Opérateur", kind="liberal")
            .returning(tables.operateurs.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.prises_en_charge).values(
                patient_id=pid,
                operateur_id=operateur,
                indication="diabete",
                starts_on=dt.date(2026, 1, 1),
            )
        )
    path = tmp_path / "glucose.csv"
    path.write_text(
        "patient,code,effective,value,unit\n"
        f"{pid},2339-0,2026-01-14T08:00:00+01:00,48,mg/dL\n"  # level-2 hypoglycaemia
    )
    result = runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path))
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        rules = conn.execute(sa.select(tables_alerts.alerts.c.rule_id)).scalars().all()
    assert "diab.hypo.niveau2" in rules


def test_an_import_also_judges_readings_an_earlier_crash_left_unjudged(
    engine: sa.Engine, tmp_path: Path
) -> None:
    pid = _patient(engine)
    with engine.begin() as conn:
        operateur = conn.execute(
            sa.insert(tables.operateurs)
            .values(name="Opérateur", kind="liberal")
            .returning(tables.operateurs.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.prises_en_charge).values(
                patient_id=pid,
                operateur_id=operateur,
                indication="diabete",
                starts_on=dt.date(2026, 1, 1),
            )
        )
    at = reading.millis(dt.datetime(2026, 1, 13, 7, tzinfo=dt.UTC))
    with database.writing(engine) as conn:  # stored, then the process died
        readings.store(conn, [reading.Reading(pid, 8, at, 45.0)])
    path = tmp_path / "glucose.csv"
    path.write_text(
        "patient,code,effective,value,unit\n"
        f"{pid},2339-0,2026-01-14T08:00:00+01:00,110,mg/dL\n"  # normal: nothing of its own
    )
    result = runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path))
    assert result.exit_code == 0, result.output
    a = tables_alerts.alerts.c
    with engine.connect() as conn:
        alerts = set(conn.execute(sa.select(a.rule_id, a.first_ts)))
        pending = conn.execute(sa.select(sa.func.count()).select_from(tables_alerts.alert_pending))
        assert pending.scalar_one() == 0
    assert ("diab.hypo.niveau2", at) in alerts
    assert {ts for _rule, ts in alerts} == {at}


def test_import_refuses_another_file_type(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "readings.xml"
    path.write_text("<x/>")
    assert runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path)).exit_code == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_migrates_and_answers_the_capability_statement(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TELESURVEILLANCE_DATA_DIR": str(tmp_path)}
    env.pop("TELESURVEILLANCE_DATABASE_URL", None)
    command = [sys.executable, "-m", "telesurveillance", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120  # a loaded CI machine imports and migrates slowly
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/fhir/metadata", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert answer.json()["fhirVersion"] == "4.0.1"
        assert (tmp_path / "telesurveillance.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
