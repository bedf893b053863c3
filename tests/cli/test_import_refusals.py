"""`telesurveillance import`: every bad line is reported with its number and never stops the
good ones: implausible instants, conversions that would overflow, panel pairs out of order."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.adapters.sql.core import tables
from telesurveillance.cli import app
from tests.web.fhir import resources

runner = CliRunner()


def _env(engine: sa.Engine, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TELESURVEILLANCE_DATA_DIR": str(tmp_path),
        **extra,
    }


def _patient(engine: sa.Engine, born: dt.date = dt.date(1950, 1, 1)) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(tables.patients)
                .values(family="SYNTHETIQUE", birth_date=born)
                .returning(tables.patients.c.id)
            ).scalar_one()
        )


def _readings(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


def _run(engine: sa.Engine, tmp_path: Path, name: str, text: str, **env: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["import", str(path)], env=_env(engine, tmp_path, **env))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return f"{result.exit_code}\n{result.output}"


def test_an_ndjson_line_dated_9999_is_refused_alone(engine: sa.Engine, tmp_path: Path) -> None:
    ref = f"Patient/{_patient(engine)}"
    lines = [
        resources.weight(ref, "2026-01-14T08:00:00Z"),
        resources.weight(ref, "9999-12-31T23:59:59-12:00"),
        resources.weight(ref, "2099-01-01T00:00:00Z"),
        resources.weight(ref, "1900-01-01T00:00:00Z"),
        resources.weight(ref, "2026-01-15T08:00:00Z"),
    ]
    out = _run(engine, tmp_path, "r.ndjson", "\n".join(json.dumps(x) for x in lines) + "\n")
    assert out.startswith("1\n"), out
    assert "accepted 2, duplicates 0, rejected 3" in out
    assert "line 2: 9999-12-31T23:59:59-12:00 is in the future" in out
    assert "line 3: " in out
    assert "line 4: " in out
    assert _readings(engine) == 2


def test_json_nested_beyond_the_parser_is_a_refused_line(engine: sa.Engine, tmp_path: Path) -> None:
    ref = f"Patient/{_patient(engine)}"
    good = json.dumps(resources.weight(ref, "2026-01-14T08:00:00Z"))
    out = _run(engine, tmp_path, "r.ndjson", "[" * 100_000 + "]" * 100_000 + "\n" + good + "\n")
    assert "accepted 1, duplicates 0, rejected 1" in out
    assert "line 1: JSON nested deeper than 32" in out


def test_a_reading_before_the_patients_birth_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    pid = _patient(engine, dt.date(2024, 5, 10))
    out = _run(
        engine,
        tmp_path,
        "r.csv",
        "patient,code,effective,value,unit\n"
        f"{pid},29463-7,2024-05-09T23:59:59+02:00,3.5,kg\n"
        f"{pid},29463-7,2024-05-10T00:00:00+02:00,3.5,kg\n",
    )
    assert "accepted 1, duplicates 0, rejected 1" in out
    assert "line 2: 2024-05-09T21:59:59.000Z is before the patient's birth date (2024-05-10)" in out
    assert "(effective)" in out


def test_every_csv_conversion_that_could_overflow_is_a_refused_line(
    engine: sa.Engine, tmp_path: Path
) -> None:
    pid = _patient(engine)
    out = _run(
        engine,
        tmp_path,
        "r.csv",
        "patient,code,effective,value,unit\n"
        f"{pid},29463-7,9999-12-31T23:59:59-12:00,80,kg\n"
        f"{pid},29463-7,0001-01-01T00:00:00+14:00,80,kg\n"
        f"{'9' * 30},29463-7,2026-01-14T08:00:00+01:00,80,kg\n"
        "\u00b2,29463-7,2026-01-14T08:00:00+01:00,80,kg\n"
        f"{pid},29463-7,2026-01-14T08:00:00+01:00,1e400,kg\n"
        f"{pid},29463-7,2026-01-14T09:00:00+01:00,80,kg\n",
    )
    assert out.startswith("1\n"), out
    assert "accepted 1, duplicates 0, rejected 5" in out
    for line in range(2, 7):
        assert f"line {line}: " in out
    assert _readings(engine) == 1


def test_a_diastolic_above_the_systolic_on_two_csv_rows_refuses_both(
    engine: sa.Engine, tmp_path: Path
) -> None:
    pid = _patient(engine)
    out = _run(
        engine,
        tmp_path,
        "bp.csv",
        "patient,code,effective,value,unit\n"
        f"{pid},8480-6,2026-01-14T08:00:00+01:00,80,mm[Hg]\n"
        f"{pid},8462-4,2026-01-14T08:00:00+01:00,120,mm[Hg]\n"
        f"{pid},8480-6,2026-01-14T09:00:00+01:00,120,mm[Hg]\n"
        f"{pid},8462-4,2026-01-14T09:00:00+01:00,120,mm[Hg]\n",
    )
    assert "accepted 2, duplicates 0, rejected 2" in out
    assert "line 2: Pression artérielle diastolique 120 mm[Hg] is above" in out
    assert "(line 3)" in out
    assert "line 3: " in out
    assert _readings(engine) == 2


def test_the_clock_tolerance_is_a_setting(engine: sa.Engine, tmp_path: Path) -> None:
    pid = _patient(engine)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    row = f"{pid},29463-7,{ahead.isoformat()},80,kg\n"
    header = "patient,code,effective,value,unit\n"
    strict = _run(
        engine, tmp_path, "a.csv", header + row, TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS="60"
    )
    assert "rejected 1" in strict
    assert "more than 1 min ahead" in strict
    assert "accepted 1" in _run(engine, tmp_path, "b.csv", header + row)  # 5 min by default
