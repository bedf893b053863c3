"""`telesurveillance user create`, `token create|revoke`, `backup` / `restore`, on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from telesurveillance import config
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.cli import app as cli
from telesurveillance.services.security import accounts, audit
from telesurveillance.web import app
from telesurveillance.web.security import hardening


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


runner = CliRunner()
PASSWORD = "Correct-horse-9"


def _run(engine: sa.Engine, *args: str, stdin: str | None = None) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return runner.invoke(cli, list(args), input=stdin, env={"TELESURVEILLANCE_DATABASE_URL": url})


def _client(engine: sa.Engine, tmp_path: Path) -> TestClient:
    settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
    options = hardening.Options(secure_cookies=False)
    return TestClient(app.create_app(settings, engine=engine, security_options=options))


def test_user_create_makes_an_account_that_can_log_in(engine: sa.Engine) -> None:
    result = _run(
        engine,
        "user",
        "create",
        "martin",
        "--role",
        "medecin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "account 1 created" in result.stdout
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT role FROM accounts").scalar_one() == "medecin"


def test_an_oidc_only_account_has_no_password_and_cannot_log_in_with_one(
    engine: sa.Engine,
) -> None:
    result = _run(engine, "user", "create", "dr.martin", "--role", "medecin", "--oidc-only")
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT password_hash FROM accounts").scalar_one() is None
    store = security_accounts.SqlAccounts(engine)
    assert accounts.authenticate(store, "dr.martin", "", dt.datetime.now(dt.UTC)) is None


def test_user_create_refuses_a_weak_password_and_an_unknown_role(engine: sa.Engine) -> None:
    weak = _run(
        engine, "user", "create", "martin", "--role", "medecin", "--password-stdin", stdin="abc\n"
    )
    assert weak.exit_code == 1
    assert "password refused" in weak.stderr
    unknown = _run(engine, "user", "create", "x", "--role", "chef", "--password-stdin", stdin="a\n")
    assert unknown.exit_code == 2


def test_token_create_prints_the_token_last_and_the_api_accepts_it_until_revoked(
    engine: sa.Engine, tmp_path: Path
) -> None:
    result = _run(engine, "token", "create", "--role", "patient", "--patient", "4")
    assert result.exit_code == 0, result.output
    secret = result.stdout.split()[-1]
    assert secret.startswith("tsv_")
    client = _client(engine, tmp_path)
    whoami = client.get("/auth/whoami", headers={"Authorization": f"Bearer {secret}"})
    assert whoami.json()["patient_id"] == 4
    listed = _run(engine, "token", "list")
    assert secret not in listed.stdout
    assert "role=patient" in listed.stdout
    assert _run(engine, "token", "revoke", "1").exit_code == 0
    again = client.get("/auth/whoami", headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 401
    assert _run(engine, "token", "revoke", "1").exit_code == 1


def test_a_patient_token_without_its_patient_is_refused(engine: sa.Engine) -> None:
    result = _run(engine, "token", "create", "--role", "patient")
    assert result.exit_code == 1
    assert "--patient" in result.stderr


def _populate(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients).values(
                id=1, family="Synthétique", given="Alice", birth_date=dt.date(1950, 1, 2)
            )
        )
        readings.store(
            conn, [readings.Reading(1, 1, 1_700_000_000_000 + i, 70.0 + i) for i in range(50)]
        )
    event = audit.Event(
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        "token/1",
        "t",
        "medecin",
        "r",
        "R",
        "GET",
        "/",
        1,
        "127.0.0.1",
        200,
        "x",
    )
    security_audit.SqlAuditLog(engine).append(event)


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))
            for name in ("patients", "readings", "reading_days", "audit_events")
        }


def test_backup_then_restore_gives_back_the_store_as_it_was(
    engine: sa.Engine, tmp_path: Path
) -> None:
    _populate(engine)
    before = _snapshot(engine)
    target = tmp_path / "store.backup"
    result = _run(engine, "backup", str(target))
    assert result.exit_code == 0, result.output
    with database.writing(engine) as conn:
        readings.store(conn, [readings.Reading(1, 1, 1, 1.0)])
        conn.execute(sa.update(tables.patients).values(family="Changed"))
    assert _snapshot(engine) != before
    assert _run(engine, "restore", str(target)).exit_code == 2  # needs --yes
    engine.dispose()  # the server is stopped during a restore
    result = _run(engine, "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    engine.dispose()
    assert _snapshot(engine) == before


def test_restore_refuses_a_file_that_is_not_a_backup(engine: sa.Engine, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    result = _run(engine, "restore", str(junk), "--yes")
    assert result.exit_code == 1
    assert "not a" in result.stderr


@pytest.mark.parametrize("missing", ["nowhere.backup"])
def test_restore_refuses_a_missing_file(engine: sa.Engine, tmp_path: Path, missing: str) -> None:
    assert _run(engine, "restore", str(tmp_path / missing), "--yes").exit_code == 1
