"""Nightscout sites: a per-patient base URL key and the digests of its secret.

Revision ID: 0009_s13_nightscout
Revises: 0007_s12_alert_pending
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_s13_nightscout"
down_revision = "0007_s12_alert_pending"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nightscout_sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("secret_sha1", sa.String(64), nullable=False),
        sa.Column("secret_sha512", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("units", sa.String(8), nullable=False, server_default="mg/dL"),
        sa.Column("issued_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("last_used_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_nightscout_sites"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_nightscout_sites_patient_id_patients"
        ),
        sa.UniqueConstraint("key", name="uq_nightscout_sites_key"),
        sa.UniqueConstraint("secret_sha1", name="uq_nightscout_sites_secret_sha1"),
    )
    op.create_index(
        "ix_nightscout_sites_patient_id", "nightscout_sites", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_nightscout_sites_patient_id", table_name="nightscout_sites")
    op.drop_table("nightscout_sites")
