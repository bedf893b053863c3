"""The `telesurveillance` command: billing cases, regulation display and audit, the demo."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner, Result

from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.cli import app
from telesurveillance.domain.measures import reading
from tests.conftest import CASES, ROOT

CASE = CASES / "public" / "01_ic_observant_serie_6.yaml"
runner = CliRunner()


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _both(result: Result) -> str:
    """Everything the command printed, on stdout and stderr."""
    return result.stdout + result.stderr


# --- billing case --------------------------------------------------------------------------


def test_billing_case_check_passes_on_a_public_case() -> None:
    result = _run("billing", "case", "--check", str(CASE))
    assert result.exit_code == 0, _both(result)
    assert "PASS" in result.stdout
    assert "1 passed, 0 failed, 0 invalid" in result.stdout


def test_billing_case_check_fails_when_an_expected_amount_differs(tmp_path: Path) -> None:
    text = CASE.read_text(encoding="utf-8")
    first = "{number: 1, billable: true, operateur: '28.00'"
    assert first in text
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        text.replace(first, "{number: 1, billable: true, operateur: '29.00'"), encoding="utf-8"
    )
    result = _run("billing", "case", "--check", str(changed))
    assert result.exit_code == 1, _both(result)
    assert "FAIL" in result.stdout
    assert "period 1 operateur: expected '29.00', got '28.00'" in result.stdout
    assert "0 passed, 1 failed, 0 invalid" in result.stdout


def test_billing_case_explain_prints_the_deciding_sentence_in_french_by_default() -> None:
    zero = CASES / "project" / "35_zero_data_then_insufficient_previous.yaml"
    result = _run("billing", "case", "--explain", str(zero))
    assert result.exit_code == 0, _both(result)
    assert "Période 2 — du 3 juillet 2024 au 1er août 2024 : non facturable" in result.stdout
    assert "aucune donnée transmise pendant la période — non facturable" in result.stdout
    assert "30 jours avec données sur 30 attendus (seuil : 15) — forfait dû" in result.stdout
    assert "Textes officiels :" in result.stdout
    assert '"periods"' not in result.stdout  # text, not JSON


def test_billing_case_explain_in_english() -> None:
    result = _run("billing", "case", "--explain", "--lang", "en", str(CASE))
    assert result.exit_code == 0, _both(result)
    assert "Period 1 — 3 June 2024 to 2 July 2024: billable" in result.stdout
    assert "Official texts:" in result.stdout


def test_billing_case_refuses_a_file_with_an_unknown_key(tmp_path: Path) -> None:
    bad = tmp_path / "unknown_key.yaml"
    bad.write_text(CASE.read_text(encoding="utf-8") + "surprise_key: 1\n", encoding="utf-8")
    result = _run("billing", "case", "--check", str(bad))
    assert result.exit_code == 2, _both(result)
    assert "INVALID" in _both(result)
    assert "surprise_key" in _both(result)


def test_billing_case_refuses_a_file_with_a_duplicate_key(tmp_path: Path) -> None:
    bad = tmp_path / "duplicate_key.yaml"
    bad.write_text(CASE.read_text(encoding="utf-8") + "as_of: 2024-12-02\n", encoding="utf-8")
    result = _run("billing", "case", "--check", str(bad))
    assert result.exit_code == 2, _both(result)
    assert "duplicate key 'as_of'" in _both(result)


def test_billing_case_refuses_a_missing_file(tmp_path: Path) -> None:
    result = _run("billing", "case", "--check", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 2, _both(result)
    assert "cannot read" in _both(result)


def test_billing_case_prints_the_verdicts_as_json_without_check() -> None:
    result = _run("billing", "case", str(CASE))
    assert result.exit_code == 0, _both(result)
    document = json.loads(result.stdout)
    first_line = document["periods"][0]["lines"][0]
    assert first_line["code"] == "TVB"
    assert first_line["amount"] == "28.00"
    reasons = [r for p in document["periods"] for r in p["reasons"] + p.get("notes", [])]
    for reason in reasons:
        assert {"rule", "text", "cite"} <= set(reason), reason


def test_billing_case_json_reasons_carry_rule_text_and_cite() -> None:
    refused = CASES / "public" / "02_ic_periode_sans_donnee.yaml"
    result = _run("billing", "case", str(refused))
    assert result.exit_code == 0, _both(result)
    document = json.loads(result.stdout)
    reasons = [r for p in document["periods"] for r in p["reasons"]]
    assert reasons, "this case has a period that is not due"
    for reason in reasons:
        assert reason["rule"]
        assert reason["text"]
        assert reason["cite"]


# --- regulation ----------------------------------------------------------------------------


def test_regulation_show_prints_the_value_in_force_and_its_citation() -> None:
    result = _run("regulation", "show", "forfaits/operateur/socle_niveau_2", "--at", "2024-06-01")
    assert result.exit_code == 0, _both(result)
    assert "28.00" in result.stdout
    assert "JORFARTI000048866487" in result.stdout


def test_regulation_show_refuses_an_unknown_parameter() -> None:
    result = _run("regulation", "show", "forfaits/operateur/inconnu", "--at", "2024-06-01")
    assert result.exit_code == 2, _both(result)
    assert "unknown parameter" in _both(result)


def test_regulation_show_exits_1_when_nothing_is_in_force() -> None:
    result = _run("regulation", "show", "forfaits/technique/codes/1612544", "--at", "2024-05-01")
    assert result.exit_code == 1, _both(result)
    assert "nothing in force on 2024-05-01" in result.stdout


def test_regulation_check_passes_on_a_fresh_review_date() -> None:
    result = _run("regulation", "check", "--today", "2026-11-30")  # the newest review date
    assert result.exit_code == 0, _both(result)
    assert "0 error(s)" in result.stdout


def test_regulation_check_fails_when_the_data_is_stale() -> None:
    result = _run("regulation", "check", "--today", "2027-12-01")
    assert result.exit_code == 1, _both(result)
    assert "last reviewed" in result.stdout


# --- demo and module entry point -----------------------------------------------------------


def test_demo_builds_a_synthetic_database_and_prints_the_log_ins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--patients", "7", "--today", "2026-11-29"],
        env={"TELESURVEILLANCE_DATABASE_URL": url},
    )
    assert result.exit_code == 0, _both(result)
    assert "SYNTHETIC" in result.stdout
    assert "medecin" in result.stdout
    # every reading was judged or, older than the last eight days, settled as history
    engine = sa.create_engine(url)
    a = tables.alerts.c
    with engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(tables.alert_pending))
        assert left.scalar_one() == 0
        oldest = conn.execute(
            sa.select(sa.func.min(a.first_ts)).where(a.rule_kind != "no_data")
        ).scalar()
    engine.dispose()
    eight_days_before = dt.datetime(2026, 11, 15, 9, tzinfo=dt.UTC)  # 10:00 Paris on the 23rd
    assert oldest is not None, "the demo opened no alert on its readings"
    assert oldest >= reading.millis(eight_days_before)


def test_demo_refuses_to_wipe_a_database_that_is_not_a_demo(tmp_path: Path) -> None:
    import datetime as dt

    import sqlalchemy as sa

    from telesurveillance.adapters.sql import database, migrate
    from telesurveillance.adapters.sql.core import tables as schema

    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    engine = database.create(url)
    migrate.upgrade(engine)
    with database.writing(engine) as conn:
        conn.execute(sa.insert(schema.patients), {"family": "X", "birth_date": dt.date(1960, 1, 1)})
    engine.dispose()
    result = runner.invoke(
        app, ["demo", "--no-serve", "--patients", "2"], env={"TELESURVEILLANCE_DATABASE_URL": url}
    )
    assert result.exit_code == 1
    assert "refusing to wipe" in _both(result)


def test_python_dash_m_telesurveillance_help_exits_0() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "telesurveillance", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "billing" in completed.stdout


def test_billing_simulate_labels_its_figures_approximate() -> None:
    result = runner.invoke(
        app, ["billing", "simulate", "--file-active", "6100", "--at", "2024-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "APPROXIMATE" in result.output
    assert "tranche_entiere: 45.83 €" in result.output
    assert "progressive: 49.25 €" in result.output


def test_billing_simulate_before_any_grid_value_exits_1_with_a_message() -> None:
    result = runner.invoke(
        app, ["billing", "simulate", "--file-active", "6100", "--at", "2023-01-01"]
    )
    assert result.exit_code == 1, result.output
    assert "no value in force on 2023-01-01" in result.output
    assert "Traceback" not in result.output
