"""`telesurveillance import FILE --patient ID` with LibreView and Dexcom Clarity exports: exact
counts, every refused line by number and column, a second import creating nothing, the
readings counted on their Paris days and judged by the alert rules."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.adapters.sql.core import tables
from telesurveillance.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "cgm"


def _env(engine: sa.Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "TELESURVEILLANCE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TELESURVEILLANCE_DATA_DIR": str(tmp_path),
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


def _count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def _import(engine: sa.Engine, tmp_path: Path, name: str, *args: str) -> tuple[int, str]:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    result = runner.invoke(app, ["import", str(path), *args], env=_env(engine, tmp_path))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_libreview_export_imports_with_exact_counts(engine: sa.Engine, tmp_path: Path) -> None:
    patient = _patient(engine)
    code, output = _import(
        engine, tmp_path, "libreview_en_mgdl_month_first.csv", "--patient", str(patient)
    )
    assert code == 1, output  # two lines refused
    assert "libreview: 15 lines — accepted 8, duplicates 1, skipped 4, refused 2" in output
    assert "line 8: " in output
    assert "(Historic Glucose mg/dL)" in output
    assert "line 17: " in output
    assert "(Device Timestamp)" in output
    assert "skipped: not_glucose 4" in output
    assert _count(engine, f"SELECT count(*) FROM readings WHERE patient_id = {patient}") == 8


def test_a_second_import_of_the_same_file_creates_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    patient = _patient(engine)
    name = "libreview_en_mgdl_month_first.csv"
    _import(engine, tmp_path, name, "--patient", str(patient))
    days = _count(engine, "SELECT sum(n) FROM reading_days")
    _code, output = _import(engine, tmp_path, name, "--patient", str(patient))
    assert "accepted 0, duplicates 9, skipped 4, refused 2 (0 new readings" in output
    assert _count(engine, "SELECT count(*) FROM readings") == 8
    assert _count(engine, "SELECT sum(n) FROM reading_days") == days == 8


def test_a_clarity_export_imports_with_exact_counts_and_its_bounds(
    engine: sa.Engine, tmp_path: Path
) -> None:
    patient = _patient(engine)
    code, output = _import(engine, tmp_path, "clarity_mgdl_g7.csv", "--patient", str(patient))
    assert code == 1, output
    assert "clarity: 20 lines — accepted 6, duplicates 0, skipped 13, refused 1" in output
    assert "6 new readings, 2 at a sensor bound" in output
    assert "line 16: " in output
    assert "skipped: not_glucose 3, setting 10" in output
    values = _count(
        engine, f"SELECT count(*) FROM readings WHERE patient_id = {patient} AND value IN (39, 401)"
    )
    assert values == 2


def test_a_french_export_saved_by_a_spreadsheet_imports(engine: sa.Engine, tmp_path: Path) -> None:
    patient = _patient(engine)
    code, output = _import(
        engine,
        tmp_path,
        "libreview_fr_spreadsheet_semicolon_cp1252.csv",
        "--patient",
        str(patient),
    )
    assert "libreview" in output, output
    assert "refused 0" in output, output
    assert code == 0
    assert _count(engine, "SELECT count(*) FROM readings") > 0


def test_ambiguous_dates_are_refused_whole_until_the_order_is_given(
    engine: sa.Engine, tmp_path: Path
) -> None:
    patient = _patient(engine)
    name = "libreview_en_mmol_ambiguous_dates.csv"
    code, output = _import(engine, tmp_path, name, "--patient", str(patient))
    assert code == 2
    assert "order" in output
    assert _count(engine, "SELECT count(*) FROM readings") == 0
    code, output = _import(engine, tmp_path, name, "--patient", str(patient), "--date-order", "DMY")
    assert code == 0, output
    assert _count(engine, "SELECT count(*) FROM readings") > 0


def test_an_unknown_patient_refuses_every_reading_line(engine: sa.Engine, tmp_path: Path) -> None:
    code, output = _import(engine, tmp_path, "clarity_mgdl_g7.csv", "--patient", "999")
    assert code == 1
    assert "unknown patient Patient/999" in output
    assert _count(engine, "SELECT count(*) FROM readings") == 0


def test_readings_before_the_birth_are_refused(engine: sa.Engine, tmp_path: Path) -> None:
    patient = _patient(engine, born=dt.date(2026, 1, 14))
    _code, output = _import(
        engine, tmp_path, "libreview_en_mgdl_month_first.csv", "--patient", str(patient)
    )
    # 01-13-2026 11:58 PM in Paris is the 13th: before a birth on the 14th
    assert "line 3: " in output
    assert "birth" in output
    assert _count(engine, "SELECT count(*) FROM readings") == 7


def test_a_cgm_export_without_a_patient_is_refused_with_the_reason(
    engine: sa.Engine, tmp_path: Path
) -> None:
    code, output = _import(engine, tmp_path, "clarity_mgdl_g7.csv")
    assert code == 2
    assert "clarity export" in output
    assert "--patient" in output


def test_imported_lows_are_judged_by_the_alert_rules(engine: sa.Engine, tmp_path: Path) -> None:
    patient = _patient(engine)
    _import(engine, tmp_path, "clarity_mgdl_g7.csv", "--patient", str(patient))
    assert _count(engine, "SELECT count(*) FROM alert_pending") == 0
