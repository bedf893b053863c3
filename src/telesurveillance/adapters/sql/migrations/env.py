"""Alembic environment: runs on the connection handed in by `adapters.sql.migrate`."""

from __future__ import annotations

from alembic import context

from telesurveillance.adapters.sql import tables

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=tables.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
