"""Accounts, tokens and the audit log over the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.adapters.sql.security import tables
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, audit

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-9"


@pytest.fixture
def store(engine: sa.Engine) -> security_accounts.SqlAccounts:
    return security_accounts.SqlAccounts(engine)


def _account(store: security_accounts.SqlAccounts, name: str = "martin") -> int:
    return accounts.create_account(store, name, PASSWORD, roles.Role.MEDECIN, NOW)


def test_a_password_is_stored_as_an_argon2id_hash(
    store: security_accounts.SqlAccounts, engine: sa.Engine
) -> None:
    _account(store)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_the_right_password_logs_in_and_a_wrong_one_does_not(
    store: security_accounts.SqlAccounts,
) -> None:
    _account(store)
    assert accounts.authenticate(store, "martin", PASSWORD, NOW) is not None
    assert accounts.authenticate(store, "martin", PASSWORD + "x", NOW) is None
    assert accounts.authenticate(store, "nobody", PASSWORD, NOW) is None


def test_a_weak_password_or_a_taken_name_is_refused(store: security_accounts.SqlAccounts) -> None:
    with pytest.raises(accounts.AccountError, match="password refused"):
        accounts.create_account(store, "martin", "short", roles.Role.MEDECIN, NOW)
    _account(store)
    with pytest.raises(accounts.AccountError, match="taken"):
        _account(store)


def test_four_failures_do_not_lock_the_account(store: security_accounts.SqlAccounts) -> None:
    _account(store)
    for _ in range(accounts.MAX_FAILURES - 1):
        assert accounts.authenticate(store, "martin", "wrong", NOW) is None
    assert accounts.authenticate(store, "martin", PASSWORD, NOW) is not None


def test_five_failures_lock_the_account_even_against_the_right_password(
    store: security_accounts.SqlAccounts,
) -> None:
    _account(store)
    for _ in range(accounts.MAX_FAILURES):
        accounts.authenticate(store, "martin", "wrong", NOW)
    assert accounts.authenticate(store, "martin", PASSWORD, NOW) is None
    just_before = NOW + accounts.LOCK - dt.timedelta(seconds=1)
    assert accounts.authenticate(store, "martin", PASSWORD, just_before) is None
    assert accounts.authenticate(store, "martin", PASSWORD, NOW + accounts.LOCK) is not None


def test_a_success_resets_the_failure_count(store: security_accounts.SqlAccounts) -> None:
    _account(store)
    for _ in range(accounts.MAX_FAILURES - 1):
        accounts.authenticate(store, "martin", "wrong", NOW)
    assert accounts.authenticate(store, "martin", PASSWORD, NOW) is not None
    for _ in range(accounts.MAX_FAILURES - 1):
        accounts.authenticate(store, "martin", "wrong", NOW)
    assert accounts.authenticate(store, "martin", PASSWORD, NOW) is not None


def test_a_token_is_stored_hashed_and_resolves_to_its_role_and_scope(
    store: security_accounts.SqlAccounts, engine: sa.Engine
) -> None:
    token_id, secret = accounts.create_token(
        store, roles.Role.PATIENT, NOW, patient_id=12, device=True
    )
    with engine.connect() as conn:
        hashes = conn.execute(sa.select(tables.api_tokens.c.token_hash)).scalars().all()
    assert secret not in hashes
    assert hashes == [accounts.digest(secret)]
    token = accounts.resolve_token(store, secret, NOW)
    assert token is not None
    assert token.id == token_id
    who = token.principal()
    assert (who.role, who.patient_id, who.device) == (roles.Role.PATIENT, 12, True)


def test_a_revoked_or_expired_token_resolves_to_nothing(
    store: security_accounts.SqlAccounts,
) -> None:
    token_id, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW)
    assert store.revoke_token(token_id, NOW)
    assert accounts.resolve_token(store, secret, NOW) is None
    assert not store.revoke_token(token_id, NOW)
    end = NOW + dt.timedelta(days=1)
    _, short = accounts.create_token(store, roles.Role.MEDECIN, NOW, expires=end)
    assert accounts.resolve_token(store, short, end - dt.timedelta(seconds=1)) is not None
    assert accounts.resolve_token(store, short, end) is None


def test_using_a_token_records_when_it_was_last_used(
    store: security_accounts.SqlAccounts, engine: sa.Engine
) -> None:
    _, secret = accounts.create_token(store, roles.Role.MEDECIN, NOW)
    accounts.resolve_token(store, secret, NOW)
    with engine.connect() as conn:
        used = conn.execute(sa.select(tables.api_tokens.c.last_used_at)).scalar_one()
    assert used is not None
    assert used.replace(tzinfo=dt.UTC) == NOW


def test_scopes_must_fit_the_role(store: security_accounts.SqlAccounts) -> None:
    with pytest.raises(accounts.AccountError, match="--patient"):
        accounts.create_token(store, roles.Role.PATIENT, NOW)
    with pytest.raises(accounts.AccountError, match="--exploitant"):
        accounts.create_token(store, roles.Role.EXPLOITANT, NOW)
    with pytest.raises(accounts.AccountError, match="only the patient role"):
        accounts.create_token(store, roles.Role.MEDECIN, NOW, patient_id=3)


def _event(status: int = 200) -> audit.Event:
    return audit.Event(
        NOW, "token/1", "t", "medecin", "r", "R", "GET", "/x", 5, "1.2.3.4", status, "id"
    )


def test_the_audit_trail_refuses_updates_and_deletes(engine: sa.Engine) -> None:
    log = security_audit.SqlAuditLog(engine)
    log.append(_event())
    with pytest.raises(sa.exc.DatabaseError), database.writing(engine) as conn:
        conn.execute(sa.update(tables.audit_events).values(status=500))
    with pytest.raises(sa.exc.DatabaseError), database.writing(engine) as conn:
        conn.execute(sa.delete(tables.audit_events))
    assert [e.status for e in log.events()] == [200]


def test_audit_events_read_back_newest_first_and_by_patient(engine: sa.Engine) -> None:
    log = security_audit.SqlAuditLog(engine)
    first = log.append(_event(200))
    second = log.append(_event(403))
    assert [e.id for e in log.events()] == [second, first]
    assert [e.id for e in log.events(before_id=second)] == [first]
    assert log.events(patient_id=6) == []
    assert log.events()[0].recorded_at == NOW
