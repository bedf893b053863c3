"""Clinical notes on a patient (append-only).

Revision ID: 0006_notes
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_notes"
down_revision = "0001_core"
branch_labels = ("notes",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("body", sa.String(4000), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_patient_notes_patient_id", "patient_notes", ["patient_id"])


def downgrade() -> None:
    op.drop_table("patient_notes")
