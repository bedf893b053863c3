"""Provenance of readings (issue 17): who sent each reading and the identifiers it gave.

`reading_sources` holds one row per distinct sender (route, device and its DMN, API token,
file); `readings.source_id` points at it (NULL for the rows stored before: unknown);
`reading_identifiers` keeps the sender's identifiers of a reading, only when it sent some;
`reading_dmn_days` counts the readings per patient, Paris day and DMN of the sending device
(what billing reads to count the prise en charge's DMN data only).

Revision ID: 0011_s22a_reading_sources
Revises: 0001_core
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_s22a_reading_sources"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reading_sources",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("device_id", sa.Integer, nullable=True),
        sa.Column("dmn_id", sa.Integer, nullable=True),
        sa.Column("token_id", sa.Integer, nullable=True),
        sa.Column("label", sa.String(300), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reading_sources"),
        sa.UniqueConstraint("key", name="uq_reading_sources_key"),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name="fk_reading_sources_device_id_devices"
        ),
        sa.ForeignKeyConstraint(["dmn_id"], ["dmns.id"], name="fk_reading_sources_dmn_id_dmns"),
    )
    op.create_table(
        "reading_identifiers",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("n", sa.SmallInteger, nullable=False),
        sa.Column("system", sa.String(400), nullable=True),
        sa.Column("value", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "kind", "ts", "n", name="pk_reading_identifiers"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reading_dmn_days",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("dmn_id", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "day", "dmn_id", name="pk_reading_dmn_days"),
        sqlite_with_rowid=False,
    )
    # existing readings keep NULL: their sender is unknown
    op.add_column("readings", sa.Column("source_id", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("readings", "source_id")
    op.drop_table("reading_dmn_days")
    op.drop_table("reading_identifiers")
    op.drop_table("reading_sources")
