"""Alembic migrations go down and up again on a populated store, on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from telesurveillance.adapters.sql import database, migrate, tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, audit

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _populate(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(schema.patients).values(
                id=1, family="Synthétique", given="Bob", birth_date=dt.date(1948, 5, 6)
            )
        )
        readings.store(
            conn, [readings.Reading(1, 1, 1_700_000_000_000 + i, 80.0) for i in range(20)]
        )
    store = security_accounts.SqlAccounts(engine)
    accounts.create_account(store, "martin", "Correct-horse-9", roles.Role.MEDECIN, NOW)
    accounts.create_token(store, roles.Role.PATIENT, NOW, patient_id=1)
    security_audit.SqlAuditLog(engine).append(
        audit.Event(NOW, "token/1", "t", "patient", "r", "R", "GET", "/", 1, "", 200, "x")
    )


@pytest.fixture(autouse=True)
def _back_to_heads(engine: sa.Engine) -> Iterator[None]:
    # The PostgreSQL store is shared by the session: leave it migrated whatever happens.
    yield
    migrate.upgrade(engine)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _schema_diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), tables.metadata))


def test_the_security_branch_goes_down_and_up_keeping_the_core_data(engine: sa.Engine) -> None:
    _populate(engine)
    migrate.downgrade(engine, "0005_security-1")  # the branch from its first migration on
    assert "audit_events" not in _tables(engine)
    assert "readings" in _tables(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.readings)).scalar() == 20
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert _schema_diff(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.readings)).scalar() == 20


def test_every_migration_goes_down_to_base_and_up_again_on_a_populated_store(
    engine: sa.Engine,
) -> None:
    _populate(engine)
    migrate.downgrade(engine, "base")
    assert _tables(engine) == set()
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert _schema_diff(engine) == []
    _populate(engine)  # and the re-created store takes data again
