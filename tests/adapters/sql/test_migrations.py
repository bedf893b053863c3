"""Migrations build exactly the schema the code declares, and go down cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from telesurveillance.adapters.sql import migrate, tables


def test_the_migrated_schema_matches_the_declared_tables(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def test_the_store_is_at_every_branch_head(engine: sa.Engine) -> None:
    assert migrate.is_current(engine)
